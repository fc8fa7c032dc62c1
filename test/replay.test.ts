// protocheck replay: every two-phase-commit bug's counterexample is reproduced on the
// implementation built with that bug; a trace the implementation cannot follow is reported
// as a divergence with its step and a per-variable diff; bad traces are bad input.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { twoPhaseCommitDriver, twoPhaseCommitDriverOf } from '../protocols/two-phase-commit/driver.js'
import { stepRm } from '../protocols/two-phase-commit/impl/resource-manager.js'
import { stepTm } from '../protocols/two-phase-commit/impl/transaction-manager.js'
import { findModel } from './helpers/models.js'
import { conform, divergenceTrace } from '../conformance/conform.js'
import { traceFromPath, writeTraceFile, type ItfTrace } from '../traces/itf.js'
import { replay } from '../api/replay.js'
import { runCli, runCliJson } from './helpers/cli.js'

// Made when the suite starts, not when the file is imported: uvu imports every file first.
let dir = ''
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'protocheck-replay-'))
})
const model = findModel('two-phase-commit')

function counterexample(bug: string, rm = 3): ItfTrace {
  const instance = Instance.create(model, { rm }, bug)
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  return traceFromPath(instance, r.path!, { result: r.result, property: r.property })
}

function saved(name: string, trace: unknown): string {
  const file = join(dir, name)
  if (typeof trace === 'string') writeFileSync(file, trace)
  else writeTraceFile(file, trace as ItfTrace)
  return file
}

// prepared-ignores-abort breaks only liveness: test/protocols-liveness.test.ts replays its lasso.
for (const bug of Object.keys(model.bugs).filter((b) => b !== 'prepared-ignores-abort')) {
  test(`replay: the ${bug} counterexample is reproduced on the implementation with that bug`, async () => {
    const trace = counterexample(bug)
    const r = await replay(trace)
    assert.equal(
      { steps: r.steps, divergence: r.divergence, property: r.property, reproduced: r.reproduced },
      { steps: trace.states.length - 1, divergence: null, property: 'TCConsistent', reproduced: true },
    )
  })
}

test('replay --json: { model, steps, divergence, property, reproduced }, exit 0', async () => {
  const trace = counterexample('commit-after-abort')
  const { code, report } = runCliJson(['replay', saved('json.itf.json', trace)])
  assert.is(code, 0)
  assert.equal(report, { model: 'two-phase-commit', steps: 10, divergence: null, property: 'TCConsistent', reproduced: true })
})

