// conform walks deep and probes wide (issue 20): walks choose among the steps that stay inside
// the model's constraint, so they do not end at the first step past a bound; the refusal probe
// offers every listable action of the model that it forbids at the walk's end, not only the
// steps seen enabled during the walk.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { conform } from '../conformance/conform.js'
import { enumerableActions } from '../conformance/action-space.js'
import raftDriver from '../protocols/raft/driver.js'
import { twoPhaseCommitDriverOf } from '../protocols/two-phase-commit/driver.js'
import { stepRm } from '../protocols/two-phase-commit/impl/resource-manager.js'
import { stepTm } from '../protocols/two-phase-commit/impl/transaction-manager.js'
import { findModel } from './helpers/models.js'

test('raft walks stay inside the constraint: 30-step walks are more than 10 steps deep on average (a walk that ended at the first step past maxTerm was about 4)', async () => {
  const r = await conform(Instance.create(findModel('raft'), {}), raftDriver, { runs: 60, seed: 1, maxSteps: 30 })
  assert.is(r.result, 'agree')
  assert.ok(r.depth.mean > 10, `walks only ${r.depth.mean} steps deep on average`)
  assert.ok(r.depth.max <= 30)
  assert.is(r.depth.mean, r.stepsCompared / r.runs)
})

test('the listable action space: every action whose picks are node ids, enums or small ints, with each combination; actions that pick a message are left out', () => {
  const twoPhase = enumerableActions(Instance.create(findModel('two-phase-commit'), { rm: 3 }))
  const labels = twoPhase.map((c) => `${c.action}${JSON.stringify(c.picks)}`)
  assert.is(labels.length, 2 + 5 * 3)
  assert.ok(labels.includes('TMCommit{}'))
  assert.ok(labels.includes('RMPrepare{"rm":2}'))
  const raft = enumerableActions(Instance.create(findModel('raft'), { servers: 3 })).map((c) => c.action)
  assert.ok(raft.includes('BecomeLeader') && raft.includes('RequestVote'))
  assert.not.ok(raft.includes('UpdateTerm'), 'a message pick is too large to list')
  assert.is(raft.filter((a) => a === 'RequestVote').length, 9)
})

// One guard weakened: the TM commits once all RMs but one are prepared. No walk ever sees
// TMCommit enabled before that point (tmPrepared only grows), so only a probe of the whole
// action space offers it.
const hastyTm: typeof stepTm = (config, state, event) =>
  event.type === 'DecideCommit' && state.tmState === 'init' && state.prepared.length === config.rmCount - 1
    ? { state: { ...state, tmState: 'committed' }, effects: Array.from({ length: config.rmCount }, (_, to) => ({ to, message: { type: 'Commit' } as const })) }
    : stepTm(config, state, event)

test('the refusal probe offers steps never seen enabled: a TM that commits with all RMs but one prepared takes the forbidden TMCommit', async () => {
  const r = await conform(Instance.create(findModel('two-phase-commit'), { rm: 3 }), twoPhaseCommitDriverOf({ stepTm: hastyTm, stepRm }), { runs: 300, seed: 5, maxSteps: 8 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.ok(d.forbidden)
  assert.is(d.action, 'TMCommit')
  const last = r.counterexample!.steps.at(-1)!
  const decoded = Instance.create(findModel('two-phase-commit'), { rm: 3 }).schema.decode(last.state) as unknown as { tmPrepared: readonly number[] }
  assert.is(decoded.tmPrepared.length, 2)
})

test.run()
