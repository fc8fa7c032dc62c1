// Evaluation errors: when the model's own code throws (a property, `within`, an action's write,
// `next` or `init`), the check reports a violation with error { in, name, message } and the
// trace to the state where it threw, in bfs, dfs, parallel workers and simulation, instead of
// ending in an internal error.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check, checkAsync } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { loadModelModule } from '../checker/load.js'
import type { Step } from '../checker/path.js'
import type { SearchResult } from '../checker/search.js'
import { simulate } from '../checker/simulate.js'
import { traceFromPath } from '../traces/itf.js'
import { itfProblem } from '../traces/validate.js'
import { verdictOf } from '../traces/show/text.js'
import { runCli, runCliJson } from './helpers/cli.js'
import { pathProblem } from './helpers/path-check.js'

const modelFile = new URL('./helpers/step-model.js', import.meta.url)
const counter = await loadModelModule(modelFile)
const instanceWith = (bug: string) => Instance.create(counter, { max: 3 }, bug)
const numbers = (instance: Instance, path: readonly Step[]): number[] => path.map((s) => (instance.schema.decode(s.state) as unknown as { n: number }).n)

/** Each bug: where the model throws, and the trace expected (n along it; every bug acts at n = 2). */
const throwing = [
  { bug: 'throw-in-invariant', error: { in: 'property', name: 'Readable', message: 'Readable cannot handle n = 2' }, ns: [0, 1, 2] },
  { bug: 'throw-in-sometimes', error: { in: 'property', name: 'ReachesTwo', message: 'ReachesTwo cannot handle n = 2' }, ns: [0, 1, 2] },
  { bug: 'throw-in-step-property', error: { in: 'property', name: 'NeverBack', message: 'NeverBack cannot handle n = 2' }, ns: [0, 1, 2] },
  { bug: 'throw-in-within', error: { in: 'property', name: 'within', message: 'within cannot handle n = 2' }, ns: [0, 1, 2] },
  // Asked only of a state with no step (n = 3 here), whether it is a proper end.
  { bug: 'throw-in-terminal', error: { in: 'property', name: 'terminal', message: 'terminal cannot handle n = 2' }, ns: [0, 1, 2, 3] },
  // An action that throws: the trace ends at the state being expanded.
  { bug: 'throw-in-next', error: { in: 'action', name: 'next', message: 'next cannot handle n = 2' }, ns: [0, 1, 2] },
  { bug: 'throw-in-write', error: { in: 'action', name: 'Inc', message: 'Inc cannot handle n = 2' }, ns: [0, 1, 2] },
] as const

const strategies: [string, (instance: Instance) => Promise<SearchResult> | SearchResult][] = [
  ['bfs', (i) => check(i, 'bfs')],
  ['dfs', (i) => check(i, 'dfs')],
]

for (const [name, run] of strategies) {
  for (const { bug, error, ns } of throwing) {
    test(`${name}: ${error.in} ${error.name} throws: a violation naming it, the trace ends where it threw`, async () => {
      const instance = instanceWith(bug)
      const r = await run(instance)
      assert.is(r.result, 'violation')
      assert.equal(r.error, error)
      assert.is(r.property, error.in === 'property' ? error.name : null)
      assert.is(pathProblem(instance, r.path!), null)
      assert.equal(numbers(instance, r.path!), ns)
    })
  }
}

test('bfs --workers 2: an action that throws in a worker is an evaluation error with its trace', async () => {
  const instance = instanceWith('throw-in-write')
  const r = await checkAsync(instance, 'bfs', { workers: 2 })
  assert.equal(r.error, { in: 'action', name: 'Inc', message: 'Inc cannot handle n = 2' })
  assert.equal(numbers(instance, r.path!), [0, 1, 2])
})

test('init that throws: an evaluation error with no trace (there is no state)', () => {
  for (const strategy of ['bfs', 'dfs']) {
    const r = check(instanceWith('throw-in-init'), strategy)
    assert.is(r.result, 'violation')
    assert.equal(r.error, { in: 'action', name: 'init', message: 'no initial counter' })
    assert.is(r.path, null)
  }
})

test('simulate: an evaluation error ends the walk, with the walk to the state where it threw', () => {
  for (const { bug, error, ns } of throwing) {
    const instance = instanceWith(bug)
    const r = simulate(instance, { seed: 3, runs: 5, depth: 10 })
    assert.is(r.result, 'violation', bug)
    assert.equal(r.error, error, bug)
    assert.equal(numbers(instance, r.path!), ns, bug)
  }
  const init = simulate(instanceWith('throw-in-init'), { seed: 3, runs: 5, depth: 10 })
  assert.equal(init.error?.name, 'init')
  assert.is(init.path, null)
})

test('the ITF trace: #meta.error says where the model threw; it is valid ITF and show names it', () => {
  const instance = instanceWith('throw-in-next')
  const r = check(instance, 'bfs')
  const trace = traceFromPath(instance, r.path!, { result: r.result, property: r.property, error: r.error })
  assert.equal(trace['#meta'].error, { in: 'action', name: 'next', message: 'next cannot handle n = 2' })
  assert.is(itfProblem(trace), null)
  assert.is(verdictOf(trace), 'action next threw expanding state 2: next cannot handle n = 2')
})

test('check --json: exit 1 and error { in, name, message }; the text names it, never an internal error', () => {
  const { code, report } = runCliJson(['check', modelFile.pathname, '--bug', 'throw-in-invariant'])
  assert.is(code, 1)
  assert.is(report.result, 'violation')
  assert.equal(report.error, { in: 'property', name: 'Readable', message: 'Readable cannot handle n = 2' })
  assert.is(report.traceLength, 3)
  const text = runCli(['check', modelFile.pathname, '--bug', 'throw-in-next'])
  assert.is(text.code, 1)
  assert.match(text.stdout, 'result: evaluation error: action next threw expanding the last state of the trace: next cannot handle n = 2')
  assert.not.match(text.stderr, 'internal error')
})

test.run()
