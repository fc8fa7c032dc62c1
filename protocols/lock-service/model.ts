// A Chubby-style lock service (Burrows, "The Chubby lock service", OSDI 2006, sections 2.4
// and 2.8) with a storage service that the lock protects, fenced by the lock's sequencer in
// the manner of Kleppmann's "How to do distributed locking" (2016). No public TLA+ spec is
// followed; the correspondence is to the paper's mechanisms:
//
//   paper                                   here
//   lock server's lease, by its own clock   lock: { held, holder, expires } against `now`
//   lock generation number in a sequencer   lock.gen, handed out as the client's token
//   client's conservative lease timeout     client.expires, in the client's local time:
//     ("allowing for clock drift")            grant time + lease - 2*drift (drift: |skew| bound)
//   clocks of bounded drift                 skew[c] in -drift..drift; local time = now + skew[c]
//   a GC pause / a slow network between     SendWrite(c) checks the lease and puts the write
//     checking the lease and the write        in flight; StorageWrite(c) delivers it any time
//     taking effect                           later (a paused client's write lands late)
//   storage checks the sequencer            StorageWrite accepts iff token >= highest token seen
//   lock released by its holder             Release(c) (only with no write of its own in flight)
//   lock released when the lease lapses     ExpireLease (server step)
//
// Acquire and Release are atomic request/reply exchanges: a reply delayed in the network
// would only shorten the client's view of its lease, which the lease check already covers.
// Ghost variables (not in any implementation's state, only for the properties): `leases`
// numbers every grant, each client and each write carries the number of the lease it was
// made under, and the storage remembers the newest lease it accepted a write from.
//
// Properties:
//   MutualExclusion      at most one client believes (by its own clock) that it holds the lock
//   LeaseWithinServer    a client believes it holds the lock only while the server's lease for
//                        it is valid by the server's clock (implies MutualExclusion)
//   NoStaleWrite         storage accepts no write made under a lease older than one it has
//                        already accepted a write from: once the new holder has written, the
//                        client whose lease expired cannot (what a fencing token guarantees)
// Time is bounded by `within` (TLC semantics): states with now > maxTime or more than
// maxLeases grants are checked but not expanded.
//
// Liveness (Chubby, section 2.8: a lease lets the master reclaim the lock of a client that
// stopped answering): a client waiting for the lock eventually holds it, even if the holder
// never lets go. The clock and the sequencer grow for ever, so the graph closes only with a
// finite workload: with `acquires` > 0 each client takes the lock at most that many times (a
// client with takes left and no lock is waiting for it: it asks, and is refused while another
// holds a running lease), and time passes only while a lease runs (nothing else waits on the
// clock; the driver, which plays the clock, holds it still otherwise). Then time stays below
// clients * acquires * lease and grants at clients * acquires: choose maxTime and maxLeases at
// least that, and nothing is cut off. Fairness, per pick instance: weak on Tick, ExpireLease,
// Acquire and StorageWrite; none on Release (a holder may keep the lock for ever, as a crashed
// or partitioned client does: the lease is what frees it), SendWrite or ClockDrift.
// ClientIGetsTheLock is "client i waits ~> client i holds", declared only with a finite workload.

import { InputError } from '../../checker/errors.js'
import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bool, enumOf, int, mapOf, NIL, nodeId, nodeIdOrNil, record, type View } from '../../checker/schema.js'

