// A Paxos Commit acceptor as a sans-IO core: one Paxos acceptor per instance (per RM), all in
// one process. For each instance it keeps the highest ballot promised (mbal) and its latest
// vote (bal, val). Rules mirror PaxosCommit.tla's Phase1b and Phase2b; the node process
// persists the state before any reply leaves, since a promise or vote must survive a crash.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { AcceptorId, Address, Ballot, PaxosCommitBug, PaxosCommitMessage, RmId, Vote } from './messages.js'

export interface InstanceState {
  readonly mbal: Ballot
  readonly bal: Ballot
  readonly val: Vote | 'none'
}

export interface AcceptorState {
  readonly id: AcceptorId
  /** By instance (the RM's id); an instance never heard of is still in its initial state. */
  readonly instances: Readonly<Record<string, InstanceState>>
}

export type AcceptorEvent = { readonly type: 'Receive'; readonly message: PaxosCommitMessage }

export interface AcceptorConfig {
  readonly bug?: PaxosCommitBug
}

/** PCInit's aState[ins][ac]: ballot 0 promised (it is the RM's), no vote. */
export const initialInstance: InstanceState = { mbal: 0, bal: -1, val: 'none' }

export const initialAcceptor = (id: AcceptorId): AcceptorState => ({ id, instances: {} })

export const instanceOf = (state: AcceptorState, ins: RmId): InstanceState => state.instances[ins] ?? initialInstance

export function stepAcceptor(config: AcceptorConfig, state: AcceptorState, event: AcceptorEvent): Transition<AcceptorState, Address, PaxosCommitMessage> {
  const m = event.message
  const name = `a${state.id + 1}`
  switch (m.type) {
    case 'phase1a': {
      const own = instanceOf(state, m.ins)
      if (!(own.mbal < m.bal)) return refuse(`${name} has promised ballot ${own.mbal} of instance rm${m.ins + 1}, not below ${m.bal}`)
      return {
        state: produce(state, (d) => {
          d.instances[m.ins] = { ...own, mbal: m.bal }
        }),
        effects: [{ to: 'leader', message: { type: 'phase1b', ins: m.ins, mbal: m.bal, bal: own.bal, val: own.val, acc: state.id } }],
      }
    }
    case 'phase2a': {
      const own = instanceOf(state, m.ins)
      if (!(own.mbal <= m.bal) && config.bug !== 'accept-below-promise') {
        return refuse(`${name} has promised ballot ${own.mbal} of instance rm${m.ins + 1}, above ${m.bal}`)
      }
      return {
        state: produce(state, (d) => {
          d.instances[m.ins] = { mbal: m.bal, bal: m.bal, val: m.val }
        }),
        effects: [{ to: 'leader', message: { type: 'phase2b', acc: state.id, ins: m.ins, bal: m.bal, val: m.val } }],
      }
    }
    default:
      return refuse(`an acceptor does not handle ${m.type} messages`)
  }
}
