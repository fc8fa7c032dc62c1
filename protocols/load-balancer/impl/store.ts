// The idempotency store as a sans-IO core: per key, free, claimed by the session of one
// backend, or done (its result stored). A claim is insert-if-absent; a lookup (the
// unclaimed-key bug's question) only reads; a completion stores the result and counts it (the
// count is how many times the request's effect ran, which the store sees as completions). A
// session's claims die with it, as a database's advisory locks die with their connection.
// Rules mirror the store of protocols/load-balancer/model.ts.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, BackendId, Key, Message, StoreRequest } from './messages.js'

export type KeyEntry = { readonly state: 'claimed'; readonly by: BackendId } | { readonly state: 'done' }

export interface StoreState {
  readonly keys: Readonly<Record<Key, KeyEntry>>
  /** Completions per key: the times the request's effect ran. */
  readonly completions: Readonly<Record<Key, number>>
}

export type StoreEvent = { readonly type: 'Receive'; readonly message: StoreRequest } | { readonly type: 'SessionEnded'; readonly backend: BackendId }

export const initialStore: StoreState = { keys: {}, completions: {} }

type Step = Transition<StoreState, Address, Message>

export function stepStore(state: StoreState, event: StoreEvent): Step {
  if (event.type === 'SessionEnded') {
    return {
      state: produce(state, (d) => {
        for (const [key, entry] of Object.entries(state.keys)) if (entry.state === 'claimed' && entry.by === event.backend) delete d.keys[key]
      }),
      effects: [],
    }
  }
  const m = event.message
  const to = { backend: m.backend }
  const entry = state.keys[m.key]
  switch (m.type) {
    case 'Claim':
    case 'Lookup': {
      const answer = (s: 'go' | 'done' | 'busy') => [{ to, message: { type: 'KeyState' as const, key: m.key, state: s } }]
      if (entry?.state === 'done') return { state, effects: answer('done') }
      if (m.type === 'Lookup') return { state, effects: answer('go') }
      if (entry?.state === 'claimed') return { state, effects: answer('busy') }
      return { state: produce(state, (d) => void (d.keys[m.key] = { state: 'claimed', by: m.backend })), effects: answer('go') }
    }
    case 'Complete':
      return {
        state: produce(state, (d) => {
          d.keys[m.key] = { state: 'done' }
          d.completions[m.key] = (state.completions[m.key] ?? 0) + 1
        }),
        effects: [],
      }
    default:
      return refuse('not a store request')
  }
}
