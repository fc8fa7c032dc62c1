// Step properties (TLA+'s [][A]_vars): checked on every step the search generates, including a
// step to a visited state, a step that changes nothing and a step leaving the constraint, in
// bfs, dfs, parallel workers and simulation; a broken one is a counterexample ending with the
// offending step.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check, checkAsync } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { loadModelModule } from '../checker/load.js'
import type { Step } from '../checker/path.js'
import type { SearchResult } from '../checker/search.js'
import { simulate } from '../checker/simulate.js'
import { simulateInWorkers } from '../checker/swarm.js'
import { minimizePath } from '../checker/minimize.js'
import { simulate as simulateModel } from '../api/simulate.js'
import { recheckTrace } from '../suite/recheck.js'
import { traceFromPath } from '../traces/itf.js'
import { verdictOf } from '../traces/show/text.js'
import { runCliJson } from './helpers/cli.js'
import { pathProblem } from './helpers/path-check.js'

const modelFile = new URL('./helpers/step-model.js', import.meta.url)
const counter = await loadModelModule(modelFile)
const instanceWith = (bug?: string, properties?: string[]) => Instance.create(counter, { max: 3 }, bug, properties)
const numbers = (instance: Instance, path: readonly Step[]): number[] => path.map((s) => (instance.schema.decode(s.state) as unknown as { n: number }).n)

/** Each bug, the step property it breaks, and the shortest counterexample (n along the path, actions). */
const broken = [
  { bug: 'step-back', property: 'NeverBack', ns: [0, 1, 2, 1], last: 'Back', why: 'a step to a visited state' },
  { bug: 'idle', property: 'NoIdle', ns: [0, 1, 2, 2], last: 'Idle', why: 'a step that changes nothing' },
  { bug: 'jump-at-max', property: 'IncByOne', ns: [0, 1, 2, 3, 5], last: 'Inc', why: 'a step leaving the constraint' },
]

const strategies: [string, (instance: Instance) => Promise<SearchResult> | SearchResult][] = [
  ['bfs', (i) => check(i, 'bfs')],
  ['dfs', (i) => check(i, 'dfs')],
  ['bfs --workers 2', (i) => checkAsync(i, 'bfs', { workers: 2 })],
]

test('without a bug the step properties hold: safe, the 4 states of n = 0..3', () => {
  const r = check(instanceWith(), 'bfs')
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 4)
})

for (const [name, run] of strategies) {
  // Worker threads take seconds to start: one case for them.
  for (const { bug, property, ns, last, why } of name.includes('workers') ? broken.slice(0, 1) : broken) {
    test(`${name}: ${why} breaks ${property}; the trace ends with that step`, async () => {
      const instance = instanceWith(bug)
      const r = await run(instance)
      assert.is(r.result, 'violation')
      assert.is(r.property, property)
      assert.is(r.error, null)
      assert.is(pathProblem(instance, r.path!), null)
      assert.equal(numbers(instance, r.path!), ns)
      assert.is(r.path!.at(-1)!.action, last)
      const [before, after] = r.path!.slice(-2)
      assert.not.ok(instance.holdsOnStep(property, before.state, after, after.state))
    })
  }
}

test('simulate: a broken step property is found, on one thread and on workers alike', async () => {
  const instance = instanceWith('step-back')
  const one = simulate(instance, { seed: 1, runs: 20, depth: 10 })
  assert.is(one.result, 'violation')
  assert.is(one.property, 'NeverBack')
  assert.equal(numbers(instance, one.path!), [0, 1, 2, 1])
  const many = await simulateInWorkers(instance, { seed: 1, runs: 20, depth: 10 }, 2)
  assert.is(many.property, 'NeverBack')
  assert.equal(numbers(instance, many.path!), [0, 1, 2, 1])
  // A step that leaves the constraint is checked too, though a walk never takes it.
  const outside = simulate(instanceWith('jump-at-max'), { seed: 1, runs: 20, depth: 10 })
  assert.is(outside.property, 'IncByOne')
})

test('minimize keeps a trace ending in the broken step; simulate minimises such walks', async () => {
  const instance = instanceWith('step-back')
  const r = check(instance, 'bfs')
  const kept = minimizePath(instance, r.path!, { result: 'violation', property: 'NeverBack' })
  assert.equal(numbers(instance, kept.path), [0, 1, 2, 1])
  // A path whose last step breaks nothing is refused.
  assert.throws(() => minimizePath(instance, r.path!.slice(0, 3), { result: 'violation', property: 'NeverBack' }), /does not violate NeverBack/)
  const { result, trace } = await simulateModel(counter, { bug: 'step-back', seed: 2, runs: 5, depth: 10 })
  assert.is(result.property, 'NeverBack')
  assert.is(trace!.states.length, 4)
})

test('--property selects step properties: checking only IncByOne, the step back is no violation', () => {
  const only = instanceWith('step-back', ['IncByOne'])
  assert.equal(only.stepProperties.map((p) => p.name), ['IncByOne'])
  assert.equal(only.invariants, [])
  assert.is(check(only, 'bfs').result, 'safe')
  assert.is(check(instanceWith('step-back', ['NeverBack']), 'bfs').property, 'NeverBack')
})

test('the trace: #meta says the property is a step property, and show says the last step breaks it', () => {
  const instance = instanceWith('step-back')
  const r = check(instance, 'bfs')
  const trace = traceFromPath(instance, r.path!, { result: r.result, property: r.property })
  assert.is(trace['#meta'].propertyKind, 'step')
  assert.is(verdictOf(trace), 'NeverBack is violated by step 3')
})

test('a recorded trace is re-checked against the step properties too', () => {
  const instance = instanceWith('step-back')
  const r = check(instance, 'bfs')
  const trace = traceFromPath(instance, r.path!, { result: r.result, property: r.property })
  const again = recheckTrace(instance, trace)
  assert.is(again.result, 'violation')
  assert.is(again.property, 'NeverBack')
  assert.is(again.path!.length, 4)
})

test('check --property NAME selects a step property on the command line', () => {
  const { code, report } = runCliJson(['check', modelFile.pathname, '--bug', 'step-back', '--property', 'IncByOne'])
  assert.is(code, 0)
  assert.is(report.result, 'safe')
})

test('list --json shows each step property with kind "step"', () => {
  const { code, report } = runCliJson(['list', modelFile.pathname])
  assert.is(code, 0)
  const kinds = Object.fromEntries(report.models[0].properties.map((p: { name: string; kind: string }) => [p.name, p.kind]))
  assert.equal(kinds, { Readable: 'always', ReachesTwo: 'sometimes', NeverBack: 'step', IncByOne: 'step', NoIdle: 'step' })
})

test.run()
