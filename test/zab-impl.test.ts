// protocols/zab/impl against protocols/zab/model.ts: random walks agree with and without each bug; every
// counterexample the checker finds, written as ITF, replays on the implementation built with
// the same bug and is reproduced there, while the correct implementation parts from it.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { zabDriver, zabDriverOf } from '../protocols/zab/driver.js'
import { stepServer } from '../protocols/zab/impl/server.js'
import { findModel } from './helpers/models.js'
import { conform, Implementation, walk } from '../conformance/conform.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'

const model = findModel('zab')
// Wider bounds than the shipped size, so that walks go on through several epochs.
const walkParams = { maxEpoch: 3, maxTxns: 3 }

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`zab${bug ? ` --bug ${bug}` : ''}: 120 random walks agree with the implementation`, async () => {
    const r = await conform(Instance.create(model, walkParams, bug), zabDriver, { runs: 120, seed: 17, maxSteps: 40 })
    assert.is(r.result, 'agree', r.counterexample ? JSON.stringify(r.counterexample.divergence) : '')
    assert.ok(r.stepsCompared > 120 * 5, `only ${r.stepsCompared} steps compared`)
  })
}

// Crashes are enabled in almost every state, so uniform random walks spend themselves on
// elections; with crashes left out they run through synchronisation, broadcast and commits.
const withoutCrashes = {
  ...model,
  build: (params: any, bug: any) => {
    const protocol = model.build(params, bug)
    // Crash leaves the action space too, so that conform's refusal probe does not offer it.
    const actions = Object.fromEntries(Object.entries(protocol.actions).filter(([a]) => a !== 'Crash'))
    return { ...protocol, actions, next: (s: any, emit: any) => protocol.next(s, (a: string, picks: any, w: any) => a !== 'Crash' && emit(a, picks, w)) }
  },
}
for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`zab${bug ? ` --bug ${bug}` : ''} without crashes: 80 random walks through broadcast and commit agree`, async () => {
    const instance = Instance.create(withoutCrashes, { maxEpoch: 2, maxTxns: 6 }, bug)
    const r = await conform(instance, zabDriver, { runs: 80, seed: 23, maxSteps: 40 })
    assert.is(r.result, 'agree', r.counterexample ? JSON.stringify(r.counterexample.divergence) : '')
    // The walks did reach the commit steps (checked on one fixed walk schedule).
    const implementation = new Implementation(zabDriver, instance.config.params, instance.config.bug)
    const actions = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const w = await walk(instance, implementation, Array.from({ length: 40 }, (_, j) => i * 1000 + j * 7919))
      for (const s of w.steps) actions.add(s.action)
    }
    await implementation.close()
    for (const a of ['Sync', 'LeaderAck', 'Propose', 'FollowerAccept', 'LeaderCommit', 'FollowerCommit']) assert.ok(actions.has(a), `${a} never taken`)
  })
}

for (const bug of Object.keys(model.bugs)) {
  test(`zab --bug ${bug}: the counterexample, as an ITF trace, replays and is reproduced on the implementation`, () => assertBugReplaysOnlyWithTheBug(model, bug, zabDriver))
}

test('conform catches a server that forgets to record the epoch of the NEWLEADER it took', async () => {
  const forgetful: typeof stepServer = (config, state, event) => {
    const t = stepServer(config, state, event)
    if ('refused' in t || event.type !== 'Receive' || event.message.type !== 'NewLeader') return t
    return { ...t, state: { ...t.state, currentEpoch: state.currentEpoch } }
  }
  const r = await conform(Instance.create(model, {}), zabDriverOf({ stepServer: forgetful }), { runs: 200, seed: 4, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.is(d.action, 'Sync')
  assert.equal(d.diff.map((v) => v.variable), ['currentEpoch'])
  assert.equal(r.counterexample!.steps.map((s) => s.action), ['init', 'Elect', 'Sync'])
})

test('the CLI: check writes the skip-sync counterexample, replay reproduces it, conform agrees', async () => {
  assertFoundReplayedAndConforming('zab', 'skip-sync', 'Agreement', 15)
})

test.run()
