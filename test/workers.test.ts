// --workers: a parallel breadth-first search must give exactly what one worker gives:
// distinct and generated counts, verdicts, and counterexamples that are real and shortest.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check, checkAsync } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { findModel } from './helpers/models.js'
import { runCliJson } from './helpers/cli.js'
import { pathProblem } from './helpers/path-check.js'
import { tlcDistinctCounts } from './helpers/pins.js'

const parallel = (model: string, rm: number, options: Record<string, unknown> = {}, bug?: string) => {
  const instance = Instance.create(findModel(model), { rm }, bug)
  return { instance, run: checkAsync(instance, 'bfs', { workers: 2, ...options }) }
}

for (const [model, rm, distinct] of tlcDistinctCounts) {
  test(`--workers 2 ${model} rm=${rm}: ${distinct} distinct, and generated, depth and coverage of one worker`, async () => {
    const r = await parallel(model, rm).run
    const one = check(Instance.create(findModel(model), { rm }), 'bfs')
    assert.is(r.result, 'safe')
    assert.is(r.distinctStates, distinct)
    assert.is(r.generatedStates, one.generatedStates)
    assert.is(r.depth, one.depth)
    assert.equal(r.coverage, one.coverage)
  })
}

test('--workers 2 while the shared table doubles (two-phase-commit rm=6 outgrows 2^16 slots)', async () => {
  const r = await parallel('two-phase-commit', 6).run
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 50816)
})

for (const [model, bug] of [
  ['two-phase-commit', 'commit-on-any-prepared'],
  ['two-phase-commit', 'abort-after-prepare'],
  ['two-phase-commit', 'commit-after-abort'],
  ['transaction-commit', 'abort-despite-commit'],
]) {
  test(`--workers 2 ${model} --bug ${bug}: a real counterexample, as short as one worker's`, async () => {
    const { instance, run } = parallel(model, 3, {}, bug)
    const r = await run
    assert.is(r.result, 'violation')
    assert.is(r.property, 'TCConsistent')
    assert.is(pathProblem(instance, r.path!), null)
    assert.not.ok(instance.holds('TCConsistent', r.path!.at(-1)!.state))
    assert.is(r.path!.length, check(Instance.create(findModel(model), { rm: 3 }, bug), 'bfs').path!.length)
  })
}

test('--workers 2 with --symmetry: the classes of one worker', async () => {
  const instance = Instance.create(findModel('two-phase-commit'), { rm: 4 })
  const r = await checkAsync(instance, 'bfs', { workers: 2, symmetry: new Symmetry(instance.schema, ['rm']) })
  assert.is(r.distinctStates, 166)
})

test('--workers 2 bounds: --max-states and --max-depth give incomplete', async () => {
  const states = await parallel('two-phase-commit', 5, { maxStates: 1000 }).run
  assert.is(states.result, 'incomplete')
  assert.match(states.reason!, /--max-states 1000/)
  const depth = await parallel('two-phase-commit', 5, { maxDepth: 5 }).run
  assert.is(depth.result, 'incomplete')
  assert.match(depth.reason!, /--max-depth 5/)
})

test('--workers on the CLI; a model not loaded from a module cannot run on workers', async () => {
  const { code, report } = runCliJson(['check', 'two-phase-commit', '--param', 'rm=5', '--workers', '2'])
  assert.is(code, 0)
  assert.is(report.distinctStates, 8832)
  const model = findModel('two-phase-commit')
  const copy = { ...model }
  // Safety properties only: a liveness check (EveryRMDecides) runs on one thread, whatever --workers says.
  await checkAsync(Instance.create(copy, { rm: 3 }, undefined, ['TypeOK', 'TCConsistent']), 'bfs', { workers: 2 }).then(
    () => assert.unreachable('a model with no module ran on workers'),
    (e: Error) => assert.match(e.message, /two-phase-commit must be loaded from a module file/),
  )
})

test.run()
