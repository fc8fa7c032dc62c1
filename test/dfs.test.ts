// Depth-first search: the same distinct counts and verdicts as breadth-first search on
// every model, counterexamples that are real paths, and the same bounds.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { findModel } from './helpers/models.js'
import { pathProblem } from './helpers/path-check.js'
import { tlcDistinctCounts } from './helpers/pins.js'

const run = (strategy: string, model: string, params: Record<string, number>, bug?: string, options = {}) => {
  const instance = Instance.create(findModel(model), params, bug)
  return { instance, result: check(instance, strategy, options) }
}

for (const [model, rm, distinct] of tlcDistinctCounts) {
  test(`dfs ${model} rm=${rm}: ${distinct} distinct states and the generated count of bfs`, () => {
    const d = run('dfs', model, { rm }).result
    const b = run('bfs', model, { rm }).result
    assert.is(d.result, 'safe')
    assert.is(d.distinctStates, distinct)
    assert.is(d.generatedStates, b.generatedStates)
    assert.equal(d.coverage, b.coverage)
  })
}

for (const [model, bug] of [
  ['two-phase-commit', 'commit-on-any-prepared'],
  ['two-phase-commit', 'abort-after-prepare'],
  ['two-phase-commit', 'commit-after-abort'],
  ['transaction-commit', 'abort-despite-commit'],
]) {
  test(`dfs ${model} --bug ${bug}: violation with a real path ending in the bad state`, () => {
    const { instance, result } = run('dfs', model, { rm: 3 }, bug)
    assert.is(result.result, 'violation')
    assert.is(result.property, 'TCConsistent')
    assert.is(pathProblem(instance, result.path!), null)
    assert.not.ok(instance.holds('TCConsistent', result.path!.at(-1)!.state))
    assert.ok(result.path!.slice(0, -1).every((s) => instance.holds('TCConsistent', s.state)))
  })
}

test('dfs finds the deadlock bfs finds, with a real path', () => {
  const model = findModel('transaction-commit')
  const noTerminal = { ...model, build: (p: any, bug: any) => ({ ...model.build(p, bug), terminal: undefined }) }
  const instance = Instance.create(noTerminal, { rm: 2 })
  const r = check(instance, 'dfs')
  assert.is(r.result, 'deadlock')
  assert.is(pathProblem(instance, r.path!), null)
  let successors = 0
  instance.successors(r.path!.at(-1)!.state, 0, () => successors++)
  assert.is(successors, 0)
})

test('dfs bounds: --max-depth and --max-states give incomplete, never safe', () => {
  const depth = run('dfs', 'two-phase-commit', { rm: 3 }, undefined, { maxDepth: 4 }).result
  assert.is(depth.result, 'incomplete')
  assert.match(depth.reason!, /--max-depth 4/)
  const states = run('dfs', 'two-phase-commit', { rm: 3 }, undefined, { maxStates: 50 }).result
  assert.is(states.result, 'incomplete')
  assert.ok(states.distinctStates >= 50 && states.distinctStates < 288)
})

test.run()
