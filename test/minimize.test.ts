// Trace minimisation: shorter traces that still replay step by step in the model and still end
// in the same failure; traces that do not replay are refused; the CLI reads and writes ITF.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { InputError } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import type { Step } from '../checker/path.js'
import { simulate } from '../checker/simulate.js'
import { findModel } from './helpers/models.js'
import { minimizePath, type Failure } from '../checker/minimize.js'
import { instanceForTrace } from '../api/load.js'
import { decodeTrace, readTraceFile } from '../traces/read.js'
import { runCli, runCliJson } from './helpers/cli.js'

const scratch = mkdtempSync(join(tmpdir(), 'protocheck-minimize-'))
const tcConsistent: Failure = { result: 'violation', property: 'TCConsistent' }

/** Take the step `action(picks)` from the last state of `path` (it must be enabled). */
function extend(instance: Instance, path: Step[], action: string, picks: Record<string, unknown> = {}): Step[] {
  let next: Step | undefined
  instance.successors(path.at(-1)!.state, 0, (_o, a, p, successor) => {
    if (instance.actionNames[a] === action && JSON.stringify(p) === JSON.stringify(picks)) next = { action, picks: p, state: successor.slice() }
  })
  if (!next) throw new Error(`${action} ${JSON.stringify(picks)} is not enabled`)
  return [...path, next]
}

/** Every step enabled where it is taken and leading to the state recorded. */
function assertReplays(instance: Instance, path: Step[]) {
  for (let i = 1; i < path.length; i++) assert.equal([...extend(instance, path.slice(0, i), path[i].action, path[i].picks).at(-1)!.state], [...path[i].state], `step ${i}`)
}

test('a padded counterexample shrinks back to the shortest one: loops, detours and irrelevant steps go', () => {
  const instance = Instance.create(findModel('two-phase-commit'), { rm: 4 }, 'commit-on-any-prepared')
  let path: Step[] = []
  instance.initial((_o, _a, picks, state) => path.push({ action: 'init', picks, state: state.slice() }))
  // Irrelevant preparations, a TMRcvPrepared self-loop, then the bug: commit on one prepared RM.
  for (const [action, picks] of [
    ['RMPrepare', { rm: 2 }], ['RMPrepare', { rm: 3 }], ['TMRcvPrepared', { rm: 3 }], ['TMRcvPrepared', { rm: 3 }],
    ['RMPrepare', { rm: 0 }], ['TMRcvPrepared', { rm: 0 }], ['TMRcvPrepared', { rm: 2 }], ['RMChooseToAbort', { rm: 1 }],
    ['TMCommit', {}], ['RMRcvCommitMsg', { rm: 0 }],
  ] as [string, Record<string, unknown>][]) path = extend(instance, path, action, picks)
  assert.not.ok(instance.holds('TCConsistent', path.at(-1)!.state))
  const { path: short, before, after } = minimizePath(instance, path, tcConsistent)
  assert.is(before, 11)
  assert.is(after, bfs(Instance.create(findModel('two-phase-commit'), { rm: 4 }, 'commit-on-any-prepared')).path!.length)
  assert.is(short.length, after)
  assertReplays(instance, short)
  assert.not.ok(instance.holds('TCConsistent', short.at(-1)!.state))
  assert.ok(short.slice(0, -1).every((s) => instance.holds('TCConsistent', s.state)), 'ends at the first violating state')
})

test('random walks of every bug shrink to valid traces no longer than twice the shortest (rm=4, 3 seeds each)', () => {
  // prepared-ignores-abort breaks only liveness, which random walks do not check.
  for (const bug of Object.keys(findModel('two-phase-commit').bugs).filter((b) => b !== 'prepared-ignores-abort')) {
    const shortest = bfs(Instance.create(findModel('two-phase-commit'), { rm: 4 }, bug)).path!.length
    for (let seed = 0; seed < 3; seed++) {
      const instance = Instance.create(findModel('two-phase-commit'), { rm: 4 }, bug)
      const walk = simulate(instance, { seed, runs: 3000, depth: 60 }).path!
      const { path } = minimizePath(instance, walk, tcConsistent)
      assert.ok(path.length <= walk.length)
      assert.ok(path.length >= shortest && path.length <= 2 * shortest, `${bug} seed ${seed}: ${path.length} vs shortest ${shortest}`)
      assertReplays(instance, path)
      assert.not.ok(instance.holds('TCConsistent', path.at(-1)!.state))
    }
  }
})

