// The Chandy-Misra dining philosophers, ported from tlaplus/Examples
// specifications/DiningPhilosophers/DiningPhilosophers.tla (Hemphill), to compare liveness
// verdicts and state counts with TLC. Variables forks, pc, hungry as in the spec
// (philosophers and forks 0-based). TLC's Philosopher(self) (Loop, Think, Eat) is one
// action with pick `self`, so fairness per instance is \A self: WF_vars(Philosopher(self)).
// NobodyStarves (\A p: []<>~hungry[p]) is one leadsTo per philosopher: []<>Q is TRUE ~> Q.

import { defineModel, protocol, range } from '../../checker/model.js'
import { bool, enumOf, mapOf, nodeId, record } from '../../checker/schema.js'

export const diningPhilosophers = (np: number, fair: boolean) =>
  defineModel({
    name: 'dining-philosophers',
    summary: 'Chandy-Misra dining philosophers (tlaplus/Examples)',
    params: {},
    bugs: {},
    build() {
      const Philosopher = nodeId('philosopher', np)
      const Fork = nodeId('fork', np)
      const all = range(np)
      const leftFork = (p: number) => p
      const rightFork = (p: number) => (p + 1) % np
      const leftPhilosopher = (p: number) => (p + np - 1) % np
      const rightPhilosopher = (p: number) => (p + 1) % np
      type S = { forks: { get(f: number): { holder: number; clean: boolean } } }
      const canEat = (s: S, p: number) =>
        [leftFork(p), rightFork(p)].every((f) => s.forks.get(f).holder === p && s.forks.get(f).clean)
      return protocol({
        state: record({
          forks: mapOf(Fork, record({ holder: Philosopher, clean: bool })),
          pc: mapOf(Philosopher, enumOf('Loop', 'Eat', 'Think')),
          hungry: mapOf(Philosopher, bool),
        }),
        actions: { Philosopher: { self: Philosopher } },
        init(emit) {
          emit((d) => {
            for (const f of all) d.forks.set(f, { holder: f === 1 ? 0 : f, clean: false })
            for (const p of all) {
              d.hungry.set(p, true)
              d.pc.set(p, 'Loop')
            }
          })
        },
        next(s, emit) {
          for (const self of all) {
            const pc = s.pc.get(self)
            if (pc === 'Loop') {
              emit('Philosopher', { self }, (d) => {
                const left = s.forks.get(leftFork(self))
                const right = s.forks.get(rightFork(self))
                if (left.holder === self && !left.clean) d.forks.set(leftFork(self), { holder: leftPhilosopher(self), clean: true })
                else if (right.holder === self && !right.clean) d.forks.set(rightFork(self), { holder: rightPhilosopher(self), clean: true })
                // The spec's CanEat reads the forks before this step (unprimed).
                d.pc.set(self, s.hungry.get(self) ? (canEat(s, self) ? 'Eat' : 'Loop') : 'Think')
              })
            } else if (pc === 'Think') {
              emit('Philosopher', { self }, (d) => {
                d.hungry.set(self, true)
                d.pc.set(self, 'Loop')
              })
            } else {
              emit('Philosopher', { self }, (d) => {
                d.hungry.set(self, false)
                d.forks.set(leftFork(self), { holder: s.forks.get(leftFork(self)).holder, clean: false })
                d.forks.set(rightFork(self), { holder: s.forks.get(rightFork(self)).holder, clean: false })
                d.pc.set(self, 'Loop')
              })
            }
          }
        },
        always: {
          ExclusiveAccess: (s) =>
            all.every((p) => all.every((q) => p === q || !shareFork(p, q) || !(s.pc.get(p) === 'Eat' && s.pc.get(q) === 'Eat'))),
        },
        leadsTo: Object.fromEntries(all.map((p) => [`NobodyStarves${p + 1}`, { from: () => true, to: (s: { hungry: { get(p: number): boolean } }) => !s.hungry.get(p) }])),
        fairness: fair ? { Philosopher: 'weak' } : {},
      })
      function shareFork(p: number, q: number) {
        return [leftFork(p), rightFork(p)].some((f) => f === leftFork(q) || f === rightFork(q))
      }
    },
  })
