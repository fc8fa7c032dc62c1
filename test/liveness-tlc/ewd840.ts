// Dijkstra's EWD 840 termination detection on a ring, ported from tlaplus/Examples
// specifications/ewd840/EWD840.tla (Merz), to compare liveness verdicts and state counts
// with TLC. Variables active, color, tpos, tcolor as in the spec. The spec's fairness is
// WF_vars(System) on the whole token-passing disjunction, so System is one action with no
// picks here (InitiateProbe and PassToken(i) its branches: the token's place decides which
// is enabled); SendMsg and Deactivate, the environment, are unfair.
// Properties: Liveness ((\A i: ~active[i]) ~> terminationDetected) holds; FalseLiveness3
// (<>terminationDetected) fails, since the nodes may keep waking each other up.

import { defineModel, protocol, range } from '../../checker/model.js'
import { bool, enumOf, mapOf, nodeId, record } from '../../checker/schema.js'

export const ewd840 = (n: number) =>
  defineModel({
    name: 'ewd840',
    summary: 'EWD 840 termination detection (tlaplus/Examples)',
    params: {},
    bugs: {},
    build() {
      const Node = nodeId('node', n)
      const nodes = range(n)
      const Color = enumOf('white', 'black')
      return protocol({
        state: record({ active: mapOf(Node, bool), color: mapOf(Node, Color), tpos: Node, tcolor: Color }),
        actions: { System: {}, SendMsg: { i: Node, j: Node }, Deactivate: { i: Node } },
        init(emit) {
          for (let activeMask = 0; activeMask < 1 << n; activeMask++) {
            for (let blackMask = 0; blackMask < 1 << n; blackMask++) {
              for (const tpos of nodes) {
                emit((d) => {
                  for (const i of nodes) {
                    d.active.set(i, (activeMask & (1 << i)) !== 0)
                    d.color.set(i, blackMask & (1 << i) ? 'black' : 'white')
                  }
                  d.tpos = tpos
                  d.tcolor = 'black'
                })
              }
            }
          }
        },
        next(s, emit) {
          const t = s.tpos
          // TLC generates one successor per true disjunct of a guard; so do these loops,
          // for the same generated-state count (the successors are equal).
          if (t === 0) {
            for (const enabled of [s.tcolor === 'black', s.color.get(0) === 'black']) {
              if (!enabled) continue
              emit('System', {}, (d) => {
                d.tpos = n - 1
                d.tcolor = 'white'
                d.color.set(0, 'white')
              })
            }
          } else {
            for (const enabled of [!s.active.get(t), s.color.get(t) === 'black', s.tcolor === 'black']) {
              if (!enabled) continue
              emit('System', {}, (d) => {
                d.tpos = t - 1
                if (s.color.get(t) === 'black') d.tcolor = 'black'
                d.color.set(t, 'white')
              })
            }
          }
          for (const i of nodes) {
            if (!s.active.get(i)) continue
            for (const j of nodes) {
              if (j === i) continue
              emit('SendMsg', { i, j }, (d) => {
                d.active.set(j, true)
                if (j > i) d.color.set(i, 'black')
              })
            }
            emit('Deactivate', { i }, (d) => d.active.set(i, false))
          }
        },
        always: {
          TerminationDetection: (s) => !terminationDetected(s) || nodes.every((i) => !s.active.get(i)),
        },
        leadsTo: { Liveness: { from: (s) => nodes.every((i) => !s.active.get(i)), to: terminationDetected } },
        eventually: { FalseLiveness3: terminationDetected },
        fairness: { System: 'weak' },
      })
    },
  })

function terminationDetected(s: { tpos: number; tcolor: string; color: { get(i: number): string }; active: { get(i: number): boolean } }): boolean {
  return s.tpos === 0 && s.tcolor === 'white' && s.color.get(0) === 'white' && !s.active.get(0)
}
