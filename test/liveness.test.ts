// The liveness engine on graphs chosen by hand, each case a way a checker goes wrong:
// fairness judged on states instead of edges (tlaplus#201), enabledness that forgets steps
// leaving the region, strong fairness that needs refinement, constraints that make liveness
// pass vacuously (tlaplus#839), symmetry (tlaplus#59, #644), several workers (tlaplus#971).

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../api/check.js'
import { checkAsync } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import type { SearchResult } from '../checker/search.js'
import { checkGraph, graphModel, type GraphEdge, type GraphSpec } from './helpers/graph-model.js'

async function run(spec: GraphSpec, property: 'EventuallyQ' | 'PLeadsToQ', settings = {}): Promise<SearchResult> {
  const { result, problem } = await checkGraph(spec, property, settings)
  assert.is(problem, null, `the lasso is a real fair counterexample: ${problem}`)
  return result
}

test('with no fairness, stuttering at the start violates eventually: a one-state lasso', async () => {
  const r = await run({ nodes: 2, initial: [0], edges: [{ from: 0, to: 1, action: 'Unfair', k: 0 }], p: [], q: [1] }, 'EventuallyQ')
  assert.is(r.result, 'violation')
  assert.is(r.path!.length, 1)
  assert.is(r.loop, 0)
})

test('weak fairness of the only step to q makes eventually q hold', async () => {
  const r = await run({ nodes: 2, initial: [0], edges: [{ from: 0, to: 1, action: 'Weak', k: 0 }], p: [], q: [1] }, 'EventuallyQ')
  assert.is(r.result, 'safe')
})

test('enabledness counts the steps leaving the not-q states (a region-only check would stutter at 0 bogusly)', async () => {
  // Weak0's only step leaves the not-q states: it is enabled at 0 all the same, so
  // stuttering at 0 is unfair. Computing enabledness from the edges among not-q states
  // would call Weak0 disabled at 0 and report a bogus stuttering lasso.
  const r = await run({ nodes: 2, initial: [0], p: [], q: [1], edges: [{ from: 0, to: 1, action: 'Weak', k: 0 }] }, 'EventuallyQ')
  assert.is(r.result, 'safe')
})

test('fairness is judged on the edges a cycle takes, not on its states (tlaplus#201)', async () => {
  // 0 <-> 2 by unfair steps; Weak0 leads from both 0 and 2 to q. Weak0 is enabled at every
  // state of the cycle and taken on none of its edges: the cycle is unfair and q comes. A
  // check that counted Weak0 as occurring on the cycle because its states have Weak0 steps
  // (or were entered by one) would report a bogus lasso.
  const edges: GraphEdge[] = [
    { from: 0, to: 2, action: 'Unfair', k: 0 },
    { from: 2, to: 0, action: 'Unfair', k: 0 },
    { from: 0, to: 1, action: 'Weak', k: 0 },
    { from: 2, to: 1, action: 'Weak', k: 0 },
  ]
  assert.is((await run({ nodes: 3, initial: [0], p: [], q: [1], edges }, 'EventuallyQ')).result, 'safe')
  // When the cycle's own step 2 -> 0 is a Weak0 step, the cycle takes it: fair, q avoided.
  const taken = edges.map((e) => (e.from === 2 && e.to === 0 ? { ...e, action: 'Weak' as const } : e))
  const r = await run({ nodes: 3, initial: [0], p: [], q: [1], edges: taken }, 'EventuallyQ')
  assert.is(r.result, 'violation')
  assert.ok(r.loop! > 0 && r.loop! < r.path!.length - 1, 'the lasso has a real cycle')
})

test('strong fairness refines the component: a step enabled infinitely often must be taken', async () => {
  // 0 <-> 2 unfairly; Strong0 enabled at 2 only (2 -> 1 q). Weakly fair would allow the cycle
  // (Strong0 disabled at 0); strongly fair forbids it, and stuttering at 2 too; stuttering
  // at 0 is fair (nothing fair enabled there), so eventually q fails by stuttering at 0.
  const edges: GraphEdge[] = [
    { from: 0, to: 2, action: 'Unfair', k: 0 },
    { from: 2, to: 0, action: 'Unfair', k: 0 },
    { from: 2, to: 1, action: 'Strong', k: 0 },
  ]
  const r = await run({ nodes: 3, initial: [0], p: [], q: [1], edges: edges }, 'EventuallyQ')
  assert.is(r.result, 'violation')
  assert.is(r.loop, r.path!.length - 1, 'the only fair way to avoid q is to stutter at 0')
  // With a weakly fair step at 0 leading on, stuttering at 0 is unfair too: q must come.
  const forced = await run({ nodes: 3, initial: [0], p: [], q: [1], edges: [...edges, { from: 0, to: 2, action: 'Weak', k: 0 }] }, 'EventuallyQ')
  assert.is(forced.result, 'safe')
})

