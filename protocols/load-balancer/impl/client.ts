// A client as a sans-IO core: it sends its one request under its idempotency key, waits, and on
// a failure may retry (a new attempt under the same key) until it is answered. Rules mirror
// protocols/load-balancer/model.ts: Request, Retry, and the client's side of Relay, Reject,
// Timeout and HealthCheck (an answer or a failure arriving).

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, ClientAnswer, Key, Message } from './messages.js'

export interface ClientState {
  readonly key: Key
  readonly status: 'idle' | 'waiting' | 'answered' | 'failed'
  /** Attempts made so far (the current one is tries - 1). */
  readonly tries: number
}

export type ClientEvent = { readonly type: 'Request' } | { readonly type: 'Retry' } | { readonly type: 'Receive'; readonly message: ClientAnswer }

export const initialClient = (key: Key): ClientState => ({ key, status: 'idle', tries: 0 })

export function stepClient(state: ClientState, event: ClientEvent): Transition<ClientState, Address, Message> {
  const send = () => ({
    state: produce(state, (d) => {
      d.status = 'waiting'
      d.tries++
    }),
    effects: [{ to: 'balancer' as const, message: { type: 'Request' as const, key: state.key, attempt: state.tries } }],
  })
  switch (event.type) {
    case 'Request':
      return state.status === 'idle' ? send() : refuse(`client ${state.key} has already sent its request`)
    case 'Retry':
      return state.status === 'failed' ? send() : refuse(`client ${state.key} has no failed request to retry (${state.status})`)
    case 'Receive': {
      const m = event.message
      if (state.status !== 'waiting' || m.key !== state.key || m.attempt !== state.tries - 1) return refuse(`client ${state.key} is not waiting for attempt ${m.attempt}`)
      return { state: produce(state, (d) => void (d.status = m.type === 'Answer' ? 'answered' : 'failed')), effects: [] }
    }
  }
}
