// Replay/conformance driver for the load balancer: an in-process balancer, `backends` backends,
// the idempotency store and `clients` clients (client i's key is `client<i+1>`), over a network
// that knows which connections the balancer holds open. Each model action is one event at one
// node; where the model takes a request/reply exchange as one step, the driver runs the
// exchange for that step:
//
//   Request(c), Retry(c)       the client sends (a new attempt); the balancer accepts it
//   Dispatch(c, b)             the balancer dispatches c (b as the tie-break); it must choose b;
//                              the request reaches b if b is up (a dead one never sees it)
//   Reject(c)                  the balancer dispatches c and has no backend: c is failed back
//   Handle(b, c, a)            b looks at attempt a of c: asks the store (claim, or lookup with
//                              the unclaimed-key bug), the store answers, b acts on the answer
//   Execute(b, c, a)           b finishes attempt a: the store records the completion, b answers
//   Relay(b, c, a)             b's answer reaches the balancer, which relays it to c (or drops it)
//   Timeout(c)                 c's open connection times out at the balancer
//   Crash(b), Recover(b)       the backend dies (the store ends its session) or restarts
//   HealthCheck(b)             the balancer probes b (answered iff b is up) and takes the verdict
//
// A backend's answer written to a connection the balancer has closed is lost, as in the model.
// The model's ghosts are kept here by watching the steps: `crashes` counts the crashes injected,
// `lastExcess` and `turns` are computed from the balancer's open connections and marks at each
// dispatch; `executed` is the store's count of completions.

import { NIL } from '../../checker/schema.js'
import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused, type Taken, type Transition } from '../../conformance/transition.js'
import { initialBackend, stepBackend, type BackendState } from './impl/backend.js'
import { initialBalancer, openConnections, stepBalancer, type BalancerState } from './impl/balancer.js'
import { initialClient, stepClient, type ClientEvent, type ClientState } from './impl/client.js'
import type { Address, BackendId, ClientAnswer, Job, LoadBalancerBug, Message, Policy, StoreAnswer, StoreRequest } from './impl/messages.js'
import { initialStore, stepStore, type StoreState } from './impl/store.js'

/** The node reducers; replaceable so that tests can build a mutant. */
export interface LoadBalancerCores {
  readonly stepBalancer: typeof stepBalancer
  readonly stepBackend: typeof stepBackend
  readonly stepStore: typeof stepStore
  readonly stepClient: typeof stepClient
}

interface InFlightReply extends Job {
  readonly backend: BackendId
  readonly ok: boolean
}

export const keyOf = (client: number) => `client${client + 1}`

class LoadBalancerCluster implements Driver {
  private balancer!: BalancerState
  private backends!: BackendState[]
  private store!: StoreState
  private clients!: ClientState[]
  private replies!: InFlightReply[]
  // Ghosts, as the model names them.
  private crashes!: number
  private lastExcess!: number
  private turns!: number[]

  constructor(
    private readonly params: Readonly<Record<string, number>>,
    private readonly bug: LoadBalancerBug,
    private readonly cores: LoadBalancerCores,
  ) {
    this.init()
  }

  private init() {
    this.balancer = initialBalancer(this.params.backends)
    this.backends = Array.from({ length: this.params.backends }, (_, b) => initialBackend(b))
    this.store = initialStore
    this.clients = Array.from({ length: this.params.clients }, (_, c) => initialClient(keyOf(c)))
    this.replies = []
    this.crashes = 0
    this.lastExcess = 0
    this.turns = this.backends.map(() => 0)
  }

  async reset() {
    this.init()
  }

