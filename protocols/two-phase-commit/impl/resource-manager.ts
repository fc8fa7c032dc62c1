// A resource manager as a sans-IO core: it prepares (telling the TM) or aborts on its own while
// still working, and applies the TM's decision when it arrives. Rules mirror TwoPhase.tla's
// RMPrepare, RMChooseToAbort, RMRcvCommitMsg and RMRcvAbortMsg.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, Message, RmId, TwoPhaseBug } from './messages.js'

export interface RmState {
  readonly rm: RmId
  readonly rmState: 'working' | 'prepared' | 'committed' | 'aborted'
}

export type RmEvent =
  /** The local decision to prepare (RMPrepare). */
  | { readonly type: 'Prepare' }
  /** The local decision to abort unilaterally (RMChooseToAbort). */
  | { readonly type: 'ChooseToAbort' }
  /** A message arrives (RMRcvCommitMsg, RMRcvAbortMsg). */
  | { readonly type: 'Receive'; readonly message: Message }

export interface RmConfig {
  readonly bug?: TwoPhaseBug
}

export const initialRm = (rm: RmId): RmState => ({ rm, rmState: 'working' })

const setTo = (state: RmState, rmState: RmState['rmState']) =>
  produce(state, (d) => {
    d.rmState = rmState
  })

export function stepRm(config: RmConfig, state: RmState, event: RmEvent): Transition<RmState, Address, Message> {
  switch (event.type) {
    case 'Prepare':
      if (state.rmState !== 'working') return refuse(`RM ${state.rm} is ${state.rmState}, not working`)
      return { state: setTo(state, 'prepared'), effects: [{ to: 'tm', message: { type: 'Prepared', rm: state.rm } }] }
    case 'ChooseToAbort': {
      const mayAbort = state.rmState === 'working' || (config.bug === 'abort-after-prepare' && state.rmState === 'prepared')
      if (!mayAbort) return refuse(`RM ${state.rm} is ${state.rmState} and may not abort on its own`)
      return { state: setTo(state, 'aborted'), effects: [] }
    }
    case 'Receive':
      switch (event.message.type) {
        case 'Commit': return { state: setTo(state, 'committed'), effects: [] }
        case 'Abort':
          // The bug: a prepared RM takes its Prepared vote as a promise to commit and drops the
          // Abort, so it waits (holding its resources) for a Commit that never comes.
          if (config.bug === 'prepared-ignores-abort' && state.rmState === 'prepared') return { state, effects: [] }
          return { state: setTo(state, 'aborted'), effects: [] }
        default: return refuse(`an RM does not handle ${event.message.type} messages`)
      }
  }
}
