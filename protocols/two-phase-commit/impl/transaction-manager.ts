// The transaction manager as a sans-IO core: it records Prepared messages, decides to commit
// once every resource manager is prepared (or to abort, at any time before deciding), and
// broadcasts its decision. Rules mirror TwoPhase.tla's TMRcvPrepared, TMCommit and TMAbort.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, Message, RmId, TwoPhaseBug } from './messages.js'

export interface TmState {
  readonly tmState: 'init' | 'committed' | 'aborted'
  /** Resource managers whose Prepared message has been received, ascending. */
  readonly prepared: readonly RmId[]
}

export type TmEvent =
  /** The local decision to commit (TMCommit). */
  | { readonly type: 'DecideCommit' }
  /** The local decision to abort, e.g. on a timeout (TMAbort). */
  | { readonly type: 'DecideAbort' }
  /** A message arrives (TMRcvPrepared). */
  | { readonly type: 'Receive'; readonly message: Message }

export interface TmConfig {
  readonly rmCount: number
  readonly bug?: TwoPhaseBug
}

export const initialTm: TmState = { tmState: 'init', prepared: [] }

export function stepTm(config: TmConfig, state: TmState, event: TmEvent): Transition<TmState, Address, Message> {
  const everyone = Array.from({ length: config.rmCount }, (_, rm) => rm)
  const broadcast = (message: Message) => everyone.map((to) => ({ to, message }))
  switch (event.type) {
    case 'DecideCommit': {
      const enoughPrepared = config.bug === 'commit-on-any-prepared' ? state.prepared.length > 0 : state.prepared.length === config.rmCount
      if (state.tmState !== 'init' && config.bug !== 'commit-after-abort') return refuse(`the TM has already decided (${state.tmState})`)
      if (!enoughPrepared) return refuse(`only ${state.prepared.length} of ${config.rmCount} RMs are prepared`)
      return {
        state: produce(state, (d) => {
          d.tmState = 'committed'
        }),
        effects: broadcast({ type: 'Commit' }),
      }
    }
    case 'DecideAbort': {
      if (state.tmState !== 'init') return refuse(`the TM has already decided (${state.tmState})`)
      return {
        state: produce(state, (d) => {
          d.tmState = 'aborted'
        }),
        effects: broadcast({ type: 'Abort' }),
      }
    }
    case 'Receive': {
      const { message } = event
      if (message.type !== 'Prepared') return refuse(`the TM does not handle ${message.type} messages`)
      if (state.tmState !== 'init') return refuse(`the TM has already decided (${state.tmState})`)
      return {
        state: produce(state, (d) => {
          if (!d.prepared.includes(message.rm)) {
            d.prepared.push(message.rm)
            d.prepared.sort((a, b) => a - b)
          }
        }),
        effects: [],
      }
    }
  }
}
