// A Paxos acceptor as a sans-IO core. It promises (1b) for a ballot higher than any it has
// promised, reporting its latest vote, and votes (2b) for a proposal whose ballot is at least
// its promise. Rules mirror Paxos.tla's Phase1b and Phase2b; everything here must survive a
// crash, so the node process persists the state before it sends any effect.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { AcceptorId, Address, Ballot, PaxosBug, PaxosMessage, PaxosValue } from './messages.js'

export interface AcceptorState {
  readonly id: AcceptorId
  /** The highest ballot promised or voted in; -1 before any. */
  readonly maxBal: Ballot
  /** The ballot and value of the latest vote; -1 and null before any. */
  readonly maxVBal: Ballot
  readonly maxVal: PaxosValue | null
}

export type AcceptorEvent = { readonly type: 'Receive'; readonly message: PaxosMessage }

export interface AcceptorConfig {
  readonly bug?: PaxosBug
}

export const initialAcceptor = (id: AcceptorId): AcceptorState => ({ id, maxBal: -1, maxVBal: -1, maxVal: null })

export function stepAcceptor(config: AcceptorConfig, state: AcceptorState, event: AcceptorEvent): Transition<AcceptorState, Address, PaxosMessage> {
  const m = event.message
  switch (m.type) {
    case '1a': {
      if (!(m.bal > state.maxBal)) return refuse(`acceptor a${state.id + 1} has promised ballot ${state.maxBal}, not below ${m.bal + 1}`)
      // The bug: a vote is taken as final, so no later ballot gets this acceptor's promise.
      if (config.bug === 'no-promise-after-vote' && state.maxVBal !== -1) return refuse(`acceptor a${state.id + 1} has voted in ballot ${state.maxVBal} and promises no more`)
      return {
        state: produce(state, (d) => {
          d.maxBal = m.bal
        }),
        effects: [{ to: { proposer: m.bal }, message: { type: '1b', acc: state.id, bal: m.bal, mbal: state.maxVBal, mval: state.maxVal } }],
      }
    }
    case '2a': {
      const keepsPromise = m.bal >= state.maxBal
      if (!keepsPromise && config.bug !== 'vote-below-promise') {
        return refuse(`acceptor a${state.id + 1} has promised ballot ${state.maxBal}, above ${m.bal}`)
      }
      return {
        state: produce(state, (d) => {
          d.maxBal = m.bal
          d.maxVBal = m.bal
          d.maxVal = m.val
        }),
        effects: [{ to: { proposer: m.bal }, message: { type: '2b', acc: state.id, bal: m.bal, val: m.val } }],
      }
    }
    default:
      return refuse(`an acceptor does not handle ${m.type} messages`)
  }
}
