// A backend as a sans-IO core. Requests arrive on their connections (`received`); handling one
// asks the idempotency store about its key (claim it, or with the unclaimed-key bug only look
// it up), and the store's answer decides: a done key is answered with its stored result, a key
// claimed by a running attempt is answered busy, otherwise the request runs (`working`) and its
// completion is stored before it is answered. A crash loses everything received or running
// (the store frees the crashed session's claims); a recovered backend starts empty. Rules
// mirror protocols/load-balancer/model.ts: Handle, Execute, Crash, Recover, and the probe of
// HealthCheck.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, BackendId, Job, LoadBalancerBug, Message, StoreAnswer } from './messages.js'

export interface BackendState {
  readonly id: BackendId
  readonly alive: boolean
  readonly received: readonly Job[]
  /** Asked the store about, waiting for its answer. */
  readonly asking: readonly Job[]
  readonly working: readonly Job[]
}

export type BackendEvent =
  | { readonly type: 'Receive'; readonly job: Job }
  /** Look at a received request: ask the store about its key. */
  | { readonly type: 'Handle'; readonly job: Job }
  | { readonly type: 'StoreAnswer'; readonly job: Job; readonly answer: StoreAnswer }
  /** A running request finishes: its effect is done. */
  | { readonly type: 'Execute'; readonly job: Job }
  | { readonly type: 'Probe' }
  | { readonly type: 'Crash' }
  | { readonly type: 'Recover' }

export interface BackendConfig {
  readonly bug?: LoadBalancerBug
}

export const initialBackend = (id: BackendId): BackendState => ({ id, alive: true, received: [], asking: [], working: [] })

type Step = Transition<BackendState, Address, Message>

const same = (a: Job) => (b: Job) => a.key === b.key && a.attempt === b.attempt
const without = (jobs: readonly Job[], job: Job) => jobs.filter((j) => !same(job)(j))

export function stepBackend(config: BackendConfig, state: BackendState, event: BackendEvent): Step {
  const me = `backend${state.id + 1}`
  if (!state.alive && event.type !== 'Recover') return refuse(`${me} is down`)
  const reply = (job: Job, ok: boolean) => ({ to: 'balancer' as const, message: { type: 'Reply' as const, backend: state.id, ok, ...job } })
  switch (event.type) {
    case 'Receive':
      if (state.received.some(same(event.job))) return refuse(`${me} already has attempt ${event.job.attempt} of ${event.job.key}`)
      return { state: produce(state, (d) => void d.received.push(event.job)), effects: [] }
    case 'Handle': {
      const { job } = event
      if (!state.received.some(same(job))) return refuse(`${me} has received no attempt ${job.attempt} of ${job.key}`)
      const ask = config.bug === 'unclaimed-key' ? 'Lookup' : 'Claim'
      const next = produce(state, (d) => {
        d.received = without(state.received, job)
        d.asking.push(job)
      })
      return { state: next, effects: [{ to: 'store', message: { type: ask, key: job.key, backend: state.id } }] }
    }
    case 'StoreAnswer': {
      const { job, answer } = event
      if (!state.asking.some(same(job))) return refuse(`${me} did not ask about attempt ${job.attempt} of ${job.key}`)
      const asked = without(state.asking, job)
      if (answer.state === 'go') {
        return { state: produce(state, (d) => {
          d.asking = asked
          d.working.push(job)
        }), effects: [] }
      }
      return { state: produce(state, (d) => void (d.asking = asked)), effects: [reply(job, answer.state === 'done')] }
    }
    case 'Execute': {
      const { job } = event
      if (!state.working.some(same(job))) return refuse(`${me} is not running attempt ${job.attempt} of ${job.key}`)
      return {
        state: produce(state, (d) => void (d.working = without(state.working, job))),
        effects: [{ to: 'store', message: { type: 'Complete', key: job.key, backend: state.id } }, reply(job, true)],
      }
    }
    case 'Probe':
      return { state, effects: [{ to: 'balancer', message: { type: 'Healthy', backend: state.id } }] }
    case 'Crash':
      return { state: { ...initialBackend(state.id), alive: false }, effects: [] }
    case 'Recover':
      if (state.alive) return refuse(`${me} is up`)
      return { state: initialBackend(state.id), effects: [] }
  }
}
