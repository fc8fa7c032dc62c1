// The lock server as a sans-IO core (Chubby's master, one lock): it grants the lock when it is
// free or its holder's lease has lapsed by the server's own clock, numbers every grant with a
// generation (the sequencer a client hands to storage), frees the lock on release or when the
// lease timer finds it lapsed. Rules mirror protocols/lock-service/model.ts: Acquire, Release, ExpireLease, Tick.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, ClientId, LockServiceBug, Message, ServerReply, ServerRequest } from './messages.js'

export interface LockServerState {
  /** The server's clock, in ticks. */
  readonly now: number
  readonly held: boolean
  /** Meaningful only while held (0 otherwise). */
  readonly holder: ClientId
  /** Server time at which the holder's lease lapses (0 when free). */
  readonly expires: number
  /** Generation of the last grant: the sequencer it carried. */
  readonly gen: number
}

export type LockServerEvent =
  | { readonly type: 'Tick' }
  /** The lease timer fires: free the lock if its lease has lapsed. */
  | { readonly type: 'LeaseTimer' }
  | { readonly type: 'Receive'; readonly message: ServerRequest }

export interface LockServerConfig {
  /** Lease length in server ticks. */
  readonly lease: number
  readonly bug?: LockServiceBug
}

export const initialLockServer: LockServerState = { now: 0, held: false, holder: 0, expires: 0, gen: 0 }

type Step = Transition<LockServerState, Address, Message>
const reply = (state: LockServerState, client: ClientId, message: ServerReply): Step => ({ state, effects: [{ to: { client }, message }] })

const freed = (state: LockServerState) =>
  produce(state, (d) => {
    // The generation stays: the next grant decides whether to bump it.
    d.held = false
    d.holder = 0
    d.expires = 0
  })

export function stepLockServer(config: LockServerConfig, state: LockServerState, event: LockServerEvent): Step {
  switch (event.type) {
    case 'Tick':
      return { state: produce(state, (d) => void (d.now += 1)), effects: [] }
    case 'LeaseTimer':
      // The liveness bug: the server waits for the holder's release and never reclaims a lease.
      if (config.bug === 'no-lease-reclaim') return refuse('this server never reclaims a lease')
      if (!state.held) return refuse('the lock is free: no lease to expire')
      if (state.now < state.expires) return refuse(`the lease runs until ${state.expires}, it is ${state.now}`)
      return { state: freed(state), effects: [] }
    case 'Receive': {
      const { message } = event
      switch (message.type) {
        case 'Acquire': {
          if (state.held && (state.now < state.expires || config.bug === 'no-lease-reclaim')) return reply(state, message.client, { type: 'Busy' })
          // The bug: a lock that was freed is handed out again under the previous generation.
          const reuse = config.bug === 'release-without-bump' && !state.held && state.gen > 0
          const gen = reuse ? state.gen : state.gen + 1
          const next = produce(state, (d) => {
            d.held = true
            d.holder = message.client
            d.expires = state.now + config.lease
            d.gen = gen
          })
          return reply(next, message.client, { type: 'Granted', token: gen, lease: config.lease })
        }
        case 'Release': {
          // A release from a client that no longer holds the lock (its lease lapsed and was
          // granted on) changes nothing.
          const next = state.held && state.holder === message.client ? freed(state) : state
          return reply(next, message.client, { type: 'Released' })
        }
      }
    }
  }
}
