// The load balancer as a sans-IO core. It accepts client requests into its table, dispatches
// each to a backend marked up (round robin from a cursor, or least connections by its count of
// open connections, a tie broken by the caller's choice: randomness is an input here), relays
// a backend's reply on an open connection to the client, fails a request back when its
// connection times out or fails, or when no backend is marked up, and takes the health
// probes' verdicts, failing back every request open on a backend it marks down (HAProxy's
// on-marked-down shutdown-sessions). Rules mirror protocols/load-balancer/model.ts: Request,
// Retry, Dispatch, Reject, Relay, Timeout, HealthCheck.

import { produce } from 'immer'
import { refuse, type Send, type Transition } from '../../../conformance/transition.js'
import type { Address, BackendId, Job, Key, LoadBalancerBug, Message, Policy } from './messages.js'

export type Route = { readonly at: 'queued'; readonly attempt: number } | { readonly at: 'sent'; readonly attempt: number; readonly backend: BackendId }

export interface BalancerState {
  readonly markedUp: readonly boolean[]
  /** Round robin: the next backend to try. */
  readonly cursor: number
  /** Open connections per backend, as the balancer counts them. */
  readonly conns: readonly number[]
  /** The requests it holds, by idempotency key: accepted, and not yet answered or failed back. */
  readonly routes: Readonly<Record<Key, Route>>
}

export type BalancerEvent =
  | { readonly type: 'Request'; readonly key: Key; readonly attempt: number }
  /** Dispatch the queued request `key`; `tieBreak` is the backend preferred among equals. */
  | { readonly type: 'Dispatch'; readonly key: Key; readonly tieBreak?: BackendId }
  | { readonly type: 'Reply'; readonly backend: BackendId; readonly key: Key; readonly attempt: number; readonly ok: boolean }
  /** The open connection of `key` timed out (or broke): close it, fail the request back. */
  | { readonly type: 'Timeout'; readonly key: Key }
  | { readonly type: 'Health'; readonly backend: BackendId; readonly up: boolean }

export interface BalancerConfig {
  readonly backends: number
  readonly policy: Policy
  readonly bug?: LoadBalancerBug
}

export const initialBalancer = (backends: number): BalancerState => ({
  markedUp: Array.from({ length: backends }, () => true),
  cursor: 0,
  conns: Array.from({ length: backends }, () => 0),
  routes: {},
})

type Step = Transition<BalancerState, Address, Message>

const failBack = (key: Key, attempt: number, reason: string): Send<Address, Message> => ({ to: { client: key }, message: { type: 'Failed', key, attempt, reason } })

/** The open connections (requests sent and not closed) to each backend. */
export function openConnections(state: BalancerState, backends: number): number[] {
  const open = Array.from({ length: backends }, () => 0)
  for (const route of Object.values(state.routes)) if (route.at === 'sent') open[route.backend]++
  return open
}

/** The backends `Dispatch` may choose from now, in order of preference (the first is taken
 * unless the tie-break names another that is as good). Empty: no backend to send to. */
export function choices(config: BalancerConfig, state: BalancerState): BackendId[] {
  const all = Array.from({ length: config.backends }, (_, b) => b)
  const eligible = config.bug === 'dispatch-to-marked-down' ? all : all.filter((b) => state.markedUp[b])
  if (eligible.length === 0) return []
  if (config.policy === 0) return [eligible.find((b) => b >= state.cursor) ?? eligible[0]]
  const fewest = Math.min(...eligible.map((b) => state.conns[b]))
  return eligible.filter((b) => state.conns[b] === fewest)
}

export function stepBalancer(config: BalancerConfig, state: BalancerState, event: BalancerEvent): Step {
  switch (event.type) {
    case 'Request': {
      if (state.routes[event.key]) return refuse(`a request under key ${event.key} is already held`)
      return { state: produce(state, (d) => void (d.routes[event.key] = { at: 'queued', attempt: event.attempt })), effects: [] }
    }
    case 'Dispatch': {
      const route = state.routes[event.key]
      if (route?.at !== 'queued') return refuse(`no request under key ${event.key} is waiting to be dispatched`)
      const options = choices(config, state)
      if (options.length === 0) {
        const next = produce(state, (d) => void delete d.routes[event.key])
        return { state: next, effects: [failBack(event.key, route.attempt, 'no backend is up')] }
      }
      const backend = event.tieBreak !== undefined && options.includes(event.tieBreak) ? event.tieBreak : options[0]
      const job: Job = { key: event.key, attempt: route.attempt }
      const next = produce(state, (d) => {
        d.routes[event.key] = { at: 'sent', attempt: route.attempt, backend }
        d.conns[backend]++
        if (config.policy === 0) d.cursor = config.bug === 'rr-cursor-one-step' ? (state.cursor + 1) % config.backends : (backend + 1) % config.backends
      })
      return { state: next, effects: [{ to: { backend }, message: { type: 'Work', ...job } }] }
    }
    case 'Reply': {
      const route = state.routes[event.key]
      // The answer of a connection already closed: nobody waits for it.
      if (route?.at !== 'sent' || route.backend !== event.backend || route.attempt !== event.attempt) return { state, effects: [] }
      const next = produce(state, (d) => {
        delete d.routes[event.key]
        d.conns[event.backend]--
      })
      const answer: Send<Address, Message> = event.ok
        ? { to: { client: event.key }, message: { type: 'Answer', key: event.key, attempt: event.attempt } }
        : failBack(event.key, event.attempt, 'the request is still running elsewhere')
      return { state: next, effects: [answer] }
    }
    case 'Timeout': {
      const route = state.routes[event.key]
      if (route?.at !== 'sent') return refuse(`no connection is open for key ${event.key}`)
      const next = produce(state, (d) => {
        delete d.routes[event.key]
        // The bug: the count is only ever lowered by a reply.
        if (config.bug !== 'conn-leak-on-timeout') d.conns[route.backend]--
      })
      return { state: next, effects: [failBack(event.key, route.attempt, `backend${route.backend + 1} did not answer in time`)] }
    }
    case 'Health': {
      const { backend, up } = event
      if (backend < 0 || backend >= config.backends) return refuse(`there is no backend ${backend}`)
      if (state.markedUp[backend] === up) return { state, effects: [] }
      const effects: Send<Address, Message>[] = []
      const next = produce(state, (d) => {
        d.markedUp[backend] = up
        if (up) return
        for (const [key, route] of Object.entries(state.routes)) {
          if (route.at !== 'sent' || route.backend !== backend) continue
          delete d.routes[key]
          d.conns[backend]--
          effects.push(failBack(key, route.attempt, `backend${backend + 1} is down`))
        }
      })
      return { state: next, effects }
    }
  }
}
