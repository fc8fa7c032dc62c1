// Chang and Roberts' leader election on a unidirectional ring, ported from tlaplus/Examples
// specifications/chang_roberts/ChangRoberts.tla (Merz), to compare liveness verdicts and
// state counts with TLC. Variables: msgs, pc, initiator, state, as in the spec (nodes
// 0-based). Ids are the spec's constant Id, here <<2, 3, 1>>. TLC's node(self) is the one
// action `node` with pick `self` (n0 and n1 are its two branches; n1's choice of message is
// not a pick), so that fairness per instance is TLC's \A self: WF_vars(node(self)).
// `Liveness` ((\E n: cand) => <>(\E n: won)) is the leadsTo below: won is stable and a
// candidate exists in some state iff one exists initially, so the two agree.

import { defineModel, protocol, range } from '../../checker/model.js'
import { bool, enumOf, int, mapOf, nodeId, record, setOf } from '../../checker/schema.js'

const IDS = [2, 3, 1]

export const changRoberts = (fair: boolean) =>
  defineModel({
    name: fair ? 'chang-roberts' : 'chang-roberts-unfair',
    summary: 'Chang-Roberts leader election (tlaplus/Examples)',
    params: {},
    bugs: {},
    build() {
      const n = IDS.length
      const Node = nodeId('node', n)
      const nodes = range(n)
      const succ = (i: number) => (i + 1) % n
      return protocol({
        state: record({
          msgs: mapOf(Node, setOf(int(1, n))),
          pc: mapOf(Node, enumOf('n0', 'n1')),
          initiator: mapOf(Node, bool),
          state: mapOf(Node, enumOf('cand', 'lost', 'won')),
        }),
        actions: { node: { self: Node } },
        init(emit) {
          for (let mask = 0; mask < 1 << n; mask++) {
            emit((d) => {
              for (const i of nodes) {
                const initiator = (mask & (1 << i)) !== 0
                d.initiator.set(i, initiator)
                d.state.set(i, initiator ? 'cand' : 'lost')
                d.pc.set(i, 'n0')
              }
            })
          }
        },
        next(s, emit) {
          for (const self of nodes) {
            if (s.pc.get(self) === 'n0') {
              emit('node', { self }, (d) => {
                if (s.initiator.get(self)) d.msgs.get(succ(self)).add(IDS[self])
                d.pc.set(self, 'n1')
              })
              continue
            }
            for (const id of s.msgs.get(self)) {
              emit('node', { self }, (d) => {
                d.msgs.get(self).delete(id)
                if (s.state.get(self) === 'lost') d.msgs.get(succ(self)).add(id)
                else if (id < IDS[self]) {
                  d.state.set(self, 'lost')
                  d.msgs.get(succ(self)).add(id)
                } else if (id === IDS[self]) d.state.set(self, 'won')
              })
            }
          }
        },
        always: {
          Correctness: (s) =>
            nodes.every((i) =>
              s.state.get(i) !== 'won' ||
              (s.initiator.get(i) && nodes.every((m) => m === i || (s.state.get(m) === 'lost' && (!s.initiator.get(m) || IDS[m] > IDS[i]))))),
        },
        leadsTo: {
          Liveness: { from: (s) => nodes.some((i) => s.state.get(i) === 'cand'), to: (s) => nodes.some((i) => s.state.get(i) === 'won') },
        },
        fairness: fair ? { node: 'weak' } : {},
      })
    },
  })