export default defineModel({
  name: 'lock-service',
  summary: 'Chubby-style lock service: leases under bounded clock drift, paused clients, storage fenced by sequencers',
  params: {
    clients: { description: 'number of clients', default: 2, minimum: 1, maximum: 3 },
    lease: { description: 'lease length in server ticks', default: 4, minimum: 1, maximum: 8 },
    drift: { description: 'bound on each client clock\'s skew from the server\'s, in ticks', default: 1, minimum: 0, maximum: 2 },
    maxTime: { description: 'server ticks explored (state constraint)', default: 6, minimum: 1, maximum: 16 },
    maxLeases: { description: 'grants explored (state constraint)', default: 2, minimum: 1, maximum: 4 },
    acquires: { description: 'times each client takes the lock (0: no limit); a limit, with time passing only while a lease runs, makes the graph finite, as liveness needs', default: 0, minimum: 0, maximum: 2 },
  },
  bugs: {
    'no-fencing': 'storage accepts every write without checking its sequencer',
    'unbounded-drift': 'the client computes its lease expiry without the clock-drift margin',
    'release-without-bump': 'a lock freed (released, or expired by the server) is granted again without bumping its generation',
    'no-lease-reclaim': 'the server never reclaims a lapsed lease: it grants only a lock its holder released (breaks only liveness: a holder that stops answering blocks every waiter)',
  },
  build({ clients, lease, drift, maxTime, maxLeases, acquires }, bug) {
    const Client = nodeId('client', clients)
    const cs = range(clients)
    // One past each bound: a successor outside `within` must still be representable.
    const Time = int(0, maxTime + 1)
    const ServerExpiry = int(0, maxTime + lease)
    const LocalTime = int(-drift, maxTime + lease + drift)
    const LeaseNo = int(0, maxLeases + 1)
    // The client gives up its lease this long (local ticks) after the grant: the worst case is
    // its clock ahead by `drift` at the grant and behind by `drift` later.
    const clientLease = bug === 'unbounded-drift' ? lease : lease - 2 * drift
    // A margin that eats the whole lease leaves a client nothing to use: say so, rather than
    // exploring a service in which no one ever holds the lock.
    if (clientLease < 1) {
      throw new InputError(`lock-service needs lease > 2 * drift (the client's safety margin), got lease=${lease} drift=${drift}`)
    }

    const variables = {
      now: Time,
      skew: mapOf(Client, int(-drift, drift)),
      lock: record({ held: bool, holder: nodeIdOrNil('client', clients), expires: ServerExpiry, gen: LeaseNo }),
      leases: LeaseNo,
      client: mapOf(Client, record({ pc: enumOf('idle', 'holding'), token: LeaseNo, lease: LeaseNo, expires: LocalTime })),
      inflight: mapOf(Client, record({ pending: bool, token: LeaseNo, lease: LeaseNo })),
      storage: record({ maxToken: LeaseNo, newestLease: LeaseNo, lastLease: LeaseNo, rejected: bool }),
    }
    // With a finite workload (acquires > 0) one more variable counts each client's takes;
    // without one the state is as before, and `acquired` is never read.
    const withAcquired = record({ ...variables, acquired: mapOf(Client, int(0, acquires)) })
    const state = acquires > 0 ? withAcquired : (record(variables) as unknown as typeof withAcquired)
    const finite = acquires > 0
    const waiting = (s: View<typeof state>, c: number) => s.client.get(c).pc === 'idle' && s.acquired.get(c) < acquires

    const IDLE = { pc: 'idle', token: 0, lease: 0, expires: 0 } as const
    // A free lock keeps its generation; it has no holder, and its expiry goes back to zero so
    // that equal situations are equal states.
    const free = (lock: { held: boolean; holder: number; expires: number }) => {
      lock.held = false
      lock.holder = NIL
      lock.expires = 0
    }

    return protocol({
      state,
      actions: {
        Tick: {},
        ClockDrift: { client: Client, dir: enumOf('ahead', 'behind') },
        Acquire: { client: Client },
        Release: { client: Client },
        ExpireLease: {},
        SendWrite: { client: Client },
        StorageWrite: { client: Client },
      },

      // Time 0, clocks in step, the lock free at generation 0, clients idle, storage empty.
      init(emit) {
        emit((d) => {
          d.now = 0
          d.lock.holder = NIL
          for (const c of cs) {
            d.skew.set(c, 0)
            d.client.set(c, IDLE)
          }
        })
      },

      next(s, emit) {
        const localNow = (c: number) => s.now + s.skew.get(c)
        const believes = (c: number) => s.client.get(c).pc === 'holding' && localNow(c) < s.client.get(c).expires

        // With a finite workload, time passes only while a lease runs (see the header).
        if (!finite || (s.lock.held && s.now < s.lock.expires)) {
          emit('Tick', {}, (d) => {
            d.now = s.now + 1
          })
        }
        for (const c of cs) {
          for (const dir of ['ahead', 'behind'] as const) {
            const skew = s.skew.get(c) + (dir === 'ahead' ? 1 : -1)
            if (Math.abs(skew) <= drift) emit('ClockDrift', { client: c, dir }, (d) => d.skew.set(c, skew))
          }
        }
        const lock = s.lock
        for (const c of cs) {
          // A client asks for the lock when it does not believe it holds it; the server grants
          // it when free or when the holder's lease has lapsed by the server's clock.
          // The liveness bug: a held lock is never reclaimed, lapsed or not.
          const reclaimable = bug !== 'no-lease-reclaim' && s.now >= lock.expires
          if (!believes(c) && (!lock.held || reclaimable) && (!finite || s.acquired.get(c) < acquires)) {
            // The bug: a lock that was freed (released, or its lapsed lease expired) is handed
            // out again under the previous holder's generation.
            const reuse = bug === 'release-without-bump' && !lock.held && lock.gen > 0
            const gen = reuse ? lock.gen : lock.gen + 1
            emit('Acquire', { client: c }, (d) => {
              d.lock.held = true
              d.lock.holder = c
              d.lock.expires = s.now + lease
              d.lock.gen = gen
              d.leases = s.leases + 1
              if (finite) d.acquired.set(c, s.acquired.get(c) + 1)
              const mine = d.client.get(c)
              mine.pc = 'holding'
              mine.token = gen
              mine.lease = s.leases + 1
              mine.expires = localNow(c) + clientLease
            })
          }
        }
        for (const c of cs) {
          // A careful client waits for its write to be answered before it lets go of the lock.
          if (s.client.get(c).pc === 'holding' && !s.inflight.get(c).pending) {
            emit('Release', { client: c }, (d) => {
              d.client.set(c, IDLE)
              if (lock.held && lock.holder === c) free(d.lock)
            })
          }
        }
        if (lock.held && s.now >= lock.expires && bug !== 'no-lease-reclaim') {
          emit('ExpireLease', {}, (d) => free(d.lock))
        }
        for (const c of cs) {
          const mine = s.client.get(c)
          if (believes(c) && !s.inflight.get(c).pending) {
            emit('SendWrite', { client: c }, (d) => {
              d.inflight.set(c, { pending: true, token: mine.token, lease: mine.lease })
            })
          }
        }
        const st = s.storage
        for (const c of cs) {
          const write = s.inflight.get(c)
          if (!write.pending) continue
          const accept = bug === 'no-fencing' || write.token >= st.maxToken
          emit('StorageWrite', { client: c }, (d) => {
            d.inflight.set(c, { pending: false, token: 0, lease: 0 })
            if (accept) {
              d.storage.maxToken = Math.max(st.maxToken, write.token)
              d.storage.newestLease = Math.max(st.newestLease, write.lease)
              d.storage.lastLease = write.lease
            } else {
              d.storage.rejected = true
            }
          })
        }
      },

      always: {
        TypeOK: wellTyped,
        MutualExclusion: (s) =>
          s.client.count((cl, c) => cl.pc === 'holding' && s.now + s.skew.get(c) < cl.expires) <= 1,
        LeaseWithinServer: (s) =>
          s.client.every((cl, c) =>
            !(cl.pc === 'holding' && s.now + s.skew.get(c) < cl.expires) ||
            (s.lock.held && s.lock.holder === c && s.now < s.lock.expires)),
        NoStaleWrite: (s) => s.storage.lastLease === s.storage.newestLease,
      },
      // Fencing (Kleppmann): the storage's highest token and the lock's generation never go back.
      steps: {
        FencingTokenNeverGoesBack: (before, _step, after) => after.storage.maxToken >= before.storage.maxToken,
        LockGenerationNeverGoesBack: (before, _step, after) => after.lock.gen >= before.lock.gen,
      },
      sometimes: {
        WriteAccepted: (s) => s.storage.newestLease > 0,
        SecondHolderWrote: (s) => s.storage.newestLease >= 2,
        StaleWriteRejected: (s) => s.storage.rejected,
      },
      // Liveness: see the header; declared only with a finite workload, where it can be decided.
      leadsTo: !finite ? {} : Object.fromEntries(cs.map((c) => [`Client${c + 1}GetsTheLock`, {
        from: (s: View<typeof state>) => waiting(s, c),
        to: (s: View<typeof state>) => s.client.get(c).pc === 'holding',
      }])),
      fairness: { Tick: 'weak', ExpireLease: 'weak', Acquire: 'weak', StorageWrite: 'weak' },
      // The end of a finite workload: every client has taken the lock its times and let it go.
      terminal: (s) => finite && s.client.every((cl, c) => cl.pc === 'idle' && s.acquired.get(c) === acquires),
      within: (s) => s.now <= maxTime && s.leases <= maxLeases,
      // Clients are interchangeable: --symmetry checks one state per renaming of them.
      symmetric: ['client'],
    })
  },
})
