// The liveness engine against brute force on random small graphs: the engine's verdict
// (SCCs, fairness refinement) must equal the naive one (every candidate cycle enumerated,
// helpers/graph-model.ts), and each lasso it reports must be a real fair counterexample
// (helpers/lasso-check.ts). Self-loops, several instances per action, weak, strong and
// unfair actions all occur.

import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkGraph, naiveViolates, PICKS, type GraphSpec } from './helpers/graph-model.js'

const graphs: fc.Arbitrary<GraphSpec> = fc.integer({ min: 1, max: 5 }).chain((nodes) => {
  const node = fc.integer({ min: 0, max: nodes - 1 })
  const nodeSet = fc.uniqueArray(node, { maxLength: nodes })
  return fc.record({
    nodes: fc.constant(nodes),
    initial: fc.uniqueArray(node, { minLength: 1, maxLength: 2 }),
    edges: fc.uniqueArray(
      fc.record({ from: node, to: node, action: fc.constantFrom('Weak' as const, 'Strong' as const, 'Unfair' as const), k: fc.integer({ min: 0, max: PICKS - 1 }) }),
      { maxLength: 9, selector: (e) => `${e.from} ${e.to} ${e.action} ${e.k}` },
    ),
    p: nodeSet,
    q: nodeSet,
  })
})

for (const property of ['EventuallyQ', 'PLeadsToQ'] as const) {
  test(`${property}: the engine's verdict is the brute force's, and its lassos are real`, async () => {
    let violations = 0
    await fc.assert(
      fc.asyncProperty(graphs, async (spec) => {
        const { result, problem } = await checkGraph(spec, property)
        assert.is(problem, null)
        const expected = naiveViolates(spec, property) ? 'violation' : 'safe'
        assert.is(result.result, expected)
        if (expected === 'violation') violations++
      }),
      { numRuns: 150, seed: 16 },
    )
    assert.ok(violations > 15 && violations < 135, `both verdicts are exercised (${violations} violations of 150)`)
  })
}

test.run()
