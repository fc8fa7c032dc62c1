// The messages of single-decree Paxos, with Paxos.tla's fields. Values are opaque strings
// (the model's v1..vN, or whatever a client proposes); "no value" is null, which the driver
// shows as the spec's None.

export type Ballot = number
export type AcceptorId = number
export type PaxosValue = string

export type PaxosMessage =
  | { readonly type: '1a'; readonly bal: Ballot }
  | { readonly type: '1b'; readonly acc: AcceptorId; readonly bal: Ballot; readonly mbal: Ballot; readonly mval: PaxosValue | null }
  | { readonly type: '2a'; readonly bal: Ballot; readonly val: PaxosValue }
  | { readonly type: '2b'; readonly acc: AcceptorId; readonly bal: Ballot; readonly val: PaxosValue }

export type Promise1b = Extract<PaxosMessage, { type: '1b' }>
export type Vote2b = Extract<PaxosMessage, { type: '2b' }>

/** Acceptors send to proposers (identified by their ballot); proposers send to acceptors. */
export type Address = { readonly acceptor: AcceptorId } | { readonly proposer: Ballot }

/** The same bug switches as protocols/paxos/model.ts, each flipping the same rule here. */
export type PaxosBug = 'vote-below-promise' | 'ignore-1b-votes' | 'no-promise-after-vote' | undefined

/** Every subset of the acceptors 0..n-1 with more than n/2 members. */
export function majorities(n: number): AcceptorId[][] {
  const quorums: AcceptorId[][] = []
  for (let mask = 0; mask < 1 << n; mask++) {
    const members = Array.from({ length: n }, (_, a) => a).filter((a) => mask & (1 << a))
    if (members.length * 2 > n) quorums.push(members)
  }
  return quorums
}
