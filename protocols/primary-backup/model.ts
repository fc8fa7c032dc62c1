// View-based primary/backup replication of one register, with a view service, as in the
// classic primary/backup labs (MIT 6.824, Lab 2 "Primary/Backup Key/Value Service", 2015:
// viewservice + pbservice) and the view-change rule of viewstamped replication. No public
// TLA+ specification fits this design closely (tlaplus/Examples has none; the MongoDB,
// Elasticsearch and VSR specs model quorum logs, not a view service), so the model follows
// the lab's design, written as a TLA+ spec would be (one variable per component, messages
// in a set, one action per event on one node):
//
//   the lab                                      here
//   viewservice: current view {Viewnum,          vs: { view, primary, backup, acked }
//     Primary, Backup}, primary acked it?
//   Ping(me, viewnum) to the view service        Ping(s): the view service takes a ping from s
//     - no view yet: the pinger is primary         carrying the view s acknowledges (a primary
//     - primary pings viewnum: view acked          acknowledges its view only once its backup
//     - no backup: an idle pinger is backup        has confirmed the state transfer)
//       (only once the view is acked)
//   DeadPings missed: server presumed dead       Suspect(s): the view service gives up on s (a
//     (crashed or cut off: it cannot tell)         crash or a partition alike), only once the
//     primary dead: backup promoted                view is acked; s primary: its backup becomes
//     backup dead: view without backup             primary (none: no step); s backup: dropped
//   ping reply: the server learns the view       Learn(s): s adopts the view service's view; a
//     new primary sends its whole state            primary with a backup sends it Transfer
//   backup takes the state, replies              ReceiveTransfer(s), ReceiveTransferOk(s)
//   Put/Get at the primary, forwarded to the     Write, Read: the client's next operation;
//     backup, which rejects it unless it is        Forward(s): the primary sends it to its
//     the backup of that view; primary replies     backup; Apply(s): the backup takes it;
//     after the backup's ok                        Serve(s): the primary answers the client
//   pbservice servers' state                     srv[s]: { view, primary, backup (the view s
//                                                  knows), value, seen, synced (transfer done) }
//   duplicate detection (filter re-sent Puts)    seen: the client op (seq) of the last write
//                                                  applied; a backup answers a late copy of an
//                                                  older write without applying it, and the
//                                                  state transfer carries seen with the value
//   RPCs                                         msgs: a set of Transfer, TransferOk, Forward,
//                                                  ForwardOk; a receive removes its message
//
// A crash is a server that takes no more steps, which interleavings already include; the
// view service cannot tell it from a slow or cut-off server, so Suspect is enabled for a live
// one too: that is how an old primary that still serves arises.
// The client is one sequential client (the lab's Clerk): one operation at a time, retried at
// whoever claims to be primary until a primary answers; its op numbers (seq) tell answers to
// an old operation from answers to the current one. Reads are checked against the writes
// acknowledged before them (read-your-writes across a failover, which is what a stale
// primary breaks); a write is acknowledged only once it is on every replica of the view.
//
// Bounds (within): vs.view <= maxView and at most maxOps client operations.
// Symmetry: servers are interchangeable (the first to ping becomes primary, whoever it is).
//
// Counts: TLC 2.20 on a TLA+ transcription of this model (the same variables, one disjunct
// per emitted step, CONSTRAINT for within, -deadlock) gives the same figures: n=2 maxView=4
// maxOps=2: 3,529 distinct / 10,107 generated / depth 27; n=3 maxView=3 maxOps=1: 4,299 /
// 17,511 / 19; n=3 maxView=4 maxOps=2 (the defaults): 78,399 / 291,417 / 31; n=3 maxView=5
// maxOps=2 (specs/primary-backup.json): 281,253 / 1,200,624 / 35. Without `seen`, the model
// is unsafe at maxView=5: a primary re-forwards the client's op in a later view after an
// older primary has answered it, and the late copy overwrites a newer write on the backup.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { enumOf, int, mapOf, nodeId, nodeIdOrNil, record, setOf, union, type View } from '../../checker/schema.js'

const NIL = -1

