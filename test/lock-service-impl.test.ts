// protocols/lock-service/impl against protocols/lock-service/model.ts: random walks agree with and without each
// bug; every counterexample the checker finds, written as ITF, replays on the implementation
// built with the same bug and is reproduced there; on the correct implementation the same
// trace does not get that far.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { lockServiceDriver, lockServiceDriverOf } from '../protocols/lock-service/driver.js'
import { stepClient } from '../protocols/lock-service/impl/client.js'
import { stepLockServer } from '../protocols/lock-service/impl/lock-server.js'
import { stepStorage } from '../protocols/lock-service/impl/storage.js'
import { findModel } from './helpers/models.js'
import { conform } from '../conformance/conform.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'

const model = findModel('lock-service')

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`lock-service${bug ? ` --bug ${bug}` : ''}: 150 random walks agree with the implementation`, async () => {
    const r = await conform(Instance.create(model, {}, bug), lockServiceDriver, { runs: 150, seed: 11, maxSteps: 40 })
    assert.is(r.result, 'agree', r.counterexample ? JSON.stringify(r.counterexample.divergence) : '')
    assert.ok(r.stepsCompared > 150 * 5, `only ${r.stepsCompared} steps compared`)
  })
}

// no-lease-reclaim breaks only liveness: test/protocols-liveness.test.ts checks it.
for (const bug of Object.keys(model.bugs).filter((b) => b !== 'no-lease-reclaim')) {
  test(`lock-service --bug ${bug}: the counterexample, as an ITF trace, replays and is reproduced on the implementation`, () => assertBugReplaysOnlyWithTheBug(model, bug, lockServiceDriver))
}

test('conform catches an implementation that differs from the model: a client without the drift margin', async () => {
  const careless: typeof stepClient = (config, state, event) => stepClient({ ...config, bug: 'unbounded-drift' }, state, event)
  const r = await conform(Instance.create(model, {}), lockServiceDriverOf({ stepLockServer, stepClient: careless, stepStorage }), { runs: 200, seed: 2, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.is(d.action, 'Acquire')
  assert.equal(d.diff.map((v) => v.variable), ['client'])
})

test('the CLI: check writes the no-fencing counterexample, replay reproduces it, conform agrees', async () => {
  assertFoundReplayedAndConforming('lock-service', 'no-fencing', 'NoStaleWrite', 10)
})

test.run()