  private get config() {
    return { backends: this.params.backends, policy: this.params.policy as Policy, bug: this.bug }
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    switch (action) {
      case 'Request':
      case 'Retry': {
        const c = this.index('client', picks.client, this.clients.length)
        const sent = this.taken(this.cores.stepClient(this.clients[c], { type: action }))
        const request = sent.effects[0].message as { key: string; attempt: number }
        const accepted = this.taken(this.cores.stepBalancer(this.config, this.balancer, { type: 'Request', key: request.key, attempt: request.attempt }))
        this.clients[c] = sent.state
        this.balancer = accepted.state
        return
      }
      case 'Dispatch':
      case 'Reject': {
        const c = this.index('client', picks.client, this.clients.length)
        const wanted = action === 'Dispatch' ? this.index('backend', picks.backend, this.backends.length) : undefined
        const before = this.balancer
        const t = this.taken(this.cores.stepBalancer(this.config, before, { type: 'Dispatch', key: keyOf(c), tieBreak: wanted }))
        const [effect] = t.effects
        const to = effect?.to as { backend?: BackendId } | undefined
        if (action === 'Reject') {
          if (effect?.message.type !== 'Failed') throw new NotEnabledError(`the balancer dispatched ${keyOf(c)} instead of failing it back`)
          this.balancer = t.state
          this.toClient(c, effect.message)
          return
        }
        if (effect?.message.type !== 'Work' || to?.backend !== wanted) {
          throw new NotEnabledError(`the balancer sent ${keyOf(c)} ${to?.backend === undefined ? 'nowhere' : `to backend${to.backend + 1}`}, not to backend${wanted! + 1}`)
        }
        const b = wanted!
        this.recordDispatch(before, b)
        this.balancer = t.state
        const job = { key: effect.message.key, attempt: effect.message.attempt }
        // A dead backend never sees the request: the connection hangs until it times out.
        if (this.backends[b].alive) this.backends[b] = this.taken(this.cores.stepBackend({ bug: this.bug }, this.backends[b], { type: 'Receive', job })).state
        return
      }
      case 'Handle': {
        const b = this.index('backend', picks.backend, this.backends.length)
        const job = this.job(picks)
        const asked = this.taken(this.cores.stepBackend({ bug: this.bug }, this.backends[b], { type: 'Handle', job }))
        const question = asked.effects[0].message as StoreRequest
        const stored = this.taken(this.cores.stepStore(this.store, { type: 'Receive', message: question }))
        const answer = stored.effects[0].message as StoreAnswer
        const acted = this.taken(this.cores.stepBackend({ bug: this.bug }, asked.state, { type: 'StoreAnswer', job, answer }))
        this.store = stored.state
        this.backends[b] = acted.state
        this.sendReplies(acted.effects)
        return
      }
      case 'Execute': {
        const b = this.index('backend', picks.backend, this.backends.length)
        const t = this.taken(this.cores.stepBackend({ bug: this.bug }, this.backends[b], { type: 'Execute', job: this.job(picks) }))
        let store = this.store
        for (const { to, message } of t.effects) {
          if (to === 'store') store = this.taken(this.cores.stepStore(store, { type: 'Receive', message: message as StoreRequest })).state
        }
        this.store = store
        this.backends[b] = t.state
        this.sendReplies(t.effects)
        return
      }
      case 'Relay': {
        const b = this.index('backend', picks.backend, this.backends.length)
        const job = this.job(picks)
        const at = this.replies.findIndex((r) => r.backend === b && r.key === job.key && r.attempt === job.attempt)
        if (at < 0) throw new NotEnabledError(`no answer from backend${b + 1} for attempt ${job.attempt} of ${job.key} is on its way`)
        const reply = this.replies[at]
        const t = this.taken(this.cores.stepBalancer(this.config, this.balancer, { type: 'Reply', ...reply }))
        this.replies.splice(at, 1)
        this.balancer = t.state
        this.toClients(t.effects)
        return
      }
      case 'Timeout': {
        const c = this.index('client', picks.client, this.clients.length)
        const t = this.taken(this.cores.stepBalancer(this.config, this.balancer, { type: 'Timeout', key: keyOf(c) }))
        this.balancer = t.state
        this.toClients(t.effects)
        return
      }
      case 'Crash': {
        const b = this.index('backend', picks.backend, this.backends.length)
        this.backends[b] = this.taken(this.cores.stepBackend({ bug: this.bug }, this.backends[b], { type: 'Crash' })).state
        this.store = this.taken(this.cores.stepStore(this.store, { type: 'SessionEnded', backend: b })).state
        this.crashes++
        return
      }
      case 'Recover': {
        const b = this.index('backend', picks.backend, this.backends.length)
        this.backends[b] = this.taken(this.cores.stepBackend({ bug: this.bug }, this.backends[b], { type: 'Recover' })).state
        return
      }
      case 'HealthCheck': {
        const b = this.index('backend', picks.backend, this.backends.length)
        // The probe is answered iff the backend is up; a probe changes nothing at the backend.
        const up = !isRefused(this.cores.stepBackend({ bug: this.bug }, this.backends[b], { type: 'Probe' }))
        const wasUp = this.balancer.markedUp[b]
        const t = this.taken(this.cores.stepBalancer(this.config, this.balancer, { type: 'Health', backend: b, up }))
        this.balancer = t.state
        // The set of backends marked up changed: round robin's spread starts again.
        if (this.balancer.markedUp[b] !== wasUp) this.turns = this.turns.map(() => 0)
        this.toClients(t.effects)
        return
      }
      default:
        throw new NotEnabledError(`load-balancer has no action ${action}`)
    }
  }

