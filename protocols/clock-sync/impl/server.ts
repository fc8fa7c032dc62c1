// The time server as a sans-IO core. Its clock is an explicit value advanced by Tick events
// (the replay driver's ticks of true time, or the milliseconds a node process reads from its
// monotonic clock); it stamps t2 when a request arrives (Receive) and t3 when it answers
// (Reply), and keeps a hybrid logical clock over both events.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { hlcOnReceive, hlcOnSend, type Hlc } from './hlc.js'
import type { Address, ClientId, ClockSyncBug, ClockSyncMessage, TimeRequest } from './messages.js'

export interface ServerState {
  readonly clock: number
  readonly hlc: Hlc
  /** Requests received and not yet answered, by client: its t1 and our t2. */
  readonly held: Readonly<Record<string, { readonly t1: number; readonly t2: number }>>
}

export type ServerEvent =
  | { readonly type: 'Tick'; readonly ticks: number }
  | { readonly type: 'Receive'; readonly request: TimeRequest }
  | { readonly type: 'Reply'; readonly client: ClientId }

export interface ServerConfig {
  readonly bug?: ClockSyncBug
}

export const initialServer = (clock = 0): ServerState => ({ clock, hlc: { l: clock, c: 0 }, held: {} })

export function stepServer(config: ServerConfig, state: ServerState, event: ServerEvent): Transition<ServerState, Address, ClockSyncMessage> {
  switch (event.type) {
    case 'Tick':
      if (!Number.isSafeInteger(event.ticks) || event.ticks < 0) return refuse(`a clock moves forward, not by ${event.ticks}`)
      return { state: { ...state, clock: state.clock + event.ticks }, effects: [] }
    case 'Receive': {
      const m = event.request
      if (state.held[m.client]) return refuse(`the server already holds a request from client${m.client + 1}`)
      const hlc = hlcOnReceive(state.hlc, m.hlc, state.clock, config.bug === 'hlc-no-max')
      return {
        state: produce(state, (d) => {
          d.hlc = hlc
          d.held[m.client] = { t1: m.t1, t2: state.clock }
        }),
        effects: [],
      }
    }
    case 'Reply': {
      const held = state.held[event.client]
      if (!held) return refuse(`the server holds no request from client${event.client + 1}`)
      const hlc = hlcOnSend(state.hlc, state.clock)
      return {
        state: produce(state, (d) => {
          d.hlc = hlc
          delete d.held[event.client]
        }),
        effects: [{ to: { client: event.client }, message: { type: 'response', client: event.client, t1: held.t1, t2: held.t2, t3: state.clock, hlc } }],
      }
    }
  }
}