test('replay: text output walks the steps and ends with the verdict', async () => {
  const r = runCli(['replay', saved('text.itf.json', counterexample('commit-on-any-prepared'))])
  assert.is(r.code, 0)
  assert.match(r.stdout, /step 1 RMPrepare\(rm=rm\d\): followed/)
  assert.match(r.stdout, /followed all 5 steps\nTCConsistent on the implementation's final state: reproduced\n$/)
})

test('replay: a state the implementation does not reach is a divergence at that step, with a diff', async () => {
  const trace = counterexample('commit-on-any-prepared')
  const edited = structuredClone(trace)
  // Step 3 is TMCommit; claim the TM aborted instead.
  assert.is(edited.states[3]['mbt::actionTaken'], 'TMCommit')
  edited.states[3].tmState = 'aborted'
  const { code, report } = runCliJson(['replay', saved('edited.itf.json', edited)])
  assert.is(code, 1)
  assert.is(report.steps, 2)
  assert.is(report.reproduced, false)
  assert.is(report.divergence.step, 3)
  assert.equal(report.divergence.diff, [{ variable: 'tmState', expected: 'aborted', observed: 'committed' }])
  const text = runCli(['replay', saved('edited.itf.json', edited)])
  assert.is(text.code, 1)
  assert.match(text.stdout, /diverged at step 3: TMCommit\n.*differs in tmState\n  tmState:\n    model: +aborted\n    implementation: committed/)
})

test('replay: without the bug, the implementation refuses the buggy step', async () => {
  const trace = counterexample('commit-on-any-prepared')
  const r = await replay({ ...trace, '#meta': { ...trace['#meta'], bug: null } })
  assert.is(r.divergence!.step, 3)
  assert.match(r.divergence!.reason, /cannot take this step: only 1 of 3 RMs are prepared/)
  assert.is(r.reproduced, false)
})

test('replay: an implementation that follows but keeps the property is "not reproduced", exit 0', async () => {
  const trace = counterexample('abort-after-prepare')
  const asTypeOK = { ...trace, '#meta': { ...trace['#meta'], property: 'TypeOK' } }
  const { code, report } = runCliJson(['replay', saved('typeok.itf.json', asTypeOK)])
  assert.is(code, 0)
  assert.is(report.divergence, null)
  assert.is(report.reproduced, false)
  assert.match(runCli(['replay', saved('typeok.itf.json', asTypeOK)]).stdout, /TypeOK on the implementation's final state: not reproduced/)
})

test('replay: bad traces and models without an implementation are one line, exit 2', async () => {
  const trace = counterexample('commit-on-any-prepared')
  const cases: [unknown, RegExp][] = [
    ['{ not json', /is not JSON/],
    [{ ...trace, '#meta': { ...trace['#meta'], model: 'transaction-commit', source: 'transaction-commit', bug: null } }, /model 'transaction-commit' has no driver/],
    [{ ...trace, '#meta': { ...trace['#meta'], property: 'NoSuchThing' } }, /has no property 'NoSuchThing'/],
    [{ ...trace, '#meta': { ...trace['#meta'], model: undefined } }, /names no model/],
  ]
  cases.forEach(([content, message], i) => {
    const r = runCli(['replay', saved(`bad${i}.itf.json`, typeof content === 'string' ? content : JSON.stringify(content))])
    assert.is(r.code, 2, r.stderr)
    assert.match(r.stderr, message)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.is(r.stdout, '')
  })
})

test('conform -> replay: the shrunk divergence of a mutant replays as the same divergence on it, and is followed by the real implementation', async () => {
  const mutantRm: typeof stepRm = (config, state, event) =>
    event.type === 'ChooseToAbort' && state.rm === 1 ? { refused: 'this mutant RM never aborts on its own' } : stepRm(config, state, event)
  const mutant = twoPhaseCommitDriverOf({ stepTm, stepRm: mutantRm })
  const instance = Instance.create(model, { rm: 3 })
  const r = await conform(instance, mutant, { runs: 200, seed: 11, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const trace = divergenceTrace(instance, r.counterexample!, 11)
  assert.equal(trace.states.map((s) => s['mbt::actionTaken']), ['init', 'RMChooseToAbort'])
  assert.is(trace['#meta'].result, 'divergence')
  const file = saved('divergence.itf.json', trace)
  const onMutant = await replay(trace, { driver: mutant })
  assert.is(onMutant.divergence!.step, 1)
  assert.is(onMutant.divergence!.label, 'RMChooseToAbort(rm=rm2)')
  const onReal = runCliJson(['replay', file])
  assert.is(onReal.code, 0)
  assert.equal(onReal.report, { model: 'two-phase-commit', steps: 1, divergence: null, property: null, reproduced: null })
  assert.is((await replay(trace, { driver: twoPhaseCommitDriver })).divergence, null)
})

test('conform CLI: the two-phase-commit implementation agrees with its model', async () => {
  const { code, report } = runCliJson(['conform', 'two-phase-commit', '--runs', '50', '--seed', '4'])
  assert.is(code, 0)
  const { depth, ...rest } = report
  assert.equal(rest, { model: 'two-phase-commit', runs: 50, seed: 4, result: 'agree', traceFile: null })
  assert.ok(depth.max > 10 && depth.mean > 5, JSON.stringify(depth))
  const bad = runCli(['conform', 'transaction-commit'])
  assert.is(bad.code, 2)
  assert.match(bad.stderr, /^protocheck: model 'transaction-commit' has no driver/)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
