// A cluster resource manager in the style of Pacemaker on Corosync: agreed membership with
// votequorum, one resource group (a shared filesystem, then a database on it) that must run
// on at most one node, and fencing (STONITH) of every node outside the membership before the
// group is recovered elsewhere. No public TLA+ specification covers this, so the model follows
// the documentation: Pacemaker Explained (cluster options no-quorum-policy=stop,
// stonith-enabled=true, stonith-watchdog-timeout; resource groups start in order and stop in
// reverse), Clusters from Scratch (fencing before recovery), and corosync's votequorum(5)
// (quorum: more than half of the expected votes, one vote a node).
//
// Fencing is watchdog fencing (SBD without a disk, Pacemaker's stonith-watchdog-timeout): a
// node that finds itself in a membership without quorum stops feeding its watchdog and is
// reset, and the quorate partition may count a node outside it as fenced once
// stonith-watchdog-timeout has passed, a time chosen longer than the lost node needs to see
// the new membership and reset. It is the fencing where quorum is a safety property, not only
// a liveness one: the survivors' "it is fenced" is an inference from "it has lost quorum".
// votequorum's two_node (a lone node of two keeps quorum) is what this fencing cannot have,
// as the SBD documentation says; wait_for_all only matters at the first start, and the
// model starts from a formed cluster (every node has seen every other).
//
//   Pacemaker / Corosync                  here
//   cluster nodes, one vote each           nodeId('node', n), interchangeable (symmetric)
//   a node powered and running the stack   up: map node -> bool
//   the network's partitions               side: map node -> 0|1 (nodes on one side, both up,
//                                            can talk); Partition(x) moves x to the other side
//   the totem ring a node is in (agreed    member: map node -> set of node; Reform(x) forms
//     membership, CPG configuration)         the ring of x's whole side at once (x: its lowest
//                                            id), as corosync delivers one configuration change
//                                            to every member
//   quorum (votequorum)                    quorate(set): 2 * |set| > n
//   the DC's record of fenced nodes        clean: map node -> set of node (nodes this node
//     (stonith history, "node is clean")     knows were fenced since they last were members)
//   resource group fs+db on a node         rsc: map node -> stopped | mounted | started
//   watchdog self-fence at quorum loss     inside Reform: a ring without quorum resets its nodes
//   stonith-watchdog-timeout expiring      Fence(x, y): x records y fenced; enabled only once y
//                                            is down or has formed its own ring (by then, with
//                                            the timeout's margin, it has reset if it must)
//   start fs (placing the group)           Start(x), StartDb(x): mount, then start the database
//   stop the group (a move, a failure)     Stop(x)
//   power loss / reboot                    Crash(x), Restart(x)
//
// A node acts (Start, Fence, Stop) only while its ring is intact (its membership is the set of
// nodes it can reach): Pacemaker's controller speaks through corosync, and nothing it sends is
// delivered while the ring is broken. Faults (partitions and crashes) are counted in `faults`
// and bounded by the state constraint `within`, never by a guard.
//
// Properties: the group runs (database started) on at most one node (OneRunning), and the
// shared filesystem is mounted by at most one node at a time (ExclusiveStorage).
//
// Counts: n=3 maxFaults=2 gives 2,984 distinct states (23,867 generated, depth 11); n=4
// maxFaults=4 gives 111,000 (1,130,715, depth 15). With no public spec to compare with, a
// TLA+ transcription of this model (one action per action here, guards without \E or \/
// witnesses) was checked with TLC 2.20: it reports the same distinct and generated counts and
// depths on five configurations and the same shortest counterexamples for both bugs
// (test/failover-fencing.test.ts pins ours). With two nodes the group is never recovered
// after a fault (RecoveredAfterFencing is never witnessed): a lone node of two has no quorum.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bool, enumOf, int, mapOf, nodeId, record, setOf, type View } from '../../checker/schema.js'

