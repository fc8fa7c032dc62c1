// The Paxos Commit leader as a sans-IO core. For an instance whose RM has not been heard from,
// it starts a higher ballot (phase 1a) and, once a majority has promised, proposes the value
// their promises force, or "aborted" if none of them has voted (phase 2a): an RM that went
// silent is aborted, a vote that was cast is never lost. It announces Commit once every
// instance has chosen "prepared", Abort once any instance has chosen "aborted". Rules mirror
// PaxosCommit.tla's Phase1a, Phase2a and Decide.
//
// The spec lets any process that believes it leads take these steps, and forbids a second
// phase 2a message in one ballot of one instance; that is implemented as the spec suggests:
// ballots above 0 belong to the leader, which records each one it has proposed in.
// The promises and votes an event carries are the phase 1b and 2b messages the leader has
// received; a decision names its evidence (a ballot and a quorum per instance), which must all
// be among them.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { majorities } from '../../paxos/impl/messages.js'
import { toAcceptors, type Address, type Ballot, type Evidence, type PaxosCommitBug, type PaxosCommitMessage, type Phase1b, type Phase2b, type RmId, type Vote } from './messages.js'

export interface LeaderState {
  /** `${ins}:${bal}` for every ballot in which this leader has sent a phase 2a message. */
  readonly proposed: readonly string[]
}

export type LeaderEvent =
  /** Phase1a: start ballot `bal` of instance `ins` (sending it again changes nothing). */
  | { readonly type: 'StartBallot'; readonly ins: RmId; readonly bal: Ballot }
  /** Phase2a: propose in ballot `bal` of instance `ins` the value `quorum`'s promises force. */
  | { readonly type: 'Propose'; readonly ins: RmId; readonly bal: Ballot; readonly quorum: readonly number[]; readonly promises: readonly Phase1b[] }
  /** Decide, Commit: `evidence[ins]` shows that instance `ins` chose "prepared", for every ins. */
  | { readonly type: 'DecideCommit'; readonly evidence: readonly Evidence[]; readonly votes: readonly Phase2b[] }
  /** Decide, Abort: `evidence` shows that instance `ins` chose "aborted". */
  | { readonly type: 'DecideAbort'; readonly ins: RmId; readonly evidence: Evidence; readonly votes: readonly Phase2b[] }

export interface LeaderConfig {
  readonly rm: number
  readonly acceptors: number
  readonly bug?: PaxosCommitBug
}

export const initialLeader: LeaderState = { proposed: [] }

/** A majority of the acceptors, listed in increasing order (with the bug, any one acceptor). */
function isQuorum(config: LeaderConfig, quorum: readonly number[]): boolean {
  const valid = quorum.every((a, i) => Number.isInteger(a) && a >= 0 && a < config.acceptors && (i === 0 || a > quorum[i - 1]))
  if (!valid) return false
  if (config.bug === 'decide-from-minority') return quorum.length >= 1
  return majorities(config.acceptors).some((q) => q.length === quorum.length && q.every((a, i) => a === quorum[i]))
}

/** The value Phase2a sends for `quorum`, or a reason why it cannot. */
export function forcedValue(config: LeaderConfig, ins: RmId, bal: Ballot, quorum: readonly number[], promises: readonly Phase1b[]): Vote | { why: string } {
  if (!majorities(config.acceptors).some((q) => q.length === quorum.length && q.every((a, i) => a === quorum[i]))) {
    return { why: `[${quorum.map((a) => `a${a + 1}`).join(', ')}] is not a majority of the acceptors` }
  }
  const mset = promises.filter((m) => m.ins === ins && m.mbal === bal && quorum.includes(m.acc))
  const missing = quorum.filter((a) => !mset.some((m) => m.acc === a))
  if (missing.length) return { why: `no promise for ballot ${bal} of rm${ins + 1} from ${missing.map((a) => `a${a + 1}`).join(', ')}` }
  const maxbal = Math.max(-1, ...mset.map((m) => m.bal))
  if (maxbal === -1) return 'aborted'
  return mset.find((m) => m.bal === maxbal)!.val as Vote
}

/** Does `evidence` show that instance `ins` chose `v`: a quorum's votes for it in one ballot? */
function proves(config: LeaderConfig, ins: RmId, v: Vote, evidence: Evidence, votes: readonly Phase2b[]): boolean {
  return (
    isQuorum(config, evidence.quorum) &&
    evidence.quorum.every((a) => votes.some((m) => m.ins === ins && m.bal === evidence.bal && m.val === v && m.acc === a))
  )
}

const toRms = (count: number, message: PaxosCommitMessage) => Array.from({ length: count }, (_, rm) => ({ to: { rm } as Address, message }))

export function stepLeader(config: LeaderConfig, state: LeaderState, event: LeaderEvent): Transition<LeaderState, Address, PaxosCommitMessage> {
  switch (event.type) {
    case 'StartBallot':
      if (!(event.bal >= 1)) return refuse(`ballot ${event.bal} is not a leader's ballot (ballot 0 is the RM's)`)
      return { state, effects: toAcceptors(config.acceptors, { type: 'phase1a', ins: event.ins, bal: event.bal }) }
    case 'Propose': {
      const { ins, bal } = event
      if (!(bal >= 1)) return refuse(`ballot ${bal} is not a leader's ballot (ballot 0 is the RM's)`)
      if (state.proposed.includes(`${ins}:${bal}`)) return refuse(`the leader has already proposed in ballot ${bal} of rm${ins + 1}`)
      const val = forcedValue(config, ins, bal, event.quorum, event.promises)
      if (typeof val !== 'string') return refuse(val.why)
      return {
        state: produce(state, (d) => {
          d.proposed.push(`${ins}:${bal}`)
        }),
        effects: toAcceptors(config.acceptors, { type: 'phase2a', ins, bal, val }),
      }
    }
    case 'DecideCommit': {
      if (event.evidence.length !== config.rm) return refuse(`Commit needs evidence for each of the ${config.rm} RMs`)
      const proven = event.evidence.map((e, ins) => proves(config, ins, 'prepared', e, event.votes))
      // With the bug, an instance offered no evidence at all (no quorum) is passed over.
      const enough =
        config.bug === 'commit-on-some-chosen'
          ? proven.some((p) => p) && proven.every((p, ins) => p || event.evidence[ins].quorum.length === 0)
          : proven.every((p) => p)
      if (!enough) return refuse(`not every RM's instance is shown to have chosen "prepared"`)
      return { state, effects: toRms(config.rm, { type: 'Commit' }) }
    }
    case 'DecideAbort':
      if (!proves(config, event.ins, 'aborted', event.evidence, event.votes)) return refuse(`rm${event.ins + 1}'s instance is not shown to have chosen "aborted"`)
      return { state, effects: toRms(config.rm, { type: 'Abort' }) }
  }
}