test('a deadlock stays a deadlock', () => {
  const model = findModel('transaction-commit')
  const noTerminal = { ...model, build: (p: any, bug: any) => ({ ...model.build(p, bug), terminal: undefined }) }
  const instance = Instance.create(noTerminal, { rm: 3 })
  const walk = simulate(instance, { seed: 1, runs: 10, depth: 50 }).path!
  const { path } = minimizePath(instance, walk, { result: 'deadlock' })
  assert.ok(path.length <= walk.length)
  assert.is(instance.successors(path.at(-1)!.state, 0, () => {}), 0)
  assert.is(path.length, bfs(instance).path!.length)
})

test('a trace that does not replay, or does not end in the failure, is refused with the reason', () => {
  const instance = Instance.create(findModel('two-phase-commit'), { rm: 3 }, 'commit-on-any-prepared')
  const path = bfs(instance).path!
  const refused = (p: Step[], failure: Failure, reason: RegExp) => {
    try {
      minimizePath(instance, p, failure)
      assert.unreachable('minimised')
    } catch (e) {
      assert.instance(e, InputError)
      assert.match((e as Error).message, reason)
    }
  }
  refused([path[0], ...path.slice(2)], tcConsistent, /step 1 \(TMRcvPrepared \{"rm":0\}\) is not enabled in state 0/)
  refused(path.map((s, i) => (i === 2 ? { ...s, state: path[1].state } : s)), tcConsistent, /step 2 .* leads elsewhere than state 2/)
  refused(path.slice(0, -1), tcConsistent, /its last state does not violate TCConsistent/)
  refused(path, { result: 'deadlock' }, /its last state is not a deadlock/)
  refused(path.slice(1), tcConsistent, /state 0 is not an initial state/)
})

test('CLI: minimize reads an ITF trace, writes a shorter one that reads back, says before and after', async () => {
  const raw = join(scratch, 'walk.itf.json')
  const sim = runCliJson(['simulate', 'two-phase-commit', '--param', 'rm=5', '--bug', 'commit-after-abort', '--seed', '3', '--runs', '3000', '--depth', '40', '--no-minimize', '--out', raw])
  assert.is(sim.code, 1, sim.stderr)
  assert.is(sim.report.traceLength, sim.report.walkLength)
  const { code, report } = runCliJson(['minimize', raw])
  assert.is(code, 0)
  assert.is(report.before, sim.report.walkLength)
  assert.ok(report.after < report.before, `${report.after} < ${report.before}`)
  assert.is(report.traceFile, join(scratch, 'walk.min.itf.json'))
  const trace = readTraceFile(report.traceFile)
  assert.is(trace.states.length, report.after)
  assert.is(trace['#meta'].property, 'TCConsistent')
  assert.is(trace['#meta'].seed, 3)
  const instance = await instanceForTrace(trace)
  const steps = decodeTrace(instance, trace)
  assertReplays(instance, steps)
  assert.not.ok(instance.holds('TCConsistent', steps.at(-1)!.state))
  const text = runCli(['minimize', raw, '--out', join(scratch, 'short.itf.json')])
  assert.match(text.stdout, new RegExp(`minimised from ${report.before} to ${report.after} states \\(\\d+ candidates replayed\\)\\ntrace written to .*short\\.itf\\.json`))
})

test('CLI: minimize refuses bad input with one line and exit 2', () => {
  const good = join(scratch, 'good.itf.json')
  runCli(['check', 'two-phase-commit', '--bug', 'commit-on-any-prepared', '--out', good])
  const trace = JSON.parse(readFileSync(good, 'utf8'))
  const cases: [string, unknown, RegExp][] = [
    ['missing.itf.json', undefined, /cannot read trace .*missing\.itf\.json: no such file/],
    ['safe.itf.json', { ...trace, '#meta': { ...trace['#meta'], result: 'safe', property: null } }, /records no failure to keep/],
    ['skipped.itf.json', { ...trace, states: [trace.states[0], ...trace.states.slice(2)].map((s: any, i: number) => ({ ...s, '#meta': { index: i } })) }, /step 1 \(TMRcvPrepared .*\) is not enabled in state 0/],
  ]
  for (const [name, content, message] of cases) {
    if (content !== undefined) writeFileSync(join(scratch, name), JSON.stringify(content))
    const r = runCli(['minimize', join(scratch, name)])
    assert.is(r.code, 2, `${name}: ${r.stderr}`)
    assert.match(r.stderr, message)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
})

test.after(() => rmSync(scratch, { recursive: true, force: true }))

test.run()
