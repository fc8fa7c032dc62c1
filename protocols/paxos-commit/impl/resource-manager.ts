// A resource manager as a sans-IO core. It votes by starting its own Paxos instance: ballot 0
// of instance `rm` is its phase 2a message "prepared" (or "aborted"), sent to every acceptor,
// so that its vote survives its own crash and needs no coordinator. It applies the outcome
// when the leader announces it. Rules mirror PaxosCommit.tla's RMPrepare, RMChooseToAbort,
// RMRcvCommitMsg and RMRcvAbortMsg (the last two, like the spec, whatever the RM's state).

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { toAcceptors, type Address, type PaxosCommitMessage, type RmId } from './messages.js'

export interface RmState {
  readonly rm: RmId
  readonly rmState: 'working' | 'prepared' | 'committed' | 'aborted'
}

export type RmEvent =
  /** RMPrepare: the RM is ready to commit. */
  | { readonly type: 'Prepare' }
  /** RMChooseToAbort: the RM gives up on its own. */
  | { readonly type: 'ChooseToAbort' }
  /** RMRcvCommitMsg, RMRcvAbortMsg: the leader's outcome arrives. */
  | { readonly type: 'Receive'; readonly message: PaxosCommitMessage }

export interface RmConfig {
  readonly acceptors: number
}

export const initialRm = (rm: RmId): RmState => ({ rm, rmState: 'working' })

const setTo = (state: RmState, rmState: RmState['rmState']) =>
  produce(state, (d) => {
    d.rmState = rmState
  })

export function stepRm(config: RmConfig, state: RmState, event: RmEvent): Transition<RmState, Address, PaxosCommitMessage> {
  switch (event.type) {
    case 'Prepare':
    case 'ChooseToAbort': {
      if (state.rmState !== 'working') return refuse(`rm${state.rm + 1} is ${state.rmState}, no longer working`)
      const val = event.type === 'Prepare' ? 'prepared' : 'aborted'
      return { state: setTo(state, val), effects: toAcceptors(config.acceptors, { type: 'phase2a', ins: state.rm, bal: 0, val }) }
    }
    case 'Receive':
      switch (event.message.type) {
        case 'Commit':
          return { state: setTo(state, 'committed'), effects: [] }
        case 'Abort':
          return { state: setTo(state, 'aborted'), effects: [] }
        default:
          return refuse(`an RM does not handle ${event.message.type} messages`)
      }
  }
}