test('leadsTo: a p-state followed by a fair not-q cycle; vacuous when p is unreachable', async () => {
  const edges: GraphEdge[] = [
    { from: 0, to: 1, action: 'Weak', k: 0 },
    { from: 1, to: 2, action: 'Weak', k: 0 },
    { from: 2, to: 1, action: 'Weak', k: 1 },
  ]
  const r = await run({ nodes: 4, initial: [0], p: [1], q: [3], edges: edges }, 'PLeadsToQ')
  assert.is(r.result, 'violation')
  const vacuous = await run({ nodes: 4, initial: [0], p: [3], q: [0], edges: edges }, 'PLeadsToQ')
  assert.is(vacuous.result, 'safe')
  assert.equal(vacuous.vacuous, ['PLeadsToQ'])
  const held = await run({ nodes: 4, initial: [0], p: [1], q: [2], edges: edges }, 'PLeadsToQ')
  assert.is(held.result, 'safe')
  assert.equal(held.vacuous, [])
})

test('a cut-off state the verdict depends on makes it incomplete, never safe (tlaplus#839)', async () => {
  // 0 -> 1 (weak) and 1 is outside the constraint: whether q comes after 1 is unknown.
  const spec: GraphSpec = { nodes: 3, initial: [0], p: [0], q: [2], outside: [1], edges: [{ from: 0, to: 1, action: 'Weak', k: 0 }, { from: 1, to: 2, action: 'Weak', k: 0 }] }
  const eventually = await run(spec, 'EventuallyQ')
  assert.is(eventually.result, 'incomplete')
  assert.match(eventually.reason!, /outside the model's constraint/)
  assert.is((await run(spec, 'PLeadsToQ')).result, 'incomplete')
  // If q already held before the cut-off, `eventually q` does not depend on it.
  const before = await run({ ...spec, q: [0] }, 'EventuallyQ')
  assert.is(before.result, 'safe')
  // A violation inside the stored graph is reported all the same.
  // (0 -> 3 unfairly, and 3 has no step: stuttering at 3 is fair and q never comes.)
  const violated = await run({ ...spec, nodes: 4, edges: [...spec.edges, { from: 0, to: 3, action: 'Unfair', k: 1 }] }, 'EventuallyQ')
  assert.is(violated.result, 'violation')
})

test('a search stopped early is never safe for liveness', async () => {
  const spec: GraphSpec = { nodes: 3, initial: [0], p: [], q: [2], edges: [{ from: 0, to: 1, action: 'Weak', k: 0 }, { from: 1, to: 2, action: 'Weak', k: 0 }] }
  assert.is((await run(spec, 'EventuallyQ')).result, 'safe')
  assert.is((await run(spec, 'EventuallyQ', { maxDepth: 2 })).result, 'incomplete')
  assert.is((await run(spec, 'EventuallyQ', { maxStates: 2 })).result, 'incomplete')
})

test('--workers gives the verdicts of one worker; --symmetry and dfs are refused', async () => {
  const spec: GraphSpec = { nodes: 3, initial: [0], p: [0], q: [2], edges: [{ from: 0, to: 1, action: 'Weak', k: 0 }, { from: 1, to: 0, action: 'Weak', k: 1 }] }
  for (const property of ['EventuallyQ', 'PLeadsToQ'] as const) {
    const one = await run(spec, property)
    const many = await run(spec, property, { workers: 3 })
    assert.is(many.result, one.result)
    assert.is(many.result, 'violation')
    assert.is(many.loop, one.loop)
  }
  const model = graphModel(spec)
  let refused = ''
  // (The graph model declares no symmetric roles; any symmetry at all is refused before use.)
  try {
    await checkAsync(Instance.create(model, {}, undefined, ['EventuallyQ']), 'bfs', { symmetry: {} as never })
  } catch (e) {
    refused = (e as Error).message
  }
  assert.match(refused, /--symmetry cannot check the liveness properties/)
  await check(model, { strategy: 'dfs', properties: ['EventuallyQ'] }).catch((e) => (refused = e.message))
  assert.match(refused, /breadth-first search only, not dfs/)
  // Left to the default (every property), dfs checks the safety properties only.
  assert.is((await check(model, { strategy: 'dfs', deadlock: false })).report.result, 'safe')
  // Selecting only safety properties lifts the refusal.
  assert.is((await check(model, { strategy: 'dfs', properties: [], deadlock: false })).report.result, 'safe')
})

test.run()
