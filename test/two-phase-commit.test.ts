// two-phase-commit and transaction-commit must reach exactly TLC's counts on the
// tlaplus/Examples specs they follow (TLC 2.20), and every bug must be found.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { findModel } from './helpers/models.js'

const run = (model: string, rm: number, bug?: string) => bfs(Instance.create(findModel(model), { rm }, bug))

// [rm, distinct, generated or undefined where TLC's figure is not recorded here]
const twoPhase: [number, number, number?, number?][] = [
  [3, 288, 1146, 11],
  [4, 1568],
  [5, 8832],
  [6, 50816],
]
for (const [rm, distinct, generated, depth] of twoPhase) {
  test(`two-phase-commit rm=${rm}: ${distinct} distinct states, as TLC`, () => {
    const r = run('two-phase-commit', rm)
    assert.is(r.result, 'safe')
    assert.is(r.distinctStates, distinct)
    if (generated !== undefined) assert.is(r.generatedStates, generated)
    if (depth !== undefined) assert.is(r.depth, depth)
  })
}

for (const [rm, distinct] of [[3, 34], [5, 274]]) {
  test(`transaction-commit rm=${rm}: ${distinct} distinct states, as TLC; final states are terminal`, () => {
    const r = run('transaction-commit', rm)
    assert.is(r.result, 'safe')
    assert.is(r.distinctStates, distinct)
  })
}

test('transaction-commit: without `terminal`, its final states would be deadlocks', () => {
  const model = findModel('transaction-commit')
  const noTerminal = { ...model, build: (p: any, bug: any) => ({ ...model.build(p, bug), terminal: undefined }) }
  const r = bfs(Instance.create(noTerminal, { rm: 2 }))
  assert.is(r.result, 'deadlock')
  const last = r.path!.at(-1)!
  const decoded = Instance.create(noTerminal, { rm: 2 }).schema.decode(last.state) as any
  assert.ok(decoded.rmState.every((v: string) => v === 'committed' || v === 'aborted'))
})

const bugs: [string, string, number][] = [
  // model, bug, length of the shortest counterexample (states, initial included)
  ['two-phase-commit', 'commit-on-any-prepared', 6],
  ['two-phase-commit', 'abort-after-prepare', 10],
  ['two-phase-commit', 'commit-after-abort', 11],
  ['transaction-commit', 'abort-despite-commit', 6],
]
for (const [model, bug, length] of bugs) {
  test(`${model} --bug ${bug}: TCConsistent violated, shortest trace ${length} states`, () => {
    const instance = Instance.create(findModel(model), { rm: 3 }, bug)
    const r = bfs(instance)
    assert.is(r.result, 'violation')
    assert.is(r.property, 'TCConsistent')
    assert.is(r.path!.length, length)
    assert.is(r.path![0].action, 'init')
    // The last state really breaks the property, and no earlier one does.
    const states = r.path!.map((s) => s.state)
    assert.not.ok(instance.holds('TCConsistent', states.at(-1)!))
    assert.ok(states.slice(0, -1).every((s) => instance.holds('TCConsistent', s)))
  })
}

test('the correct models satisfy their sometimes-properties; removing the commit path fails one', () => {
  const model = findModel('two-phase-commit')
  const noCommit = {
    ...model,
    build: (p: any, bug: any) => {
      const protocol = model.build(p, bug)
      // Drop TMCommit: the model stays safe, but AllCommitted becomes unreachable.
      return { ...protocol, next: (s: any, emit: any) => protocol.next(s, (a: string, picks: any, w: any) => a !== 'TMCommit' && emit(a, picks, w)) }
    },
  }
  const r = bfs(Instance.create(noCommit, { rm: 2 }))
  assert.is(r.result, 'never-witnessed')
  assert.is(r.property, 'AllCommitted')
  assert.is(r.path, null)
  assert.is(r.coverage.TMCommit, 0)
})

test.run()
