// One chunk of the Google File System: a master granting the chunk's lease, a primary choosing
// the order (the offset) of record appends, replicas applying them, chunk version numbers.
// No public TLA+ spec of GFS is followed; the model follows the paper (Ghemawat, Gobioff and
// Leung, "The Google File System", SOSP 2003):
//   3.1  the master grants a chunk lease to one replica, the primary, for a fixed time; it may
//        grant a new one only after the old one expired, even if it lost touch with the primary
//        ("the master can safely grant a new lease to another replica after the old lease
//        expires"); the primary picks the order of mutations, the secondaries follow it;
//   3.3  record append: the primary appends the record at the end of its replica and tells the
//        secondaries to write it at that exact offset; if any replica fails, the client retries,
//        so replicas may hold a record more than once, and a record whose append succeeded is
//        written at least once, at the same offset, on every replica;
//   4.5  the master bumps the chunk version whenever it grants a new lease and tells the
//        up-to-date replicas; a replica that was down misses the bump, and when it comes back
//        and reports its chunks the master sees its old version and never hands it to a client.
// Time is discrete ticks on one clock (lease expiry by `now`), bounded by `within`.
//
//   paper                                        here
//   the master's chunk version                   master.version
//   the master's lease record                    master.primary, master.expires
//   the replica locations it hands to clients    master.current[r] (up and of its version)
//   a chunkserver's chunk: version, contents     replica[r].version, replica[r].data (record ids;
//                                                  0 is padding left by a failed append)
//   the primary's lease and its secondaries      replica[r].lease (expiry), replica[r].members
//   grant (bump, tell up-to-date replicas)       GrantLease(replica)
//   client pushes the record, the primary        Append(primary): the primary writes at its end
//     appends and forwards (offset, record)        and forwards to each member still up
//   a secondary writes at the primary's offset   Apply(replica) (and acknowledges)
//     and acknowledges; the client hears success   the last acknowledgement is the client's success
//   the client retries a failed append           Append again with the same record, once every
//                                                  forwarded write was applied or lost
//   a chunkserver crashes (master: heartbeats)   Fail(replica): it stops; the master drops it
//   it restarts and reports its chunk versions   Recover(replica): the master lists it again only
//                                                  if its version is the master's
//   time                                         Tick
// Ghost variables for the properties: okAt[rec] the offset at which record rec's append was
// reported successful (-1: not yet), ackedBy[rec] the replicas whose acknowledgements made it.
//
// Properties:
//   OnePrimary         at most one replica holds an unexpired lease
//   AckedSameOffset    replicas that acknowledged a record hold it at the offset the client was
//                      told, so they hold identical data in the same order at those offsets
//   AtLeastOnce        record append's guarantee: every record reported appended is, at its
//                      offset, on every replica of the current lease (a retried record may
//                      appear twice, and a failed attempt may leave it or padding on some)
//   NoStaleServed      every replica the master hands to clients holds every record reported
//                      appended, at its offset: a replica that missed mutations is never served
// Bounds (`within`): now <= maxTime, at most maxAppends append attempts (retries included),
// at most maxFailures replica failures.
//
// A TLA+ transcription of this model (same variables, actions and CONSTRAINT; not shipped;
// its guards written so that TLC branches once per step, e.g. IF primary = Nil THEN TRUE ELSE
// now >= expires, where a plain \/ would count an initial grant twice) checked by TLC 2.20
// reaches the same counts: 8,735 distinct / 45,885 generated states (depth 14) at the defaults,
// 1,424 / 5,737 with 2 replicas, 23,947 / 127,811 with maxTime=4, 41,994 / 212,335 with
// maxFailures=2, and 235,491 / 1,196,767 (depth 21) for specs/gfs.json.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bool, int, mapOf, NIL, nodeId, nodeIdOrNil, record, seqOf } from '../../checker/schema.js'

export const gfsBugs = {
  'no-version-bump': 'the master grants a new lease without bumping the chunk version, so a replica that was down comes back looking current',
  'early-regrant': 'the master grants a new lease as soon as it loses touch with the primary, before the old lease has expired',
  'append-at-own-end': 'a secondary appends a forwarded record at the end of its own replica instead of at the offset the primary chose',
  'reply-before-replicas': 'the primary reports an append successful once its own replica has it, before the secondaries wrote it',
} as const

