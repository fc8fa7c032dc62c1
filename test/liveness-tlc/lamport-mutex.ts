// Lamport's distributed mutual exclusion, ported from tlaplus/Examples
// specifications/lamport_mutex/LamportMutex.tla (Merz), to compare liveness verdicts and
// state counts with TLC. Variables clock, req, ack, network, crit as in the spec
// (processes 0-based), with its state constraint ClockConstraint (clock[p] <= maxClock)
// as `within`. The spec states no liveness; the property and fairness here are the usual
// ones, given to TLC in the same words:
//   Fairness == \A p: WF_vars(Enter(p)) /\ WF_vars(Exit(p)) /\ \A q # p:
//     WF_vars(ReceiveRequest(p,q)) /\ WF_vars(ReceiveAck(p,q)) /\ WF_vars(ReceiveRelease(p,q))
//   Liveness == \A p: (req[p][p] # 0) ~> (p \in crit)     (one leadsTo per process)

import { defineModel, protocol, range } from '../../checker/model.js'
import { int, mapOf, nodeId, record, seqOf, setOf, union } from '../../checker/schema.js'

export const lamportMutex = (n: number, maxClock: number, fair: boolean) =>
  defineModel({
    name: 'lamport-mutex-tla',
    summary: "Lamport's mutual exclusion (tlaplus/Examples)",
    params: {},
    bugs: {},
    build() {
      const Proc = nodeId('proc', n)
      const procs = range(n)
      // A successor outside the constraint still has to be representable: clocks to maxClock + 2.
      const Clock = int(0, maxClock + 2)
      const Message = union('type', { req: { clock: Clock }, ack: {}, rel: {} })
      type Msg = { type: 'req'; clock: number } | { type: 'ack' } | { type: 'rel' }
      type S = { req: { get(p: number): { get(q: number): number } } }
      const beats = (s: S, p: number, q: number) => {
        const mine = s.req.get(p).get(p)
        const theirs = s.req.get(p).get(q)
        return theirs === 0 || mine < theirs || (mine === theirs && p < q)
      }
      return protocol({
        state: record({
          clock: mapOf(Proc, Clock),
          req: mapOf(Proc, mapOf(Proc, Clock)),
          ack: mapOf(Proc, setOf(Proc)),
          network: mapOf(Proc, mapOf(Proc, seqOf(Message, 4))),
          crit: setOf(Proc),
        }),
        actions: {
          Request: { p: Proc },
          Enter: { p: Proc },
          Exit: { p: Proc },
          ReceiveRequest: { p: Proc, q: Proc },
          ReceiveAck: { p: Proc, q: Proc },
          ReceiveRelease: { p: Proc, q: Proc },
        },
        init(emit) {
          emit((d) => {
            for (const p of procs) d.clock.set(p, 1)
          })
        },
        next(s, emit) {
          const broadcast = (d: any, from: number, m: Msg) => {
            for (const r of procs) if (r !== from) d.network.get(from).get(r).push(m)
          }
          for (const p of procs) {
            if (s.req.get(p).get(p) === 0) {
              emit('Request', { p }, (d) => {
                d.req.get(p).set(p, s.clock.get(p))
                broadcast(d, p, { type: 'req', clock: s.clock.get(p) })
                d.ack.get(p).clear()
                d.ack.get(p).add(p)
              })
            }
            if (s.ack.get(p).size === n && procs.every((q) => q === p || beats(s, p, q))) {
              emit('Enter', { p }, (d) => d.crit.add(p))
            }
            if (s.crit.has(p)) {
              emit('Exit', { p }, (d) => {
                d.crit.delete(p)
                broadcast(d, p, { type: 'rel' })
                d.req.get(p).set(p, 0)
                d.ack.get(p).clear()
              })
            }
          }
          for (const p of procs) {
            for (const q of procs) {
              if (q === p) continue
              const channel = s.network.get(q).get(p)
              if (channel.length === 0) continue
              const m = channel.at(0) as Msg
              const tail = (d: any) => d.network.get(q).get(p).assign(channel.toArray().slice(1))
              if (m.type === 'req') {
                emit('ReceiveRequest', { p, q }, (d) => {
                  d.req.get(p).set(q, m.clock)
                  d.clock.set(p, m.clock > s.clock.get(p) ? m.clock + 1 : s.clock.get(p) + 1)
                  tail(d)
                  d.network.get(p).get(q).push({ type: 'ack' })
                })
              } else if (m.type === 'ack') {
                emit('ReceiveAck', { p, q }, (d) => {
                  d.ack.get(p).add(q)
                  tail(d)
                })
              } else {
                emit('ReceiveRelease', { p, q }, (d) => {
                  d.req.get(p).set(q, 0)
                  tail(d)
                })
              }
            }
          }
        },
        always: { Mutex: (s) => s.crit.size <= 1 },
        leadsTo: Object.fromEntries(procs.map((p) => [`Liveness${p + 1}`, { from: (s: S) => s.req.get(p).get(p) !== 0, to: (s: { crit: { has(p: number): boolean } }) => s.crit.has(p) }])),
        fairness: fair ? { Enter: 'weak', Exit: 'weak', ReceiveRequest: 'weak', ReceiveAck: 'weak', ReceiveRelease: 'weak' } : {},
        within: (s) => procs.every((p) => s.clock.get(p) <= maxClock),
      })
    },
  })
