// Zab, ZooKeeper's atomic broadcast (Junqueira, Reed, Serafini, "Zab: High-performance
// broadcast for primary-backup systems", DSN 2011; Medeiros, "ZooKeeper's atomic broadcast
// protocol: Theory and practice", 2012), at the level of its phases. No TLA+ spec is
// followed state for state; the correspondence is to the paper's variables and messages:
//
//   paper                                   here
//   f.a (last NEWEPOCH acknowledged)        acceptedEpoch[s]   (on disk)
//   f.p (last NEWLEADER acknowledged)       currentEpoch[s]    (on disk)
//   h_f (history)                           history[s]: zxids ⟨epoch, counter⟩, in memory;
//                                           durable[s] of them on disk
//   delivered transactions of a process     delivered[s]       (the applied state; kept on a crash)
//   phase 0, fast leader election: vote     Elect(quorum): a quorum of looking servers elects
//     (currentEpoch, lastZxid, id)            the one with the highest vote ...
//   phase 1, discovery: FOLLOWERINFO,       ... and accepts the new epoch max(acceptedEpoch)+1
//     NEWEPOCH, ACKEPOCH                      (collapsed into the election: the elected leader
//                                             already holds the most recent history of the quorum)
//   a server that finds a leader in place   Join(f, l): l answers f's vote with NEWEPOCH
//   phase 2, synchronisation: NEWLEADER     Sync(f): f takes the leader's history, currentEpoch
//     ACK-NEWLEADER                         LeaderAck(l, f): l counts f's acknowledgement; l is
//                                             established once a quorum has acknowledged
//   COMMIT of the initial history            LeaderCommit(l) / FollowerCommit(f), one zxid a step
//   phase 3, broadcast: PROPOSAL            Propose(l), then FollowerAccept(f) logs it
//     ACK                                   LeaderAck(l, f): l learns f's last logged zxid
//     COMMIT on a quorum of ACKs            LeaderCommit(l): l delivers its next zxid;
//                                           FollowerCommit(f): f delivers up to l's commit point
//   crash (and recovery, as a looking       Crash(s): volatile state lost, history cut back to
//     server)                                 what is on disk, role back to looking
//   fsync of the log                        Persist(s) (enabled only when a follower acked
//                                             before logging, the ack-before-log bug)
//
// A follower hears its leader only while both are up in the same epoch: messages die with the
// TCP connection that carries them (a simplification: bytes already in a socket buffer would
// in reality still be read). Leader and follower steps read each other's state at delivery,
// which is what a FIFO channel would have carried.
//
// Ghost variables, for the properties only: broadcast (every zxid ever proposed) and
// primary[e] (who led epoch e). Properties, from the paper's section III:
//   Integrity          a delivered transaction was broadcast
//   TotalOrder         if a process delivers a before b, any process that delivers b delivers a before b
//   Agreement          if p delivers a and q delivers b, then p delivers b or q delivers a
//   PrimaryOrder       local and global primary order: delivered zxids ascend, and within an epoch
//                      none is skipped (a primary's counter goes 1, 2, ...)
//   PrimaryIntegrity   (no committed transaction lost across a leader change) once the primary of
//                      epoch e has broadcast, it has delivered every transaction of an earlier
//                      epoch that any process delivers
// Bounds: epochs up to maxEpoch and maxTxns proposals in all, as a state constraint (`within`).

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bool, enumOf, int, mapOf, nodeId, record, seqOf, setOf, type Value } from '../../checker/schema.js'

