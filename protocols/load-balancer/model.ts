// A layer-7 load balancer in front of backends whose health it learns by probing, clients that
// retry failed requests under an idempotency key, and a shared idempotency store the backends
// consult (the design Stripe describes in "Designing robust and predictable APIs with
// idempotency", 2017: a key is claimed while its request runs, and its result is kept). No
// public TLA+ spec is followed; the correspondence is to the mechanisms of HAProxy and Envoy:
//
//   real system                                    here
//   a backend process up or down                   alive[b]; Crash(b), Recover(b)
//   the balancer's view from active health checks  markedUp[b]; HealthCheck(b) copies alive[b]
//     (it lags: a crash is seen at the next probe)   into it, whenever the probe completes
//   closing sessions when a backend is marked      HealthCheck marking b down fails back every
//     down (HAProxy on-marked-down shutdown-        request open on b (the client sees an error)
//     sessions; Envoy close_connections_on_host_
//     health_failure)
//   round robin over the backends marked up        cursor: the next backend to try; Dispatch
//                                                  takes the first marked up at or after it
//   least connections                              conns[b], the balancer's count of its open
//                                                  connections; Dispatch takes one of the
//                                                  fewest (ties: any, as a random tie-break)
//   503 when no backend is up                      Reject(client)
//   upstream timeout (the backend is not told)     Timeout(client): the client gets an error,
//                                                  the connection is closed, the backend goes
//                                                  on working on the request
//   idempotency store: claim the key (insert if    store[key]: free | claimed (by a backend) | done;
//     absent) before working, keep the result       Handle(b) claims, or answers a done key's
//     after; a claim dies with its session           stored result, or answers busy to a key
//                                                  claimed by a running attempt; Execute(b)
//                                                  runs the request and stores the result;
//                                                  Crash(b) ends b's session, freeing its claims
//   a client that retries a failed request         Retry(client): same key, a new attempt
//
// Each client sends one request; its idempotency key is the client's id and each try is a new
// attempt (a new connection), numbered by the client's try count. A request lives in the
// balancer's table `route` while the client waits for it: queued, then sent to one backend on an
// open connection. The backends' side: `received` (on the connection, not yet looked at),
// `working` (key claimed, running); their answers travel in `replies`. An answer written to a
// connection the balancer has already closed is lost (the write fails); one already on its way
// when the balancer closes the connection arrives and is dropped (Relay), the rest relayed to the
// client, closing the connection.
//
// Variables for the properties and the bounds: `executed` counts the times each request's effect
// ran (the implementation's store counts completions), `crashes` the crashes so far. Ghosts (no
// implementation keeps them; the driver computes them): `lastExcess` is how many more open
// connections the backend of the last least-connections dispatch had than the fewest, and
// `turns` counts the round-robin dispatches to each backend since the set of backends marked up
// last changed, less the fewest among those marked up (only the differences matter).
//
// Properties:
//   NoneLost                a client waits exactly when the balancer holds its request: every
//                           accepted request is answered or failed back, never forgotten
//   ServedAtMostOnce        no request's effect runs twice, retries included
//   AnswerWasServed         a client told "done" had its request's effect run
//   DispatchOnlyToMarkedUp  the balancer has no open connection to a backend it has marked down
//   LeastConnections        (policy 1) each dispatch went to a backend with the fewest open
//                           connections among those marked up, as the balancer knows them:
//                           the connections in its table `route` (its counter `conns` should
//                           equal them; the backends may still be working on more)
//   RoundRobinSpread        (policy 0) since the marks last changed, the backends marked up have
//                           been dispatched to within one of each other
//
// A TLA+ transcription of this model, variable for variable and action for action (not shipped),
// gives TLC 2.20 the same counts: with 2 backends, 1 client, 1 retry and 2 crashes, 1,724
// distinct states (7,742 generated, depth 17) under round robin and 1,575 (7,499, depth 15) under
// least connections; at the defaults (2 clients) 188,698 (1,239,433, depth 26) and 117,871
// (802,511, depth 24).
//
// Retries and crashes are bounded by `within` (TLC's CONSTRAINT): a state in which some client
// has tried more than 1 + retries times, or backends have crashed more than `crashes` times, is
// checked but not expanded.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bool, enumOf, int, mapOf, NIL, nodeId, nodeIdOrNil, record, setOf } from '../../checker/schema.js'

