// The messages of Paxos Commit, shaped exactly like PaxosCommit.tla's Message records (so the
// record of sent messages maps onto the model's `msgs` without translation). Instance `ins` is
// the Paxos instance that decides resource manager `ins`'s vote; ballot 0 of an instance
// belongs to its RM, higher ballots to the leader.

export type RmId = number
export type AcceptorId = number
export type Ballot = number
/** What an instance decides: the RM's vote. */
export type Vote = 'prepared' | 'aborted'

export type PaxosCommitMessage =
  | { readonly type: 'phase1a'; readonly ins: RmId; readonly bal: Ballot }
  | {
      readonly type: 'phase1b'
      readonly ins: RmId
      readonly mbal: Ballot
      readonly bal: Ballot
      readonly val: Vote | 'none'
      readonly acc: AcceptorId
    }
  | { readonly type: 'phase2a'; readonly ins: RmId; readonly bal: Ballot; readonly val: Vote }
  | { readonly type: 'phase2b'; readonly acc: AcceptorId; readonly ins: RmId; readonly bal: Ballot; readonly val: Vote }
  | { readonly type: 'Commit' }
  | { readonly type: 'Abort' }

export type Phase1b = Extract<PaxosCommitMessage, { type: 'phase1b' }>
export type Phase2b = Extract<PaxosCommitMessage, { type: 'phase2b' }>

/** RMs and the leader send to acceptors; acceptors answer the leader; the leader tells the RMs. */
export type Address = { readonly acceptor: AcceptorId } | 'leader' | { readonly rm: RmId }

/** The same bug switches as protocols/paxos-commit/model.ts, each flipping the same rule here. */
export type PaxosCommitBug = 'commit-on-some-chosen' | 'accept-below-promise' | 'decide-from-minority' | undefined

/** The evidence that instance `ins` chose a value: the members of `quorum` voted for it in `bal`. */
export interface Evidence {
  readonly bal: Ballot
  readonly quorum: readonly AcceptorId[]
}

/** A message to every one of `count` acceptors. */
export const toAcceptors = (count: number, message: PaxosCommitMessage) =>
  Array.from({ length: count }, (_, acceptor) => ({ to: { acceptor } as Address, message }))