export default defineModel({
  name: 'zab',
  summary: 'Zab, ZooKeeper\'s atomic broadcast: election by highest (epoch, zxid), synchronisation, quorum broadcast, crashes',
  params: {
    servers: { description: 'number of servers', default: 3, minimum: 2, maximum: 4 },
    maxEpoch: { description: 'epochs explored (state constraint)', default: 2, minimum: 1, maximum: 8 },
    maxTxns: { description: 'proposals explored, over all epochs (state constraint)', default: 2, minimum: 1, maximum: 6 },
  },
  bugs: {
    'skip-sync': 'a follower starts following a new leader without taking its history (no DIFF/TRUNC/SNAP)',
    'ack-before-log': 'a follower acknowledges a proposal before the proposal is on its disk',
    'commit-on-minority': 'the leader commits a proposal on its own acknowledgement, without a quorum',
  },
  build({ servers, maxEpoch, maxTxns }, bug) {
    const Server = nodeId('server', servers)
    const ss = range(servers)
    const quorum = Math.floor(servers / 2) + 1
    // One past each bound: a successor outside `within` must still be representable.
    const Epoch = int(0, maxEpoch + 1)
    const Count = int(0, maxTxns + 1)
    const Zxid = record({ epoch: Epoch, counter: Count })
    type Zxid = Value<typeof Zxid>
    const Log = seqOf(Zxid, maxTxns + 1)

    const state = record({
      role: mapOf(Server, enumOf('looking', 'following', 'leading')),
      leader: mapOf(Server, Server),
      acceptedEpoch: mapOf(Server, Epoch),
      currentEpoch: mapOf(Server, Epoch),
      history: mapOf(Server, Log),
      durable: mapOf(Server, Count),
      synced: mapOf(Server, bool),
      // ack[l][f]: the last zxid follower f has acknowledged to leader l (NEWLEADER or ACK).
      ack: mapOf(Server, mapOf(Server, record({ acked: bool, upTo: Zxid }))),
      delivered: mapOf(Server, Log),
      broadcast: setOf(Zxid),
      primary: mapOf(Epoch, Server),
    })

    const NONE: Zxid = { epoch: 0, counter: 0 }
    const less = (a: Zxid, b: Zxid) => a.epoch < b.epoch || (a.epoch === b.epoch && a.counter < b.counter)
    const same = (a: Zxid, b: Zxid) => a.epoch === b.epoch && a.counter === b.counter
    const lastOf = (log: { last(): Zxid | undefined }) => log.last() ?? NONE
    const indexOf = (log: readonly Zxid[], z: Zxid) => log.findIndex((x) => same(x, z))
    const subsets = (members: number[]): number[][] =>
      members.reduce<number[][]>((acc, m) => [...acc, ...acc.map((sub) => [...sub, m])], [[]])

    return protocol({
      state,
      actions: {
        Elect: { leader: Server, quorum: setOf(Server) },
        Join: { follower: Server, leader: Server },
        Sync: { follower: Server },
        LeaderAck: { leader: Server, follower: Server },
        Propose: { leader: Server },
        FollowerAccept: { follower: Server },
        LeaderCommit: { leader: Server },
        FollowerCommit: { follower: Server },
        Crash: { server: Server },
        // Only a follower that acks before logging has anything left to write to disk.
        ...(bug === 'ack-before-log' ? { Persist: { server: Server } } : {}),
      },

      // Every server up and looking, with empty logs, in epoch 0.
      init(emit) {
        emit((d) => {
          for (const s of ss) d.role.set(s, 'looking')
        })
      },

      next(s, emit) {
        const epochOf = (x: number) => s.acceptedEpoch.get(x)
        // f hears l: both up, l leading and f following it, in the same epoch.
        const hears = (f: number, l: number) =>
          s.role.get(f) === 'following' && s.leader.get(f) === l && s.role.get(l) === 'leading' && epochOf(f) === epochOf(l)
        const established = (l: number) => 1 + ss.filter((f) => f !== l && s.ack.get(l).get(f).acked).length >= quorum
        const voteOf = (x: number) => ({ epoch: s.currentEpoch.get(x), zxid: lastOf(s.history.get(x)), id: x })
        const beats = (a: number, b: number) => {
          const va = voteOf(a)
          const vb = voteOf(b)
          if (va.epoch !== vb.epoch) return va.epoch > vb.epoch
          if (!same(va.zxid, vb.zxid)) return less(vb.zxid, va.zxid)
          return va.id > vb.id
        }

        // Phase 0 and 1: every quorum of looking servers elects its highest vote.
        const looking = ss.filter((x) => s.role.get(x) === 'looking')
        for (const q of subsets(looking)) {
          if (q.length < quorum) continue
          const l = q.reduce((best, x) => (beats(x, best) ? x : best))
          const epoch = Math.max(...q.map(epochOf)) + 1
          emit('Elect', { leader: l, quorum: q }, (d) => {
            for (const x of q) {
              d.acceptedEpoch.set(x, epoch)
              d.role.set(x, x === l ? 'leading' : 'following')
              d.leader.set(x, l)
              d.synced.set(x, false)
            }
            // The leader's own history is the quorum's most recent: it is synchronised with itself.
            d.currentEpoch.set(l, epoch)
            d.primary.set(epoch, l)
          })
        }

        // A looking server that finds a leader already in place follows it (its vote reaches
        // the leader, which answers with NEWEPOCH), provided the epoch is new to it.
        for (const f of looking) {
          for (const l of ss) {
            if (s.role.get(l) !== 'leading' || epochOf(l) <= epochOf(f)) continue
            emit('Join', { follower: f, leader: l }, (d) => {
              d.acceptedEpoch.set(f, epochOf(l))
              d.role.set(f, 'following')
              d.leader.set(f, l)
            })
          }
        }

        for (const f of ss) {
          const l = s.leader.get(f)
          if (!hears(f, l)) continue
          const leaderLog = s.history.get(l)
          const mine = s.history.get(f)
          // Phase 2: NEWLEADER carries the leader's history (DIFF, TRUNC or SNAP in ZooKeeper).
          if (!s.synced.get(f)) {
            emit('Sync', { follower: f }, (d) => {
              if (bug !== 'skip-sync') d.history.get(f).assign(leaderLog.toArray())
              d.durable.set(f, bug === 'skip-sync' ? s.durable.get(f) : leaderLog.length)
              d.currentEpoch.set(f, epochOf(l))
              d.synced.set(f, true)
            })
            continue
          }
          // The leader hears f's acknowledgement of everything f has logged so far.
          const ack = s.ack.get(l).get(f)
          const upTo = lastOf(mine)
          if (!ack.acked || less(ack.upTo, upTo)) {
            emit('LeaderAck', { leader: l, follower: f }, (d) => d.ack.get(l).set(f, { acked: true, upTo }))
          }
          // Phase 3: the next proposal of this epoch that f has not logged, in FIFO order.
          const next = leaderLog.toArray().find((z) => z.epoch === epochOf(l) && less(upTo, z))
          if (next) {
            emit('FollowerAccept', { follower: f }, (d) => {
              d.history.get(f).push(next)
              // The bug: the ack may go out (LeaderAck) while the proposal is only in memory.
              if (bug !== 'ack-before-log') d.durable.set(f, mine.length + 1)
            })
          }
          // COMMIT: f delivers its next logged zxid once the leader has delivered that far.
          const n = s.delivered.get(f).length
          const committed = lastOf(s.delivered.get(l))
          if (n < mine.length && !less(committed, mine.at(n))) {
            const z = mine.at(n)
            emit('FollowerCommit', { follower: f }, (d) => d.delivered.get(f).push(z))
          }
        }

        for (const l of ss) {
          if (s.role.get(l) !== 'leading' || !established(l)) continue
          const log = s.history.get(l)
          const delivered = s.delivered.get(l)
          // Commit the next zxid once a quorum (the leader counts itself) has logged it.
          if (delivered.length < log.length) {
            const z = log.at(delivered.length)
            const acks = 1 + ss.filter((f) => f !== l && s.ack.get(l).get(f).acked && !less(s.ack.get(l).get(f).upTo, z)).length
            if (acks >= (bug === 'commit-on-minority' ? 1 : quorum)) {
              emit('LeaderCommit', { leader: l }, (d) => d.delivered.get(l).push(z))
            }
          }
          // Broadcast starts once the initial history (earlier epochs) is delivered.
          const epoch = epochOf(l)
          const inherited = log.toArray().filter((z) => z.epoch < epoch).length
          if (delivered.length >= inherited) {
            const last = lastOf(log)
            const zxid = { epoch, counter: last.epoch === epoch ? last.counter + 1 : 1 }
            emit('Propose', { leader: l }, (d) => {
              d.history.get(l).push(zxid)
              d.durable.set(l, log.length + 1)
              d.broadcast.add(zxid)
            })
          }
        }

        for (const x of ss) {
          const log = s.history.get(x)
          const onDisk = s.durable.get(x)
          if (s.role.get(x) !== 'looking' || onDisk < log.length) {
            emit('Crash', { server: x }, (d) => {
              d.role.set(x, 'looking')
              d.leader.set(x, 0)
              d.synced.set(x, false)
              for (const f of ss) d.ack.get(x).set(f, { acked: false, upTo: NONE })
              d.history.get(x).truncate(onDisk)
            })
          }
          if (onDisk < log.length) emit('Persist', { server: x }, (d) => d.durable.set(x, log.length))
        }
      },

      always: {
        TypeOK: wellTyped,
        Integrity: (s) => s.delivered.every((log) => log.toArray().every((z) => s.broadcast.has(z))),
        TotalOrder: (s) => {
          const logs = ss.map((x) => s.delivered.get(x).toArray())
          return logs.every((p) => logs.every((q) =>
            p.every((a, i) => p.slice(i + 1).every((b) => {
              const ib = indexOf(q, b)
              return ib < 0 || (indexOf(q, a) >= 0 && indexOf(q, a) < ib)
            }))))
        },
        Agreement: (s) => {
          const logs = ss.map((x) => s.delivered.get(x).toArray())
          return logs.every((p) => logs.every((q) =>
            p.every((a) => q.every((b) => indexOf(p, b) >= 0 || indexOf(q, a) >= 0))))
        },
        PrimaryOrder: (s) => s.delivered.every((log) => {
          const zs = log.toArray()
          return zs.every((z, i) => i === 0 || less(zs[i - 1], z)) &&
            zs.every((z) => z.counter === 1 || zs.some((y) => y.epoch === z.epoch && y.counter === z.counter - 1))
        }),
        PrimaryIntegrity: (s) => {
          const all = ss.flatMap((x) => s.delivered.get(x).toArray())
          return s.broadcast.every((b) => {
            const mine = s.delivered.get(s.primary.get(b.epoch)).toArray()
            return all.every((z) => z.epoch >= b.epoch || indexOf(mine, z) >= 0)
          })
        },
      },
      // Zab: a server's accepted and current epochs never go back (they are its promises).
      steps: {
        AcceptedEpochNeverDecreases: (before, _step, after) => ss.every((x) => after.acceptedEpoch.get(x) >= before.acceptedEpoch.get(x)),
        CurrentEpochNeverDecreases: (before, _step, after) => ss.every((x) => after.currentEpoch.get(x) >= before.currentEpoch.get(x)),
      },
      sometimes: {
        Delivered: (s) => s.delivered.some((log) => log.length > 0),
        FollowerDelivered: (s) => ss.some((x) => s.role.get(x) === 'following' && s.delivered.get(x).length > 0),
        DeliveredAfterLeaderChange: (s) => s.delivered.some((log) => log.toArray().some((z) => z.epoch >= 2)),
      },
      within: (s) => s.broadcast.size <= maxTxns && s.acceptedEpoch.every((e) => e <= maxEpoch),
    })
  },
})
