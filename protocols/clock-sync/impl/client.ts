// A time client as a sans-IO core: NTP's on-wire calculation (RFC 5905, section 8) and clock
// discipline, with a hybrid logical clock. Its clock is an explicit value: Boot sets it (a
// machine starting with its real-time clock off), Tick advances it by oscillator ticks. On a
// response it computes, from t1..t4,
//   offset θ = ((t2 - t1) + (t3 - t4)) / 2      delay δ = (t4 - t1) - (t3 - t2)
// (kept doubled, 2θ, so that half ticks stay exact) and corrects its clock by θ rounded toward
// zero: forward by stepping, backward by slewing (the next |θ| ticks leave the clock where it
// is), so that the clock never runs backwards. It polls again only once a slew is done.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { hlcOnReceive, hlcOnSend, type Hlc } from './hlc.js'
import type { Address, ClientId, ClockSyncBug, ClockSyncMessage, TimeResponse } from './messages.js'

export interface ClientState {
  readonly id: ClientId
  readonly phase: 'off' | 'idle' | 'waiting'
  readonly clock: number
  /** Ticks still to absorb to slew the clock back (<= 0). */
  readonly slew: number
  /** t1 of the request in flight (0 when idle). */
  readonly t1: number
  readonly hlc: Hlc
  /** The last exchange's doubled offset estimate and delay, or null before any. */
  readonly estimate: { readonly offset2: number; readonly delay: number } | null
}

export type ClientEvent =
  | { readonly type: 'Boot'; readonly clock: number }
  | { readonly type: 'Tick'; readonly ticks: number }
  | { readonly type: 'Send' }
  | { readonly type: 'Receive'; readonly response: TimeResponse }
  /** The request or its response was lost (a node process's connection dropped): poll again.
   * Not a model action: the model's links lose nothing. */
  | { readonly type: 'Abandon' }

export interface ClientConfig {
  readonly bug?: ClockSyncBug
}

export const initialClient = (id: ClientId): ClientState => ({ id, phase: 'off', clock: 0, slew: 0, t1: 0, hlc: { l: 0, c: 0 }, estimate: null })

export function stepClient(config: ClientConfig, state: ClientState, event: ClientEvent): Transition<ClientState, Address, ClockSyncMessage> {
  const me = `client${state.id + 1}`
  switch (event.type) {
    case 'Boot':
      if (state.phase !== 'off') return refuse(`${me} is already up`)
      if (!Number.isSafeInteger(event.clock)) return refuse(`a clock reads whole ticks, not ${event.clock}`)
      return { state: { ...state, phase: 'idle', clock: event.clock, hlc: { l: event.clock, c: 0 } }, effects: [] }
    case 'Tick': {
      if (state.phase === 'off') return refuse(`${me} is off`)
      if (!Number.isSafeInteger(event.ticks) || event.ticks < 0) return refuse(`a clock moves forward, not by ${event.ticks}`)
      // Slewing: the ticks that absorb the correction leave the clock where it is.
      const absorbed = Math.min(event.ticks, -state.slew)
      return { state: { ...state, clock: state.clock + event.ticks - absorbed, slew: state.slew + absorbed }, effects: [] }
    }
    case 'Send': {
      if (state.phase !== 'idle') return refuse(`${me} is ${state.phase}, not idle`)
      if (state.slew !== 0) return refuse(`${me} is still slewing its clock back (${-state.slew} ticks to go)`)
      const hlc = hlcOnSend(state.hlc, state.clock)
      return {
        state: { ...state, phase: 'waiting', t1: state.clock, hlc },
        effects: [{ to: 'server', message: { type: 'request', client: state.id, t1: state.clock, hlc } }],
      }
    }
    case 'Abandon':
      if (state.phase !== 'waiting') return refuse(`${me} has no request in flight`)
      return { state: { ...state, phase: 'idle', t1: 0 }, effects: [] }
    case 'Receive': {
      const m = event.response
      if (state.phase !== 'waiting') return refuse(`${me} is not waiting for a response`)
      if (m.client !== state.id || m.t1 !== state.t1) return refuse(`${me} did not send the request this response answers (t1 ${m.t1}, not ${state.t1})`)
      const t4 = state.clock
      const offset2 = config.bug === 'ignore-delay' ? 2 * (m.t3 - t4) : m.t2 - m.t1 + (m.t3 - t4)
      const delay = t4 - m.t1 - (m.t3 - m.t2)
      const correction = Math.trunc(offset2 / 2)
      const hlc = hlcOnReceive(state.hlc, m.hlc, t4, config.bug === 'hlc-no-max')
      return {
        state: produce(state, (d) => {
          d.phase = 'idle'
          d.t1 = 0
          d.hlc = hlc
          d.estimate = { offset2, delay }
          if (correction > 0 || config.bug === 'step-back') d.clock = t4 + correction
          else d.slew = correction
        }),
        effects: [],
      }
    }
  }
}
