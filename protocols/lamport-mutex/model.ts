// Lamport's distributed mutual exclusion (Time, Clocks and the Ordering of Events in a
// Distributed System, CACM 1978), following tlaplus/Examples specifications/lamport_mutex
// (LamportMutex.tla, by Stephan Merz, checked as MCLamportMutex with ClockConstraint)
// variable for variable and action for action:
//
//   LamportMutex.tla                          here
//   Proc == 1..N                              nodeId('p', n): p1..pN (ids 0..n-1, same order)
//   clock \in [Proc -> Clock]                 clock: map p -> 1..maxClock+1
//   req \in [Proc -> [Proc -> Nat]]           req: map p -> map q -> 0..maxClock+1 (0: none)
//   ack \in [Proc -> SUBSET Proc]             ack: map p -> set of p
//   network[p][q] \in Seq(Message)            network: map p -> map q -> sequence of at most 4
//     (FIFO channel from p to q)                messages { type: req|ack|rel, clock }
//   crit \in SUBSET Proc                      crit: set of p
//   Request(p), Enter(p), Exit(p)             actions of the same names, pick p
//   ReceiveRequest(p,q), ReceiveAck(p,q),     actions of the same names, picks p (receiver)
//     ReceiveRelease(p,q)                       and q (sender), q # p
//   ClockConstraint                           within: every clock <= maxClock (and every
//                                               channel within BoundedNetwork's bound, below)
//   TypeOK, BoundedNetwork, Mutex             always properties of the same names
//
// MCLamportMutex overrides Nat by 0..MaxNat; here MaxNat is maxClock+1, the largest clock a
// successor can carry (a receiver sets its clock to at most maxClock+1), so TypeOK is the
// schema's wellTyped. A channel holds at most 3 messages (BoundedNetwork: one of each kind);
// one slot more lets a bug that overfills a channel be reported as a BoundedNetwork violation
// (such a state is outside `within`: checked, never expanded) instead of a model error.
// As in the spec, only receiving a request moves a clock (Request and Exit leave it), and
// Enter has no guard against a process already inside (a self-loop, counted as TLC counts it).
// With n=3 and maxClock=4 the model reaches TLC's 70,472 distinct and 276,114 generated states,
// depth 41 (test/lamport-mutex.test.ts pins these and smaller configurations).
//
// No symmetry: beats(p, q) breaks a tie between equal timestamps by process id (p < q), so
// renaming processes changes which one wins; the processes are not interchangeable.
//
// Liveness (Lamport 1978: "every request is eventually granted", provided every process that
// enters eventually leaves): PiRequestGranted is req[p][p] > 0 ~> p \in crit, one per process,
// as LamportMutex.tla's liveness. Fairness, per pick instance: weak on Enter, Exit and the three
// receives (every message is eventually received, every process leaves), none on Request (a
// process need not ask). Every request moves clocks, so under ClockConstraint the graph is
// never closed and liveness could only be `incomplete`; the `rounds` param makes each process
// ask at most that many times, a finite workload (a client's, not a search bound) whose graph is
// closed when maxClock is large enough not to cut it (n=3, rounds=1: maxClock 6, 20,000
// states). The liveness properties are declared only with a finite workload. Its end, every
// process done and none waiting, is a proper end (terminal), not a deadlock. With a finite
// workload a request that is never granted ends in a state with no step left: a starvation is
// also a deadlock, so the liveness bug's spec turns deadlock reporting off to name the property.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { enumOf, int, mapOf, nodeId, record, seqOf, setOf, type View } from '../../checker/schema.js'

/** A channel never holds more than this many messages in the correct protocol. */
export const CHANNEL_BOUND = 3

