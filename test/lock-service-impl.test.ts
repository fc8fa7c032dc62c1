// impls/lock-service against models/lock-service: random walks agree with and without each
// bug; every counterexample the checker finds replays on the implementation built with the
// same bug, step for step, and ends in a state that breaks the same property; on the correct
// implementation the same trace does not get that far.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { lockServiceDriver, lockServiceDriverOf } from '../impls/lock-service/driver.js'
import { stepClient } from '../impls/lock-service/client.js'
import { stepLockServer } from '../impls/lock-service/lock-server.js'
import { stepStorage } from '../impls/lock-service/storage.js'
import { findModel } from '../models/index.js'
import { conform } from '../traces/conform.js'
import { followStep } from '../traces/divergence.js'

const model = findModel('lock-service')

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`lock-service${bug ? ` --bug ${bug}` : ''}: 150 random walks agree with the implementation`, () => {
    const r = conform(Instance.create(model, {}, bug), lockServiceDriver, { runs: 150, seed: 11, maxSteps: 40 })
    assert.is(r.result, 'agree', r.counterexample ? JSON.stringify(r.counterexample.divergence) : '')
    assert.ok(r.stepsCompared > 150 * 5, `only ${r.stepsCompared} steps compared`)
  })
}

/** Replay a checker path on a driver: the first divergence, or the observed final state's words. */
function replay(instance: Instance, bug: string | undefined, path: { action: string; picks: Readonly<Record<string, unknown>>; state: Uint32Array }[]) {
  const driver = lockServiceDriver.start(instance.config.params, bug)
  for (const [i, step] of path.entries()) {
    const divergence = followStep(instance, driver, i, step.action, step.picks, step.state)
    if (divergence) return { divergence, final: null }
  }
  return { divergence: null, final: instance.schema.encode(driver.observe() as never) }
}

for (const bug of Object.keys(model.bugs)) {
  test(`lock-service --bug ${bug}: the counterexample replays on the implementation and reproduces the violation`, () => {
    const instance = Instance.create(model, {}, bug)
    const r = bfs(instance)
    assert.is(r.result, 'violation')
    const { divergence, final } = replay(instance, bug, r.path!)
    assert.is(divergence, null, JSON.stringify(divergence))
    assert.not.ok(instance.holds(r.property!, final!), `${r.property} holds on the implementation's final state`)

    // The correct implementation parts from the trace before the violation.
    const fixed = replay(Instance.create(model, {}, bug), undefined, r.path!)
    assert.ok(fixed.divergence, 'the correct implementation followed the buggy trace to its end')
  })
}

test('conform catches an implementation that differs from the model: a client without the drift margin', () => {
  const careless: typeof stepClient = (config, state, event) => stepClient({ ...config, bug: 'unbounded-drift' }, state, event)
  const r = conform(Instance.create(model, {}), lockServiceDriverOf({ stepLockServer, stepClient: careless, stepStorage }), { runs: 200, seed: 2, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.is(d.action, 'Acquire')
  assert.equal(d.diff.map((v) => v.variable), ['client'])
})

test.run()
