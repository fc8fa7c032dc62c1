// protocols/paxos/model.ts follows Paxos.tla: TLC's 3,921 distinct states for 3 acceptors, 2 values,
// ballots {0, 1}; each bug breaks a property (Agreement, or the step property that an acceptor's
// promise never goes back) with a shortest counterexample that replays as `reproduced` on the
// implementation with that bug; and the implementation agrees with the
// model on random walks, while a one-rule mutant diverges with a shrunk trace.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { stepAcceptor } from '../protocols/paxos/impl/acceptor.js'
import { paxosDriver, paxosDriverOf } from '../protocols/paxos/driver.js'
import { stepProposer } from '../protocols/paxos/impl/proposer.js'
import { chosen, majorities } from '../protocols/paxos/model.js'
import { findModel } from './helpers/models.js'
import { conform } from '../conformance/conform.js'
import { traceFromPath } from '../traces/itf.js'
import { replay } from '../api/replay.js'

const model = findModel('paxos')
const paxos = (params: Record<string, number> = {}, bug?: string) => Instance.create(model, params, bug)

test('paxos acceptors=3 values=2 ballots=2: 3,921 distinct states, as TLC; a value is chosen somewhere', async () => {
  const r = bfs(paxos())
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 3921)
  // `safe` also says the `sometimes` property ValueChosen was reached: the check is not vacuous.
})

test('paxos: smaller and larger configurations are safe', async () => {
  assert.is(bfs(paxos({ acceptors: 1, values: 1, ballots: 1 })).result, 'safe')
  assert.is(bfs(paxos({ acceptors: 2, values: 2, ballots: 2 })).result, 'safe')
})

test('paxos: majorities and chosen, as Voting.tla defines them', async () => {
  assert.equal(majorities(3), [[0, 1], [0, 2], [1, 2], [0, 1, 2]])
  assert.equal(majorities(2), [[0, 1]])
  const vote = (acc: number, bal: number, val: string) => ({ type: '2b', acc, bal, val }) as const
  const Q = majorities(3)
  assert.equal(chosen([vote(0, 0, 'v1'), vote(1, 1, 'v1')], Q), [], 'votes in different ballots do not make a choice')
  assert.equal(chosen([vote(0, 1, 'v1'), vote(2, 1, 'v1')], Q), ['v1'])
  assert.equal(chosen([vote(0, 0, 'v1'), vote(1, 0, 'v1'), vote(1, 1, 'v2'), vote(2, 1, 'v2')], Q), ['v1', 'v2'])
})

// Voting below its promise lowers the acceptor's maxBal: the step property catches it at that
// vote, before two ballots can choose different values.
const brokenBy: Record<string, { property: string; steps: number }> = {
  'vote-below-promise': { property: 'MaxBalNeverDecreases', steps: 7 },
  'ignore-1b-votes': { property: 'Agreement', steps: 12 },
}

// no-promise-after-vote breaks only liveness: test/protocols-liveness.test.ts checks it.
for (const bug of Object.keys(model.bugs).filter((b) => b !== 'no-promise-after-vote')) {
  const { property, steps } = brokenBy[bug]
  test(`paxos --bug ${bug}: ${property} violated in ${steps} steps, and the trace is reproduced on the implementation`, async () => {
    const instance = paxos({}, bug)
    const r = bfs(instance)
    assert.is(r.result, 'violation')
    assert.is(r.property, property)
    assert.is(r.path!.length, steps + 1)
    const trace = traceFromPath(instance, r.path!, { result: r.result, property: r.property })
    const replayed = await replay(trace)
    assert.is(replayed.divergence, null)
    assert.is(replayed.steps, steps)
    assert.is(replayed.reproduced, true)
    // Without the bug, the implementation refuses the step that breaks the protocol.
    const clean = await replay({ ...trace, '#meta': { ...trace['#meta'], bug: null } })
    assert.ok(clean.divergence, 'the correct implementation followed a buggy trace')
    assert.match(clean.divergence!.reason, /cannot take this step/)
  })
}

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`paxos${bug ? ` --bug ${bug}` : ''}: 100 random walks of up to 40 steps, no divergence, forbidden steps refused`, async () => {
    const r = await conform(paxos({}, bug), paxosDriver, { runs: 100, seed: 5, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > 100 * 10, `only ${r.stepsCompared} steps compared`)
  })
}

test('paxos conform: an acceptor that forgets to report its vote in 1b diverges, shrunk to the 7 steps that show it', async () => {
  const forgetful: typeof stepAcceptor = (config, state, event) => {
    const t = stepAcceptor(config, state, event)
    if ('refused' in t) return t
    return { ...t, effects: t.effects.map((e) => (e.message.type === '1b' ? { ...e, message: { ...e.message, mbal: -1, mval: null } } : e)) }
  }
  const r = await conform(paxos(), paxosDriverOf({ stepAcceptor: forgetful, stepProposer }), { runs: 300, seed: 9, maxSteps: 40 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  // 1a(b0), two promises, 1a(b1), 2a for b0, a vote, the voter's promise for b1 (which must
  // report the vote).
  assert.equal(w.steps.map((s) => s.action), ['init', 'Phase1a', 'Phase1b', 'Phase1b', 'Phase1a', 'Phase2a', 'Phase2b', 'Phase1b'])
  assert.equal(w.divergence!.diff.map((d) => d.variable), ['msgs'])
})

test.run()