export const ROUND_ROBIN = 0
export const LEAST_CONNECTIONS = 1

export default defineModel({
  name: 'load-balancer',
  summary: 'Load balancer with lagging health checks, round robin or least connections, and idempotency-keyed client retries',
  params: {
    backends: { description: 'number of backends', default: 2, minimum: 1, maximum: 4 },
    clients: { description: 'number of clients, each sending one request under its own idempotency key', default: 2, minimum: 1, maximum: 3 },
    retries: { description: 'retries per client explored (state constraint)', default: 1, minimum: 0, maximum: 2 },
    crashes: { description: 'backend crashes explored (state constraint)', default: 2, minimum: 0, maximum: 3 },
    policy: { description: 'dispatch policy: 0 = round robin, 1 = least connections', default: 0, minimum: 0, maximum: 1 },
  },
  bugs: {
    'dispatch-to-marked-down': 'the dispatcher picks among all backends, ignoring the health checks\' marks',
    'unclaimed-key': 'a backend checks the idempotency key only for a stored result and does not claim it while it works, so a retry running beside its first attempt is served twice',
    'rr-cursor-one-step': 'round robin skipping a backend marked down moves its cursor one place instead of past the backend it chose, so the next backend takes two turns (shows with backends=3)',
    'conn-leak-on-timeout': 'a connection closed by a timeout is not subtracted from its backend\'s count, so least connections shuns a backend it has fewer connections to (shows with policy=1)',
  },
  build({ backends, clients, retries, crashes, policy }, bug) {
    const Backend = nodeId('backend', backends)
    const Client = nodeId('client', clients)
    const bs = range(backends)
    const cs = range(clients)
    const Attempt = int(0, retries)
    const Job = record({ client: Client, attempt: Attempt })
    const maxDispatches = clients * (retries + 1)

    const state = record({
      alive: mapOf(Backend, bool),
      markedUp: mapOf(Backend, bool),
      cursor: int(0, backends - 1),
      conns: mapOf(Backend, int(0, maxDispatches)),
      // One past the bound on tries: a successor outside `within` must be representable.
      client: mapOf(Client, record({ status: enumOf('idle', 'waiting', 'answered', 'failed'), tries: int(0, retries + 2) })),
      route: mapOf(Client, record({ at: enumOf('none', 'queued', 'sent'), backend: nodeIdOrNil('backend', backends) })),
      received: mapOf(Backend, setOf(Job)),
      working: mapOf(Backend, setOf(Job)),
      replies: setOf(record({ backend: Backend, client: Client, attempt: Attempt, ok: bool })),
      store: mapOf(Client, record({ key: enumOf('free', 'claimed', 'done'), by: nodeIdOrNil('backend', backends) })),
      executed: mapOf(Client, int(0, retries + 1)),
      crashes: int(0, crashes + 1),
      lastExcess: int(0, maxDispatches),
      turns: mapOf(Backend, int(0, maxDispatches)),
    })

    const FREE = { key: 'free', by: NIL } as const
    const NONE = { at: 'none', backend: NIL } as const
    const QUEUED = { at: 'queued', backend: NIL } as const

    return protocol({
      state,
      actions: {
        Request: { client: Client },
        Retry: { client: Client },
        Dispatch: { client: Client, backend: Backend },
        Reject: { client: Client },
        Handle: { backend: Backend, client: Client, attempt: Attempt },
        Execute: { backend: Backend, client: Client, attempt: Attempt },
        Relay: { backend: Backend, client: Client, attempt: Attempt },
        Timeout: { client: Client },
        Crash: { backend: Backend },
        Recover: { backend: Backend },
        HealthCheck: { backend: Backend },
      },

      // Every backend up and marked up, no request made, the store empty.
      init(emit) {
        emit((d) => {
          for (const b of bs) {
            d.alive.set(b, true)
            d.markedUp.set(b, true)
          }
          for (const c of cs) {
            d.route.set(c, NONE)
            d.store.set(c, FREE)
          }
        })
      },

      next(s, emit) {
        /** The balancer's open connections to b: the requests it has sent there and not closed. */
        const open = (b: number) => s.route.count((r) => r.at === 'sent' && r.backend === b)
        const attemptOf = (c: number) => s.client.get(c).tries - 1
        const connected = (b: number, job: { client: number; attempt: number }) => {
          const r = s.route.get(job.client)
          return r.at === 'sent' && r.backend === b && attemptOf(job.client) === job.attempt
        }

        for (const c of cs) {
          const cl = s.client.get(c)
          if (cl.status === 'idle') {
            emit('Request', { client: c }, (d) => {
              d.client.set(c, { status: 'waiting', tries: 1 })
              d.route.set(c, QUEUED)
            })
          }
          if (cl.status === 'failed') {
            emit('Retry', { client: c }, (d) => {
              d.client.set(c, { status: 'waiting', tries: cl.tries + 1 })
              d.route.set(c, QUEUED)
            })
          }
        }

        // The backends a dispatch may choose from.
        const eligible = bs.filter((b) => bug === 'dispatch-to-marked-down' || s.markedUp.get(b))
        for (const c of cs) {
          if (s.route.get(c).at !== 'queued') continue
          if (eligible.length === 0) {
            emit('Reject', { client: c }, (d) => {
              d.route.set(c, NONE)
              d.client.get(c).status = 'failed'
            })
            continue
          }
          // The policy's choices: one backend for round robin; under least connections every
          // backend with the fewest connections by the balancer's count (any tie-break).
          const choices: { backend: number; cursor: number; excess: number }[] = []
          if (policy === ROUND_ROBIN) {
            const chosen = eligible.find((b) => b >= s.cursor) ?? eligible[0]
            const cursor = bug === 'rr-cursor-one-step' ? (s.cursor + 1) % backends : (chosen + 1) % backends
            choices.push({ backend: chosen, cursor, excess: 0 })
          } else {
            const fewest = Math.min(...eligible.map((b) => s.conns.get(b)))
            const fewestOpen = Math.min(...eligible.map(open))
            for (const b of eligible) if (s.conns.get(b) === fewest) choices.push({ backend: b, cursor: 0, excess: open(b) - fewestOpen })
          }
          for (const { backend: b, cursor, excess } of choices) {
            emit('Dispatch', { client: c, backend: b }, (d) => {
              d.route.set(c, { at: 'sent', backend: b })
              d.conns.set(b, s.conns.get(b) + 1)
              // A dead backend never sees the request: the connection hangs.
              if (s.alive.get(b)) d.received.get(b).add({ client: c, attempt: attemptOf(c) })
              d.cursor = cursor
              if (policy === ROUND_ROBIN) {
                // Only the differences matter: keep the fewest turns among the marked-up at 0.
                d.turns.set(b, s.turns.get(b) + 1)
                const least = Math.min(...bs.filter((x) => s.markedUp.get(x)).map((x) => d.turns.get(x)))
                if (least > 0) for (const x of bs) if (s.markedUp.get(x)) d.turns.set(x, d.turns.get(x) - least)
              } else {
                d.lastExcess = excess
              }
            })
          }
        }

        for (const b of bs) {
          for (const job of s.received.get(b)) {
            const key = s.store.get(job.client)
            emit('Handle', { backend: b, ...job }, (d) => {
              d.received.get(b).delete(job)
              if (key.key === 'done') {
                if (connected(b, job)) d.replies.add({ backend: b, ...job, ok: true })
              } else if (key.key === 'claimed' && bug !== 'unclaimed-key') {
                if (connected(b, job)) d.replies.add({ backend: b, ...job, ok: false })
              } else {
                if (bug !== 'unclaimed-key') d.store.set(job.client, { key: 'claimed', by: b })
                d.working.get(b).add(job)
              }
            })
          }
          for (const job of s.working.get(b)) {
            emit('Execute', { backend: b, ...job }, (d) => {
              d.working.get(b).delete(job)
              d.executed.set(job.client, s.executed.get(job.client) + 1)
              d.store.set(job.client, { key: 'done', by: NIL })
              if (connected(b, job)) d.replies.add({ backend: b, ...job, ok: true })
            })
          }
        }

        for (const reply of s.replies) {
          const { backend: b, client: c, attempt, ok } = reply
          const r = s.route.get(c)
          const current = r.at === 'sent' && r.backend === b && attemptOf(c) === attempt
          emit('Relay', { backend: b, client: c, attempt }, (d) => {
            d.replies.delete(reply)
            // An answer on a connection the balancer has closed is dropped.
            if (!current) return
            d.route.set(c, NONE)
            d.conns.set(b, s.conns.get(b) - 1)
            d.client.get(c).status = ok ? 'answered' : 'failed'
          })
        }

        for (const c of cs) {
          const r = s.route.get(c)
          if (r.at !== 'sent') continue
          emit('Timeout', { client: c }, (d) => {
            d.route.set(c, NONE)
            if (bug !== 'conn-leak-on-timeout') d.conns.set(r.backend, s.conns.get(r.backend) - 1)
            d.client.get(c).status = 'failed'
          })
        }

        for (const b of bs) {
          if (s.alive.get(b)) {
            // The process dies with its work; its session with the store ends, freeing its claims.
            emit('Crash', { backend: b }, (d) => {
              d.alive.set(b, false)
              d.crashes = s.crashes + 1
              d.received.get(b).clear()
              d.working.get(b).clear()
              for (const c of cs) {
                const key = s.store.get(c)
                if (key.key === 'claimed' && key.by === b) d.store.set(c, FREE)
              }
            })
          } else {
            emit('Recover', { backend: b }, (d) => d.alive.set(b, true))
          }
          if (s.markedUp.get(b) !== s.alive.get(b)) {
            const up = s.alive.get(b)
            emit('HealthCheck', { backend: b }, (d) => {
              d.markedUp.set(b, up)
              // The set of backends marked up changed: round robin's spread starts again.
              for (const other of bs) d.turns.set(other, 0)
              if (up) return
              for (const c of cs) {
                const r = s.route.get(c)
                if (r.at !== 'sent' || r.backend !== b) continue
                d.route.set(c, NONE)
                d.conns.set(b, d.conns.get(b) - 1)
                d.client.get(c).status = 'failed'
              }
            })
          }
        }
      },

      always: {
        TypeOK: wellTyped,
        NoneLost: (s) => s.client.every((cl, c) => (cl.status === 'waiting') === (s.route.get(c).at !== 'none')),
        ServedAtMostOnce: (s) => s.executed.every((n) => n <= 1),
        AnswerWasServed: (s) => s.client.every((cl, c) => cl.status !== 'answered' || s.executed.get(c) >= 1),
        DispatchOnlyToMarkedUp: (s) => s.route.every((r) => r.at !== 'sent' || s.markedUp.get(r.backend)),
        LeastConnections: (s) => policy !== LEAST_CONNECTIONS || s.lastExcess === 0,
        RoundRobinSpread: (s) => {
          if (policy !== ROUND_ROBIN) return true
          const counts = bs.filter((b) => s.markedUp.get(b)).map((b) => s.turns.get(b))
          return counts.length === 0 || Math.max(...counts) - Math.min(...counts) <= 1
        },
      },
      sometimes: {
        // Health checks lag reality: the balancer sent a request to a backend that is down.
        SentToDeadBackend: (s) => s.route.some((r) => r.at === 'sent' && !s.alive.get(r.backend)),
        // A retry was answered: the client failed once and then got its answer.
        AnsweredAfterRetry: (s) => s.client.some((cl) => cl.status === 'answered' && cl.tries >= 2),
        // A retry met its first attempt still running and was turned away: the claim at work.
        DuplicateTurnedAway: (s) => s.replies.some((r) => !r.ok),
      },
      within: (s) => s.crashes <= crashes && s.client.every((cl) => cl.tries <= retries + 1),
      // Clients are interchangeable under both policies. Backends are under least connections
      // (ties are broken any way); round robin's cursor walks them in order, so not there.
      symmetric: policy === LEAST_CONNECTIONS ? ['client', 'backend'] : ['client'],
    })
  },
})