export default defineModel({
  name: 'lamport-mutex',
  summary: "Lamport's mutual exclusion (LamportMutex.tla): timestamped requests, acks and releases over FIFO channels",
  params: {
    n: { description: 'number of processes', default: 3, minimum: 2, maximum: 5 },
    maxClock: { description: 'state constraint: every clock stays at most maxClock (ClockConstraint)', default: 4, minimum: 2, maximum: 12 },
    rounds: { description: 'requests each process makes (0: no limit, as LamportMutex.tla); a limit makes the graph finite, as liveness needs', default: 0, minimum: 0, maximum: 3 },
  },
  bugs: {
    'majority-acks': 'a process enters once a majority (itself included) has acknowledged its request, not every process (Enter checks a quorum of ack)',
    'no-clock-update': 'a process does not advance its clock when it receives a request (ReceiveRequest leaves clock unchanged)',
    'no-tie-break': 'requests are ordered by timestamp alone: a tie counts as a win for both processes (beats uses <= without the id)',
    'no-ack-in-critical-section': 'a process in the critical section records a request but does not acknowledge it (breaks only liveness: the requester waits for ever)',
  },
  build({ n, maxClock, rounds }, bug) {
    const Proc = nodeId('p', n)
    const Clock = int(0, maxClock + 1)
    const Message = record({ type: enumOf('req', 'ack', 'rel'), clock: Clock })
    const variables = {
      clock: mapOf(Proc, int(1, maxClock + 1)),
      req: mapOf(Proc, mapOf(Proc, Clock)),
      ack: mapOf(Proc, setOf(Proc)),
      network: mapOf(Proc, mapOf(Proc, seqOf(Message, CHANNEL_BOUND + 1))),
      crit: setOf(Proc),
    }
    // With a finite workload (rounds > 0) a sixth variable counts the requests each process
    // has made. Without one the state is the spec's five variables (TLC's counts), and
    // `requests` is never read.
    const withRequests = record({ ...variables, requests: mapOf(Proc, int(0, rounds)) })
    const state = rounds > 0 ? withRequests : (record(variables) as unknown as typeof withRequests)
    const procs = range(n)
    const majority = Math.floor(n / 2) + 1
    const ACK = { type: 'ack', clock: 0 } as const
    const REL = { type: 'rel', clock: 0 } as const

    return protocol({
      state,
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

      // Next: \E p: Request(p) \/ Enter(p) \/ Exit(p), then \E p, q # p: the three receives.
      next(s, emit) {
        for (const p of procs) {
          const req = s.req.get(p)
          // beats(p, q): p's request comes before q's, as p knows them.
          const beats = (q: number) => {
            const mine = req.get(p)
            const theirs = req.get(q)
            if (theirs === 0 || mine < theirs) return true
            if (bug === 'no-tie-break') return mine === theirs
            return mine === theirs && p < q
          }
          if (req.get(p) === 0 && (rounds === 0 || s.requests.get(p) < rounds)) {
            const c = s.clock.get(p)
            emit('Request', { p }, (d) => {
              if (rounds > 0) d.requests.set(p, s.requests.get(p) + 1)
              d.req.get(p).set(p, c)
              for (const q of procs) if (q !== p) d.network.get(p).get(q).push({ type: 'req', clock: c })
              d.ack.get(p).clear()
              d.ack.get(p).add(p)
            })
          }
          // ack[p] holds p itself only while p's request is pending (Request adds it, Exit
          // clears ack[p]); acknowledgements of an earlier request can still arrive after Exit.
          const acked = bug === 'majority-acks' ? s.ack.get(p).has(p) && s.ack.get(p).size >= majority : s.ack.get(p).size === n
          if (acked && procs.every((q) => q === p || beats(q))) {
            emit('Enter', { p }, (d) => d.crit.add(p))
          }
          if (s.crit.has(p)) {
            emit('Exit', { p }, (d) => {
              d.crit.delete(p)
              for (const q of procs) if (q !== p) d.network.get(p).get(q).push(REL)
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
            const m = channel.at(0)
            const rest = channel.toArray().slice(1)
            switch (m.type) {
              case 'req':
                emit('ReceiveRequest', { p, q }, (d) => {
                  d.req.get(p).set(q, m.clock)
                  if (bug !== 'no-clock-update') {
                    const c = s.clock.get(p)
                    d.clock.set(p, m.clock > c ? m.clock + 1 : c + 1)
                  }
                  d.network.get(q).get(p).assign(rest)
                  // The bug: inside the critical section the request is recorded, and its ack,
                  // meant for later, is never sent (the release does not stand for it).
                  if (bug !== 'no-ack-in-critical-section' || !s.crit.has(p)) d.network.get(p).get(q).push(ACK)
                })
                break
              case 'ack':
                emit('ReceiveAck', { p, q }, (d) => {
                  d.ack.get(p).add(q)
                  d.network.get(q).get(p).assign(rest)
                })
                break
              case 'rel':
                emit('ReceiveRelease', { p, q }, (d) => {
                  d.req.get(p).set(q, 0)
                  d.network.get(q).get(p).assign(rest)
                })
                break
            }
          }
        }
      },

      // ClockConstraint, and channels within BoundedNetwork's bound. The second part excludes
      // no state of the correct protocol (BoundedNetwork holds there), so the counts are TLC's;
      // it keeps a buggy model finite: with majority-acks a process can enter, leave and ask
      // again before its peers read a message, and its channels would grow without end.
      within: (s) => s.clock.every((c) => c <= maxClock) && s.network.every((row) => row.every((channel) => channel.length <= CHANNEL_BOUND)),

      always: {
        TypeOK: wellTyped,
        BoundedNetwork: (s) => s.network.every((row) => row.every((channel) => channel.length <= CHANNEL_BOUND)),
        Mutex: (s) => s.crit.size <= 1,
      },
      sometimes: {
        // Every process gets the critical section (the checks are not safe because nobody enters).
        ...Object.fromEntries(procs.map((p) => [`P${p + 1}Enters`, (s: View<typeof state>) => s.crit.has(p)])),
        // Every process waits for the critical section at once.
        AllRequesting: (s) => s.req.every((row, p) => row.get(p) !== 0),
        // Two pending requests carry the same timestamp: the id tie-break decides between them.
        TiedRequests: (s) => procs.some((p) => procs.some((q) => p < q && s.req.get(p).get(p) !== 0 && s.req.get(p).get(p) === s.req.get(q).get(q))),
        // A process requests with a clock moved forward by a request it received.
        LaterTimestamp: (s) => s.req.some((row, p) => row.get(p) > 1),
      },

      // Liveness: see the header for the fairness and for `rounds`. Without a finite workload
      // the verdict could only be incomplete, so the properties exist only with one.
      leadsTo: rounds === 0 ? {} : Object.fromEntries(procs.map((p) => [`P${p + 1}RequestGranted`, {
        from: (s: View<typeof state>) => s.req.get(p).get(p) !== 0,
        to: (s: View<typeof state>) => s.crit.has(p),
      }])),
      fairness: { Enter: 'weak', Exit: 'weak', ReceiveRequest: 'weak', ReceiveAck: 'weak', ReceiveRelease: 'weak' },
      // The end of a finite workload: every process has made its requests and none waits.
      terminal: (s) => rounds > 0 && procs.every((p) => s.requests.get(p) === rounds && s.req.get(p).get(p) === 0),
    })
  },
})
