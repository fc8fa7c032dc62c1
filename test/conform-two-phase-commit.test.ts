// protocols/two-phase-commit/impl against protocols/two-phase-commit/model.ts: long random walks agree, with and
// without each bug; a mutant whose TM forgets one RM when it broadcasts Abort diverges, and
// the divergence shrinks to the shortest walk that shows it.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { twoPhaseCommitDriver, twoPhaseCommitDriverOf } from '../protocols/two-phase-commit/driver.js'
import { stepRm } from '../protocols/two-phase-commit/impl/resource-manager.js'
import { stepTm } from '../protocols/two-phase-commit/impl/transaction-manager.js'
import { findModel } from './helpers/models.js'
import { conform, divergenceTrace } from '../conformance/conform.js'
import { replay } from '../api/replay.js'

const model = findModel('two-phase-commit')

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`two-phase-commit${bug ? ` --bug ${bug}` : ''}: 200 random walks of up to 40 steps, no divergence, forbidden steps refused`, async () => {
    const r = await conform(Instance.create(model, { rm: 3 }, bug), twoPhaseCommitDriver, { runs: 200, seed: 7, maxSteps: 40 })
    assert.is(r.result, 'agree', r.counterexample ? JSON.stringify(r.counterexample.divergence) : '')
    assert.is(r.runs, 200)
    assert.ok(r.stepsCompared > 200 * 5, `only ${r.stepsCompared} steps compared`)
  })
}

// One rule changed, model unchanged: the TM's Abort broadcast skips the last RM.
const forgetfulTm: typeof stepTm = (config, state, event) => {
  const t = stepTm(config, state, event)
  if ('refused' in t || event.type !== 'DecideAbort') return t
  return { ...t, effects: t.effects.filter((e) => e.to !== config.rmCount - 1) }
}

test('conform: a mutant TM that skips one RM on Abort diverges, shrunk to TMAbort then RMRcvAbortMsg(rm3)', async () => {
  const mutant = twoPhaseCommitDriverOf({ stepTm: forgetfulTm, stepRm })
  const r = await conform(Instance.create(model, { rm: 3 }), mutant, { runs: 300, seed: 1, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  assert.equal(w.steps.map((s) => s.action), ['init', 'TMAbort', 'RMRcvAbortMsg'])
  assert.equal(w.steps[2].picks, { rm: 2 })
  assert.is(w.divergence!.step, 2)
  assert.is(w.divergence!.label, 'RMRcvAbortMsg(rm=rm3)')
  assert.match(w.divergence!.reason, /cannot take this step: no Abort message was sent to rm3/)
})

test('conform: an observed state that differs is reported per variable', async () => {
  // This mutant RM records Commit as aborted: it takes the step but lands elsewhere.
  const confused: typeof stepRm = (config, state, event) =>
    event.type === 'Receive' && event.message.type === 'Commit' ? stepRm(config, state, { type: 'Receive', message: { type: 'Abort' } }) : stepRm(config, state, event)
  const r = await conform(Instance.create(model, { rm: 2 }), twoPhaseCommitDriverOf({ stepTm, stepRm: confused }), { runs: 500, seed: 3, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.is(d.action, 'RMRcvCommitMsg')
  assert.equal(d.diff.map((v) => v.variable), ['rmState'])
  assert.match(d.diff[0].expected, /committed/)
  assert.match(d.diff[0].observed, /aborted/)
  // The shortest such walk: both prepare, the TM hears both, commits, one RM receives it.
  assert.is(r.counterexample!.steps.length, 7)
})

test('conform (refusals checked by default): a mutant RM that may abort after preparing takes a step the model forbids; the trace replays that finding', async () => {
  const permissive: typeof stepRm = (config, state, event) => stepRm({ ...config, bug: 'abort-after-prepare' }, state, event)
  const mutant = twoPhaseCommitDriverOf({ stepTm, stepRm: permissive })
  const instance = Instance.create(model, { rm: 3 })
  assert.is((await conform(instance, mutant, { runs: 100, seed: 5, maxSteps: 30, checkRefusals: false })).result, 'agree', 'with --no-refusals a more permissive implementation passes')
  const r = await conform(instance, mutant, { runs: 100, seed: 5, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  assert.equal(w.steps.map((s) => s.action), ['init', 'RMPrepare'])
  const d = w.divergence!
  assert.is(d.forbidden, true)
  assert.is(d.step, 2)
  assert.is(d.label, `RMChooseToAbort(rm=rm${(w.steps[1].picks.rm as number) + 1})`)
  assert.match(d.reason, /took RMChooseToAbort\(rm=rm\d\), which the model does not allow here/)

  const trace = divergenceTrace(instance, w, 5)
  assert.equal(trace['#meta'].forbiddenStep, { action: 'RMChooseToAbort', picks: { rm: `rm${(w.steps[1].picks.rm as number) + 1}` } })
  const onMutant = await replay(trace, { driver: mutant })
  assert.is(onMutant.divergence?.forbidden, true)
  assert.is(onMutant.steps, 1)
  assert.is((await replay(trace)).divergence, null, 'the real implementation refuses the step')
})

test.run()