export default defineModel({
  name: 'failover-fencing',
  summary: 'Pacemaker-style failover: quorum (votequorum), watchdog fencing (STONITH) before recovery, a resource group on at most one node',
  params: {
    n: { description: 'number of cluster nodes', default: 3, minimum: 2, maximum: 4 },
    maxFaults: { description: 'state constraint: at most this many partitions and crashes', default: 2, minimum: 0, maximum: 4 },
  },
  bugs: {
    'no-fencing': 'the group is recovered on a quorate node without waiting for the nodes outside the membership to be fenced (Start skips the clean check, as stonith-enabled=false)',
    'ignore-quorum': 'a node goes on without quorum, as no-quorum-policy=ignore: it does not reset when its ring loses quorum, and it fences and starts like a quorate one',
  },
  build({ n, maxFaults }, bug) {
    const Node = nodeId('node', n)
    const state = record({
      up: mapOf(Node, bool),
      side: mapOf(Node, int(0, 1)),
      member: mapOf(Node, setOf(Node)),
      clean: mapOf(Node, setOf(Node)),
      rsc: mapOf(Node, enumOf('stopped', 'mounted', 'started')),
      faults: int(0, maxFaults + 1),
    })
    type S = View<typeof state>
    const nodes = range(n)
    const quorate = (size: number) => 2 * size > n || bug === 'ignore-quorum'
    /** The nodes x can reach: up and on x's side. */
    const component = (s: S, x: number) => nodes.filter((y) => s.up.get(y) && s.side.get(y) === s.side.get(x))
    /** x's ring is intact: its membership is exactly the nodes it can reach. */
    const intact = (s: S, x: number) => {
      const c = component(s, x)
      const m = s.member.get(x)
      return m.size === c.length && c.every((y) => m.has(y))
    }

    return protocol({
      state,
      actions: {
        Reform: { x: Node },
        Fence: { x: Node, y: Node },
        Start: { x: Node },
        StartDb: { x: Node },
        Stop: { x: Node },
        Crash: { x: Node },
        Restart: { x: Node },
        Partition: { x: Node },
      },

      init(emit) {
        emit((d) => {
          for (const x of nodes) {
            d.up.set(x, true)
            for (const y of nodes) d.member.get(x).add(y)
          }
        })
      },

      next(s, emit) {
        for (const x of nodes) {
          if (s.up.get(x)) {
            const c = component(s, x)
            const ok = intact(s, x)
            if (c[0] === x && c.some((y) => !intact(s, y))) {
              emit('Reform', { x }, (d) => {
                const selfFence = !quorate(c.length)
                for (const y of c) {
                  d.member.get(y).clear()
                  if (selfFence) {
                    d.up.set(y, false)
                    d.rsc.set(y, 'stopped')
                    d.clean.get(y).clear()
                    continue
                  }
                  for (const z of c) {
                    d.member.get(y).add(z)
                    d.clean.get(y).delete(z)
                  }
                }
              })
            }
            const member = s.member.get(x)
            if (ok && quorate(member.size)) {
              for (const y of nodes) {
                if (member.has(y) || s.clean.get(x).has(y)) continue
                if (!s.up.get(y) || intact(s, y)) emit('Fence', { x, y }, (d) => d.clean.get(x).add(y))
              }
              const busy = nodes.some((y) => member.has(y) && s.rsc.get(y) !== 'stopped')
              const fenced = nodes.every((y) => member.has(y) || s.clean.get(x).has(y))
              if (!busy && (fenced || bug === 'no-fencing')) emit('Start', { x }, (d) => d.rsc.set(x, 'mounted'))
            }
            if (s.rsc.get(x) === 'mounted') emit('StartDb', { x }, (d) => d.rsc.set(x, 'started'))
            if (ok && s.rsc.get(x) === 'started') emit('Stop', { x }, (d) => d.rsc.set(x, 'stopped'))
            emit('Crash', { x }, (d) => {
              d.up.set(x, false)
              d.rsc.set(x, 'stopped')
              d.member.get(x).clear()
              d.clean.get(x).clear()
              d.faults = s.faults + 1
            })
          } else {
            emit('Restart', { x }, (d) => d.up.set(x, true))
          }
          emit('Partition', { x }, (d) => {
            d.side.set(x, 1 - s.side.get(x))
            d.faults = s.faults + 1
          })
        }
      },

      within: (s) => s.faults <= maxFaults,

      always: {
        TypeOK: wellTyped,
        ExclusiveStorage: (s) => nodes.filter((x) => s.rsc.get(x) !== 'stopped').length <= 1,
        OneRunning: (s) => nodes.filter((x) => s.rsc.get(x) === 'started').length <= 1,
      },
      sometimes: {
        // The database runs.
        Running: (s) => s.rsc.some((r) => r === 'started'),
        // It runs on a node that has fenced another: a recovery after fencing.
        RecoveredAfterFencing: (s) => nodes.some((x) => s.rsc.get(x) === 'started' && s.clean.get(x).size > 0),
        // It runs while the network is split and the other side has a node up.
        RunsDuringSplit: (s) => nodes.some((x) => s.rsc.get(x) === 'started' && nodes.some((y) => s.up.get(y) && s.side.get(y) !== s.side.get(x))),
        // After faults, every node is up again in one full ring.
        Rejoined: (s) => s.faults > 0 && nodes.every((x) => s.up.get(x) && s.member.get(x).size === n),
      },
      // Nodes have one vote each and quorum is a count: no step or property depends on which id
      // is which (Reform's pick is the lowest id of the ring, a name, not a choice).
      symmetric: ['node'],
    })
  },
})