  async observe() {
    const clientOf = (key: string) => this.clients.findIndex((c) => c.key === key)
    const jobs = (list: readonly Job[]) => list.map((j) => ({ client: clientOf(j.key), attempt: j.attempt }))
    return {
      alive: this.backends.map((b) => b.alive),
      markedUp: [...this.balancer.markedUp],
      cursor: this.balancer.cursor,
      conns: [...this.balancer.conns],
      client: this.clients.map((c) => ({ status: c.status, tries: c.tries })),
      route: this.clients.map((c) => {
        const r = this.balancer.routes[c.key]
        if (!r) return { at: 'none', backend: NIL }
        return r.at === 'sent' ? { at: 'sent', backend: r.backend } : { at: 'queued', backend: NIL }
      }),
      received: this.backends.map((b) => jobs(b.received)),
      working: this.backends.map((b) => jobs(b.working)),
      replies: this.replies.map((r) => ({ backend: r.backend, client: clientOf(r.key), attempt: r.attempt, ok: r.ok })),
      store: this.clients.map((c) => {
        const entry = this.store.keys[c.key]
        if (!entry) return { key: 'free', by: NIL }
        return entry.state === 'claimed' ? { key: 'claimed', by: entry.by } : { key: 'done', by: NIL }
      }),
      executed: this.clients.map((c) => this.store.completions[c.key] ?? 0),
      crashes: this.crashes,
      lastExcess: this.lastExcess,
      turns: [...this.turns],
    }
  }

  /** The ghosts of a dispatch to b, from the balancer's marks and open connections before it. */
  private recordDispatch(before: BalancerState, b: BackendId) {
    const all = this.backends.map((_, x) => x)
    if (this.params.policy === 1) {
      const open = openConnections(before, this.backends.length)
      const eligible = all.filter((x) => this.bug === 'dispatch-to-marked-down' || before.markedUp[x])
      this.lastExcess = open[b] - Math.min(...eligible.map((x) => open[x]))
      return
    }
    const turns = [...this.turns]
    turns[b]++
    const marked = all.filter((x) => before.markedUp[x])
    const least = Math.min(...marked.map((x) => turns[x]))
    if (least > 0) for (const x of marked) turns[x] -= least
    this.turns = turns
  }

  /** A backend's answers go on their connections; one the balancer has closed loses them. */
  private sendReplies(effects: Taken<unknown, Address, Message>['effects']) {
    for (const { message } of effects) {
      if (message.type !== 'Reply') continue
      const route = this.balancer.routes[message.key]
      if (route?.at === 'sent' && route.backend === message.backend && route.attempt === message.attempt) {
        this.replies.push({ backend: message.backend, key: message.key, attempt: message.attempt, ok: message.ok })
      }
    }
  }

  private toClients(effects: Taken<unknown, Address, Message>['effects']) {
    for (const { to, message } of effects) {
      const c = this.clients.findIndex((cl) => typeof to === 'object' && 'client' in to && cl.key === to.client)
      if (c >= 0) this.toClient(c, message as ClientAnswer)
    }
  }

  private toClient(c: number, message: ClientAnswer) {
    this.clients[c] = this.taken(this.cores.stepClient(this.clients[c], { type: 'Receive', message } satisfies ClientEvent)).state
  }

  private job(picks: Readonly<Record<string, unknown>>): Job {
    const c = this.index('client', picks.client, this.clients.length)
    const attempt = picks.attempt
    if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 0) throw new NotEnabledError(`pick attempt=${JSON.stringify(attempt)} is not an attempt number`)
    return { key: keyOf(c), attempt }
  }

  /** A refusal is a step the implementation cannot take: a divergence, not a crash. */
  private taken<S>(t: Transition<S, Address, Message>): Taken<S, Address, Message> {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    return t
  }

  private index(name: string, value: unknown, count: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= count) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(value)} is outside 0..${count - 1}`)
    }
    return value
  }
}

export function loadBalancerDriverOf(cores: LoadBalancerCores): DriverFactory {
  return {
    model: 'load-balancer',
    start: async (params, bug) => new LoadBalancerCluster(params, bug as LoadBalancerBug, cores),
  }
}

export const loadBalancerDriver = loadBalancerDriverOf({ stepBalancer, stepBackend, stepStore, stepClient })

export default loadBalancerDriver