export default defineModel({
  name: 'primary-backup',
  summary: 'view-based primary/backup replication of a register with a view service (the classic primary/backup lab)',
  params: {
    n: { description: 'number of servers', default: 3, minimum: 2, maximum: 4 },
    maxView: { description: 'state constraint: the view service goes up to view maxView', default: 4, minimum: 1, maximum: 6 },
    maxOps: { description: 'state constraint: the client issues at most maxOps operations (reads and writes)', default: 2, minimum: 1, maximum: 4 },
  },
  bugs: {
    'ack-before-transfer': "a primary acknowledges its view before its new backup has confirmed the state transfer (the ping carries the view at once), so the view service may promote a backup that holds nothing",
    'local-reads': 'a primary answers reads from its own copy without asking its backup, so an old primary that missed the view change still serves reads',
  },
  build({ n, maxView, maxOps }, bug) {
    const Server = nodeId('s', n)
    const ServerOrNil = nodeIdOrNil('s', n)
    const View_ = int(0, maxView + 1)
    const Seq = int(0, maxOps + 1)
    const Value = int(0, maxOps + 1)
    const Message = union('type', {
      Transfer: { view: View_, value: Value, seen: Seq },
      TransferOk: { view: View_ },
      Forward: { view: View_, seq: Seq, op: enumOf('write', 'read'), value: Value },
      ForwardOk: { view: View_, seq: Seq },
    })
    const state = record({
      vs: record({ view: View_, primary: ServerOrNil, backup: ServerOrNil, acked: enumOf('no', 'yes') }),
      srv: mapOf(Server, record({ view: View_, primary: ServerOrNil, backup: ServerOrNil, value: Value, seen: Seq, synced: enumOf('no', 'yes') })),
      msgs: setOf(Message),
      client: record({
        op: enumOf('idle', 'write', 'read'),
        seq: Seq,
        acked: Value,
        lastRead: Value,
        lastReadFloor: Value,
      }),
    })
    const servers = range(n)
    type S = View<typeof state>

    /** The view s acknowledges in its pings: a primary with a backup acknowledges its view
     * only once the backup has confirmed the state transfer. */
    const pingView = (s: S, p: number) => {
      const me = s.srv.get(p)
      const waiting = me.primary === p && me.backup !== NIL && me.synced === 'no'
      return waiting && bug !== 'ack-before-transfer' ? me.view - 1 : me.view
    }

    return protocol({
      state,
      actions: {
        Ping: { s: Server },
        Suspect: { s: Server },
        Learn: { s: Server },
        ReceiveTransfer: { s: Server },
        ReceiveTransferOk: { s: Server },
        Write: {},
        Read: {},
        Forward: { s: Server },
        Apply: { s: Server },
        Serve: { s: Server },
      },

      init(emit) {
        emit((d) => {
          d.vs.primary = NIL
          d.vs.backup = NIL
          for (const p of servers) {
            d.srv.get(p).primary = NIL
            d.srv.get(p).backup = NIL
          }
        })
      },

      next(s, emit) {
        const vs = s.vs
        // ---- the view service ----
        for (const p of servers) {
          const pv = pingView(s, p)
          if (vs.view === 0) {
            emit('Ping', { s: p }, (d) => {
              d.vs.view = 1
              d.vs.primary = p
            })
          } else if (p === vs.primary && pv === vs.view && vs.acked === 'no') {
            emit('Ping', { s: p }, (d) => void (d.vs.acked = 'yes'))
          } else if (vs.acked === 'yes' && vs.backup === NIL && p !== vs.primary) {
            emit('Ping', { s: p }, (d) => {
              d.vs.view = vs.view + 1
              d.vs.backup = p
              d.vs.acked = 'no'
            })
          }
        }
        for (const p of servers) {
          if (vs.acked !== 'yes') continue
          if (p === vs.primary && vs.backup !== NIL) {
            emit('Suspect', { s: p }, (d) => {
              d.vs.view = vs.view + 1
              d.vs.primary = vs.backup
              d.vs.backup = NIL
              d.vs.acked = 'no'
            })
          } else if (p === vs.backup) {
            emit('Suspect', { s: p }, (d) => {
              d.vs.view = vs.view + 1
              d.vs.backup = NIL
              d.vs.acked = 'no'
            })
          }
        }
        // ---- the servers ----
        for (const p of servers) {
          const me = s.srv.get(p)
          if (vs.view > me.view) {
            emit('Learn', { s: p }, (d) => {
              const m = d.srv.get(p)
              m.view = vs.view
              m.primary = vs.primary
              m.backup = vs.backup
              m.synced = 'no'
              if (vs.primary === p && vs.backup !== NIL) d.msgs.add({ type: 'Transfer', view: vs.view, value: me.value, seen: me.seen })
            })
          }
          const isBackup = me.view > 0 && me.backup === p
          const isPrimary = me.view > 0 && me.primary === p
          if (isBackup) {
            for (const m of s.msgs) {
              if (m.type === 'Transfer' && m.view === me.view) {
                emit('ReceiveTransfer', { s: p }, (d) => {
                  d.msgs.delete(m)
                  d.msgs.add({ type: 'TransferOk', view: me.view })
                  d.srv.get(p).value = m.value
                  d.srv.get(p).seen = m.seen
                  d.srv.get(p).synced = 'yes'
                })
              }
            }
            if (me.synced === 'yes') {
              for (const m of s.msgs) {
                if (m.type === 'Forward' && m.view === me.view) {
                  emit('Apply', { s: p }, (d) => {
                    d.msgs.delete(m)
                    d.msgs.add({ type: 'ForwardOk', view: me.view, seq: m.seq })
                    // A write the backup has seen already (a late copy) is answered, not applied again.
                    if (m.op === 'write' && m.seq > me.seen) {
                      d.srv.get(p).value = m.value
                      d.srv.get(p).seen = m.seq
                    }
                  })
                }
              }
            }
          }
          if (isPrimary) {
            const transferOk = { type: 'TransferOk', view: me.view } as const
            if (me.backup !== NIL && me.synced === 'no' && s.msgs.has(transferOk)) {
              emit('ReceiveTransferOk', { s: p }, (d) => {
                d.msgs.delete(transferOk)
                d.srv.get(p).synced = 'yes'
              })
            }
            const c = s.client
            if (c.op !== 'idle') {
              const ok = { type: 'ForwardOk', view: me.view, seq: c.seq } as const
              const direct = me.backup === NIL || (c.op === 'read' && bug === 'local-reads')
              if (!direct && me.synced === 'yes') {
                const forward = { type: 'Forward', view: me.view, seq: c.seq, op: c.op, value: c.op === 'write' ? c.acked + 1 : 0 } as const
                if (!s.msgs.has(forward) && !s.msgs.has(ok)) emit('Forward', { s: p }, (d) => void d.msgs.add(forward))
              }
              if (direct || s.msgs.has(ok)) {
                emit('Serve', { s: p }, (d) => {
                  if (!direct) d.msgs.delete(ok)
                  d.client.op = 'idle'
                  if (c.op === 'write') {
                    d.srv.get(p).value = c.acked + 1
                    d.srv.get(p).seen = c.seq
                    d.client.acked = c.acked + 1
                  } else {
                    d.client.lastRead = me.value
                    d.client.lastReadFloor = c.acked
                  }
                })
              }
            }
          }
        }
        // ---- the client ----
        if (s.client.op === 'idle') {
          emit('Write', {}, (d) => {
            d.client.op = 'write'
            d.client.seq = s.client.seq + 1
          })
          emit('Read', {}, (d) => {
            d.client.op = 'read'
            d.client.seq = s.client.seq + 1
          })
        }
      },

      within: (s) => s.vs.view <= maxView && s.client.seq <= maxOps,

      always: {
        TypeOK: wellTyped,
        // At most one server acts as primary in any view.
        OnePrimaryPerView: (s) =>
          servers.every((p) => servers.every((q) => p >= q || !(s.srv.get(p).primary === p && s.srv.get(q).primary === q && s.srv.get(p).view === s.srv.get(q).view))),
        // Every acknowledged write survives the failovers: the primary of the current view,
        // once it has taken the view up, holds it.
        AckedWritesSurvive: (s) => {
          const p = s.vs.primary
          return p === NIL || s.srv.get(p).view !== s.vs.view || s.srv.get(p).value >= s.client.acked
        },
        // A read returns a value no older than every write acknowledged before it.
        ReadsSeeAckedWrites: (s) => s.client.lastRead >= s.client.lastReadFloor,
      },
      sometimes: {
        // A write is acknowledged after it reached a backup.
        WriteReplicated: (s) => s.client.acked >= 1 && servers.some((p) => s.srv.get(p).backup === p && s.srv.get(p).value >= 1),
        // A new backup receives a non-empty state.
        StateTransferred: (s) => servers.some((p) => s.srv.get(p).backup === p && s.srv.get(p).synced === 'yes' && s.srv.get(p).value >= 1 && s.srv.get(p).view >= 3),
        // A backup promoted to primary serves a write after the failover while the old
        // primary still believes it is primary of an older view.
        FailoverWithOldPrimaryAlive: (s) => {
          const p = s.vs.primary
          return p !== NIL && s.srv.get(p).view === s.vs.view && s.client.acked >= 1 &&
            servers.some((q) => q !== p && s.srv.get(q).primary === q && s.srv.get(q).view < s.vs.view && s.srv.get(q).view > 0)
        },
        // A read returns an acknowledged write.
        ReadOfAckedWrite: (s) => s.client.lastRead >= 1,
      },
      symmetric: ['s'],
    })
  },
})