export default defineModel({
  name: 'gfs',
  summary: 'GFS chunk leases, record append ordered by the primary, chunk version numbers against stale replicas (one chunk)',
  params: {
    replicas: { description: 'number of replicas of the chunk (chunkservers)', default: 3, minimum: 1, maximum: 4 },
    lease: { description: 'lease length in ticks', default: 2, minimum: 1, maximum: 6 },
    maxTime: { description: 'ticks explored (state constraint)', default: 3, minimum: 0, maximum: 12 },
    maxAppends: { description: 'append attempts explored, retries included (state constraint)', default: 2, minimum: 1, maximum: 4 },
    maxFailures: { description: 'replica failures explored (state constraint)', default: 1, minimum: 0, maximum: 3 },
  },
  bugs: gfsBugs,
  build({ replicas, lease, maxTime, maxAppends, maxFailures }, bug) {
    const Replica = nodeId('replica', replicas)
    const rs = range(replicas)
    // One past each bound: a successor outside `within` must still be representable.
    const Time = int(0, maxTime + 1)
    const Expiry = int(0, maxTime + lease)
    const RecordId = int(0, maxAppends + 1)
    const Offset = int(-1, maxAppends + 1)
    // A grant at every tick, and (early-regrant) one more after each failure.
    const Version = int(0, maxTime + maxFailures + 3)
    // Record ids are 1, 2, ...: the n-th record the client appends.
    const records = range(maxAppends + 2).slice(1)

    const state = record({
      now: Time,
      master: record({ version: Version, primary: nodeIdOrNil('replica', replicas), expires: Expiry, current: mapOf(Replica, bool) }),
      replica: mapOf(Replica, record({
        up: bool,
        version: Version,
        lease: Expiry,
        members: mapOf(Replica, bool),
        data: seqOf(RecordId, maxAppends + 1),
      })),
      // The forwarded write each secondary has yet to apply (one append is in progress at a time).
      inflight: mapOf(Replica, record({ pending: bool, offset: Offset, rec: RecordId })),
        // The client's append in progress: the record (0: none), the offset the primary chose,
      // the replicas it went to (the primary's members) and those that acknowledged it.
      client: record({ rec: RecordId, offset: Offset, members: mapOf(Replica, bool), acked: mapOf(Replica, bool), attempts: int(0, maxAppends + 1) }),
      okAt: mapOf(RecordId, Offset),
      ackedBy: mapOf(RecordId, mapOf(Replica, bool)),
      failures: int(0, maxFailures + 1),
    })

    return protocol({
      state,
      actions: {
        Tick: {},
        GrantLease: { replica: Replica },
        Append: { primary: Replica },
        Apply: { replica: Replica },
        Fail: { replica: Replica },
        Recover: { replica: Replica },
      },

      // Every replica up, empty, of version 0, listed by the master; no lease; no append.
      init(emit) {
        emit((d) => {
          d.master.primary = NIL
          for (const r of rs) {
            d.master.current.set(r, true)
            d.replica.get(r).up = true
          }
          for (const k of range(maxAppends + 2)) d.okAt.set(k, -1)
          d.client.offset = -1
          for (const r of rs) d.inflight.get(r).offset = -1
        })
      },

      next(s, emit) {
        const m = s.master
        emit('Tick', {}, (d) => {
          d.now = s.now + 1
        })

        // The master grants a lease when none is in force (the bug: also when it has lost touch
        // with the primary), to a replica it lists; it bumps the version (the bug: not) and
        // tells every replica it lists, which are the new lease's members.
        const free = m.primary === NIL || s.now >= m.expires || (bug === 'early-regrant' && !m.current.get(m.primary))
        if (free) {
          const version = bug === 'no-version-bump' ? m.version : m.version + 1
          for (const r of rs) {
            if (!m.current.get(r)) continue
            emit('GrantLease', { replica: r }, (d) => {
              d.master.version = version
              d.master.primary = r
              d.master.expires = s.now + lease
              for (const x of rs) if (m.current.get(x)) d.replica.get(x).version = version
              const p = d.replica.get(r)
              p.lease = s.now + lease
              for (const x of rs) p.members.set(x, m.current.get(x))
            })
          }
        }

        // The client appends its record (a new one, or the failed one again once every write
        // of the last attempt was applied or lost) through a primary whose lease is in force.
        const c = s.client
        const drained = rs.every((r) => !s.inflight.get(r).pending)
        const failed = c.rec !== 0 && drained && rs.some((r) => c.members.get(r) && !c.acked.get(r))
        // (A new record waits for the last one's writes too: with the primary answering alone,
        // they may still be on their way.)
        if ((c.rec === 0 && drained) || failed) {
          const rec = c.rec === 0 ? s.okAt.count((o) => o >= 0) + 1 : c.rec
          for (const p of rs) {
            const primary = s.replica.get(p)
            if (!primary.up || primary.lease <= s.now) continue
            const offset = primary.data.length
            emit('Append', { primary: p }, (d) => {
              d.replica.get(p).data.push(rec)
              d.client.rec = rec
              d.client.offset = offset
              d.client.attempts = c.attempts + 1
              for (const x of rs) {
                const member = primary.members.get(x)
                d.client.members.set(x, member)
                d.client.acked.set(x, x === p)
                // A write forwarded to a member that is down is lost.
                if (x !== p && member && s.replica.get(x).up) d.inflight.set(x, { pending: true, offset, rec })
              }
              // A lease with no other member: the primary alone acknowledges (the bug: always).
              if (bug === 'reply-before-replicas' || rs.every((x) => x === p || !primary.members.get(x))) succeed(d, rec, offset, (x) => x === p)
            })
          }
        }

        // A secondary writes the forwarded record at the primary's offset (padding a gap left
        // by a failed attempt), or (the bug) at its own end, and acknowledges.
        for (const r of rs) {
          const w = s.inflight.get(r)
          if (!w.pending) continue
          emit('Apply', { replica: r }, (d) => {
            const data = d.replica.get(r).data
            const at = bug === 'append-at-own-end' ? data.length : w.offset
            while (data.length < at) data.push(0)
            if (at < data.length) data.set(at, w.rec)
            else data.push(w.rec)
            d.inflight.set(r, { pending: false, offset: -1, rec: 0 })
            if (c.rec === w.rec && c.offset === w.offset) {
              d.client.acked.set(r, true)
              const acked = (x: number) => x === r || c.acked.get(x)
              if (rs.every((x) => !c.members.get(x) || acked(x))) succeed(d, w.rec, w.offset, acked)
            }
          })
        }

        for (const r of rs) {
          const me = s.replica.get(r)
          if (me.up) {
            // A chunkserver stops (crash or partition): its forwarded write is lost; the master
            // misses its heartbeats and stops listing it. Its disk (version, data) and, if it is
            // only cut off, its own belief in its lease stay.
            emit('Fail', { replica: r }, (d) => {
              d.replica.get(r).up = false
              d.inflight.set(r, { pending: false, offset: -1, rec: 0 })
              d.master.current.set(r, false)
              d.failures = s.failures + 1
            })
          } else {
            // It comes back and reports its chunk version: listed again only if current.
            emit('Recover', { replica: r }, (d) => {
              d.replica.get(r).up = true
              d.master.current.set(r, me.version === m.version)
            })
          }
        }
      },

      always: {
        TypeOK: wellTyped,
        OnePrimary: (s) => s.replica.count((r) => r.lease > s.now) <= 1,
        AckedSameOffset: (s) => records.every((k) => {
          const at = s.okAt.get(k)
          return at < 0 || rs.every((r) => !s.ackedBy.get(k).get(r) || holds(s.replica.get(r).data, at, k))
        }),
        AtLeastOnce: (s) => s.master.primary === NIL || records.every((k) => {
          const at = s.okAt.get(k)
          const members = s.replica.get(s.master.primary).members
          return at < 0 || rs.every((r) => !members.get(r) || holds(s.replica.get(r).data, at, k))
        }),
        NoStaleServed: (s) => records.every((k) => {
          const at = s.okAt.get(k)
          return at < 0 || rs.every((r) => !(s.replica.get(r).up && s.master.current.get(r)) || holds(s.replica.get(r).data, at, k))
        }),
      },
      sometimes: {
        AppendSucceeded: (s) => s.okAt.some((o) => o >= 0),
        // A retried append: a record twice in one replica (at-least-once, not exactly-once).
        DuplicateRecord: (s) => s.replica.some((r) => {
          const data = r.data.toArray()
          return data.some((x, i) => x !== 0 && data.indexOf(x) !== i)
        }),
        // Padding: a replica that missed a failed attempt skipped its offset.
        PaddedRegion: (s) => s.replica.some((r) => r.data.toArray().includes(0)),
        // A replica came back with an old version and is not handed to clients.
        StaleReplicaExcluded: (s) => s.replica.some((r) => r.up && r.version < s.master.version),
        // A second lease was granted after the first expired, and a record appended under it.
        SecondLeaseAppended: (s) => s.master.version >= 2 && s.okAt.some((o) => o >= 0) && s.client.attempts >= 2,
      },
      within: (s) => s.now <= maxTime && s.client.attempts <= maxAppends && s.failures <= maxFailures,
      // Replicas are interchangeable.
      symmetric: ['replica'],
    })

    function holds(data: { length: number; at(i: number): number }, at: number, rec: number) {
      return at < data.length && data.at(at) === rec
    }
    function succeed(d: any, rec: number, offset: number, acked: (x: number) => boolean) {
      d.okAt.set(rec, offset)
      for (const x of rs) d.ackedBy.get(rec).set(x, acked(x))
      d.client.rec = 0
      d.client.offset = -1
      for (const x of rs) {
        d.client.members.set(x, false)
        d.client.acked.set(x, false)
      }
    }
  },
})
