// protocols/failover-fencing/model.ts follows Pacemaker's documentation (quorum, watchdog
// fencing before recovery): the correct model is safe on several configurations with every
// witness reached (distinct, generated and depth pinned), and with two nodes it can never
// recover the group after a fault, as watchdog fencing without two_node must. --symmetry
// (nodes are interchangeable) keeps the verdicts. Each bug breaks ExclusiveStorage with a
// pinned shortest counterexample that replays `reproduced` on the implementation built with
// that bug (and not on the correct one); the implementation agrees with the model on random
// walks, refusals included, and a mutant core diverges with a shrunk trace.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { conform } from '../conformance/conform.js'
import { fencingDriver, fencingDriverOf } from '../protocols/failover-fencing/driver.js'
import { stepNode } from '../protocols/failover-fencing/impl/node.js'
import { findModel } from './helpers/models.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'

const model = findModel('failover-fencing')
const fencing = (params: Record<string, number> = {}, bug?: string, properties?: string[]) => Instance.create(model, params, bug, properties)

// [n, maxFaults, distinct, generated, depth]
const counts = [
  [3, 2, 2984, 23867, 11],
  [3, 3, 7772, 62491, 13],
  [4, 2, 12137, 123432, 12],
] as const

for (const [n, maxFaults, distinct, generated, depth] of counts) {
  test(`failover-fencing n=${n} maxFaults=${maxFaults}: safe, ${distinct} distinct states, ${generated} generated, depth ${depth}; every witness reached`, () => {
    const r = bfs(fencing({ n, maxFaults }))
    assert.is(r.result, 'safe', `${r.result} ${r.property} ${r.reason}`)
    assert.equal([r.distinctStates, r.generatedStates, r.depth], [distinct, generated, depth])
  })
}

test('failover-fencing n=2: safe, but the group is never recovered after a fault (a lone node of two has no quorum and resets)', () => {
  const safe = bfs(fencing({ n: 2, maxFaults: 4 }, undefined, ['TypeOK', 'ExclusiveStorage', 'OneRunning', 'Running']))
  assert.is(safe.result, 'safe')
  assert.is(safe.distinctStates, 320)
  const r = bfs(fencing({ n: 2, maxFaults: 4 }, undefined, ['RecoveredAfterFencing']))
  assert.is(r.result, 'never-witnessed')
})

test('failover-fencing --symmetry n=3 maxFaults=2: safe in 544 classes of the 2,984 states; both bugs still found', () => {
  const symmetric = (bug?: string) => {
    const instance = fencing({}, bug)
    assert.equal(instance.protocol.symmetric, ['node'])
    return check(instance, 'bfs', { symmetry: new Symmetry(instance.schema, ['node']) })
  }
  const r = symmetric()
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 544)
  for (const bug of Object.keys(model.bugs)) assert.is(symmetric(bug).property, 'ExclusiveStorage', bug)
})

// [bug, params, steps of the shortest ExclusiveStorage counterexample, of the shortest OneRunning one]
const bugs = [
  ['no-fencing', {}, 4, 6],
  ['ignore-quorum', {}, 6, 8],
  ['ignore-quorum', { n: 2 }, 6, 8],
] as const

test('failover-fencing: the bugs tested are every bug the model has', () => {
  assert.equal([...new Set(bugs.map(([b]) => b))].sort(), Object.keys(model.bugs).sort())
})

for (const [bug, params, storageSteps, runningSteps] of bugs) {
  test(`failover-fencing --bug ${bug} ${JSON.stringify(params)}: ExclusiveStorage violated in ${storageSteps} steps, OneRunning in ${runningSteps}`, () => {
    const r = bfs(fencing(params, bug))
    assert.is(r.result, 'violation')
    assert.is(r.property, 'ExclusiveStorage')
    assert.is(r.path!.length, storageSteps + 1)
    const running = bfs(fencing(params, bug, ['OneRunning']))
    assert.is(running.property, 'OneRunning')
    assert.is(running.path!.length, runningSteps + 1)
  })
}

for (const bug of Object.keys(model.bugs)) {
  test(`failover-fencing --bug ${bug}: the trace is reproduced on the implementation with the bug only`, async () => {
    await assertBugReplaysOnlyWithTheBug(model, bug, fencingDriver)
  })
}

test('failover-fencing --bug ignore-quorum, through the CLI: check finds it, replay reproduces it, conform agrees', () => {
  assertFoundReplayedAndConforming('failover-fencing', 'ignore-quorum', 'ExclusiveStorage', 6)
})

// Walks run with room for four faults so that they go on through failovers and rejoins.
for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  const runs = bug ? 30 : 80
  test(`failover-fencing${bug ? ` --bug ${bug}` : ''}: ${runs} random walks agree with the implementation, forbidden steps refused`, async () => {
    const r = await conform(fencing({ maxFaults: 4 }, bug), fencingDriver, { runs, seed: 7, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > runs * 4, `only ${r.stepsCompared} steps compared`)
  })
}

test('failover-fencing conform: a core that does not reset when its ring loses quorum diverges, shrunk to the steps that show it', async () => {
  const noReset: typeof stepNode = (config, state, event) => stepNode({ ...config, bug: event.type === 'Membership' ? 'ignore-quorum' : config.bug }, state, event)
  const r = await conform(fencing({ maxFaults: 4 }), fencingDriverOf({ stepNode: noReset }), { runs: 200, seed: 9, maxSteps: 40 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  // node1 is cut off and forms a ring of itself: the real core resets it (down, in no ring);
  // the mutant stays up in a ring of one.
  assert.equal(w.steps.map((s) => s.action), ['init', 'Partition', 'Reform'])
  assert.equal(w.divergence!.diff.map((d) => d.variable), ['up', 'member'])
})

test.run()
