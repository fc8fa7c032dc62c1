// A lock-service client as a sans-IO core. It believes it holds the lock while its own clock
// is before the expiry it computed at the grant: lease - 2*drift local ticks later, because its
// clock may run up to `drift` ahead of the server's at the grant and up to `drift` behind later
// (the unbounded-drift bug leaves that margin out). It writes only while it believes it holds
// the lock, attaching its sequencer; the write may land much later (a GC pause, a slow network).

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, ClientId, LockServiceBug, Message, ServerReply, WriteReply } from './messages.js'

export interface ClientState {
  readonly id: ClientId
  /** The client's own clock, in ticks; it drifts from the server's. */
  readonly clock: number
  readonly pc: 'idle' | 'holding'
  /** The sequencer of the lease held (0 when idle). */
  readonly token: number
  /** Local time at which the client stops believing it holds the lock (0 when idle). */
  readonly expires: number
  /** A write sent and not yet answered: the client waits for it before it releases. */
  readonly writePending: boolean
}

export type ClientEvent =
  | { readonly type: 'Tick' }
  /** The client's clock gains or loses a tick against the server's. */
  | { readonly type: 'Drift'; readonly dir: 'ahead' | 'behind' }
  | { readonly type: 'WantLock' }
  | { readonly type: 'WantRelease' }
  | { readonly type: 'WantWrite' }
  | { readonly type: 'Receive'; readonly message: ServerReply | WriteReply }

export interface ClientConfig {
  /** Bound on the clock's skew from the server's, in ticks. */
  readonly drift: number
  readonly bug?: LockServiceBug
}

export const initialClient = (id: ClientId): ClientState => ({ id, clock: 0, pc: 'idle', token: 0, expires: 0, writePending: false })

/** Does the client believe, by its own clock, that it holds the lock? */
export const believesItHolds = (s: ClientState) => s.pc === 'holding' && s.clock < s.expires

type Step = Transition<ClientState, Address, Message>
const quietly = (state: ClientState): Step => ({ state, effects: [] })

export function stepClient(config: ClientConfig, state: ClientState, event: ClientEvent): Step {
  switch (event.type) {
    case 'Tick':
      return quietly(produce(state, (d) => void (d.clock += 1)))
    case 'Drift':
      return quietly(produce(state, (d) => void (d.clock += event.dir === 'ahead' ? 1 : -1)))
    case 'WantLock':
      if (believesItHolds(state)) return refuse(`client${state.id + 1} already holds the lock`)
      return { state, effects: [{ to: 'lock-server', message: { type: 'Acquire', client: state.id } }] }
    case 'WantRelease':
      if (state.pc !== 'holding') return refuse(`client${state.id + 1} holds no lock to release`)
      if (state.writePending) return refuse(`client${state.id + 1} waits for its write before releasing`)
      return {
        state: produce(state, (d) => {
          d.pc = 'idle'
          d.token = 0
          d.expires = 0
        }),
        effects: [{ to: 'lock-server', message: { type: 'Release', client: state.id } }],
      }
    case 'WantWrite':
      // The lease check; whatever happens between it and the write landing is not re-checked.
      if (!believesItHolds(state)) return refuse(`client${state.id + 1} does not believe it holds the lock`)
      if (state.writePending) return refuse(`client${state.id + 1} has a write in flight`)
      return {
        state: produce(state, (d) => void (d.writePending = true)),
        effects: [{ to: 'storage', message: { type: 'Write', client: state.id, token: state.token } }],
      }
    case 'Receive': {
      const { message } = event
      switch (message.type) {
        case 'Granted': {
          const margin = config.bug === 'unbounded-drift' ? 0 : 2 * config.drift
          return quietly(produce(state, (d) => {
            d.pc = 'holding'
            d.token = message.token
            d.expires = state.clock + message.lease - margin
          }))
        }
        case 'Busy':
        case 'Released':
          return quietly(state)
        case 'WriteResult':
          if (!state.writePending) return refuse(`client${state.id + 1} has no write in flight`)
          return quietly(produce(state, (d) => void (d.writePending = false)))
      }
    }
  }
}
