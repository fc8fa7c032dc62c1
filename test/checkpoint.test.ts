// --checkpoint / --recover: a search stopped (Ctrl-C-like interruption, or kill -9) and
// recovered reaches the same verdict, counts, coverage and shortest counterexample as one
// run straight through; checkpoints of another check, damaged or missing ones are refused.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check, type CheckOptions } from '../api/check.js'
import { InputError } from '../checker/errors.js'
import { cliPath, runCli, runCliJson } from './helpers/cli.js'

const folder = () => mkdtempSync(join(tmpdir(), 'protocheck-checkpoint-test-'))
const figures = (r: { result: string; distinctStates: number; generatedStates: number; depth: number; coverage: unknown; property: string | null }) =>
  ({ result: r.result, property: r.property, distinctStates: r.distinctStates, generatedStates: r.generatedStates, depth: r.depth, coverage: r.coverage })

/** Stop the search at its `n`-th tick (ticks come every 256 expansions), as Ctrl-C would. */
const stopAtTick = (n: number) => {
  let ticks = 0
  return () => (++ticks >= n ? 'interrupted by the test' : null)
}

async function stopAndRecover(options: CheckOptions, ticks: number[]) {
  const straight = await check('two-phase-commit', options)
  const dir = join(folder(), 'cp')
  let first = await check('two-phase-commit', { ...options, checkpoint: dir, checkpointEvery: 0.001, interruption: stopAtTick(ticks[0]) })
  assert.is(first.report.result, 'incomplete')
  assert.ok(existsSync(join(dir, 'manifest.json')), 'an interrupted run leaves a checkpoint')
  // Interrupted again while recovering: a checkpoint of a recovered run recovers too.
  for (const n of ticks.slice(1)) {
    first = await check('two-phase-commit', { ...options, recover: dir, checkpointEvery: 0.001, interruption: stopAtTick(n) })
    assert.is(first.report.result, 'incomplete')
  }
  const recovered = await check('two-phase-commit', { ...options, recover: dir })
  assert.ok(first.report.distinctStates < straight.report.distinctStates, 'stopped midway')
  assert.equal(figures(recovered.report), figures(straight.report))
  assert.equal(recovered.trace?.states, straight.trace?.states)
  assert.not.ok(existsSync(dir), 'a check that reached its verdict removes its checkpoint')
}

test('stopped, recovered twice: the same verdict, counts and coverage as a run straight through', async () => {
  await stopAndRecover({ params: { rm: 5 } }, [3, 5])
})

test('a violation: the recovered run finds the same shortest counterexample', async () => {
  await stopAndRecover({ params: { rm: 5 }, bug: 'commit-after-abort' }, [4])
})

test('with symmetry and without deadlock checking, recovered', async () => {
  await stopAndRecover({ params: { rm: 6 }, symmetry: true, deadlock: false }, [2])
})

test('kill -9 midway through a checkpointing run, then --recover: the same verdict and counts', async () => {
  for (const bug of [[], ['--bug', 'commit-after-abort']]) {
    const args = ['check', 'two-phase-commit', '--param', 'rm=7', ...bug]
    const dir = join(folder(), 'cp')
    const child = spawn(process.execPath, [cliPath, ...args, '--checkpoint', dir, '--checkpoint-every', '0.2', '--json'], { stdio: 'ignore' })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    // Kill it once its second checkpoint is there (a run well under way).
    const checkpoints = () => (existsSync(dir) ? readdirSync(dir).filter((f) => /^queue-[2-9]\d*\.bin$/.test(f)).length : 0)
    for (let i = 0; i < 600 && checkpoints() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    child.kill('SIGKILL')
    await exited
    assert.ok(existsSync(join(dir, 'manifest.json')), 'the killed run left a checkpoint')
    const recovered = runCliJson([...args, '--recover', dir])
    const straight = await check('two-phase-commit', { params: { rm: 7 }, bug: bug[1] })
    assert.ok(recovered.report.seconds > 0)
    assert.equal(figures(recovered.report), figures(straight.report))
    assert.is(recovered.code, straight.report.result === 'safe' ? 0 : 1)
    assert.is(recovered.report.traceLength, straight.report.traceLength)
  }
})

test('a checkpoint is refused for another check, when damaged or missing, and over an existing one', async () => {
  const dir = join(folder(), 'cp')
  await check('two-phase-commit', { params: { rm: 5 }, checkpoint: dir, checkpointEvery: 0.001, interruption: stopAtTick(2) })
  const refusal = async (options: CheckOptions, pattern: RegExp) => {
    try {
      await check('two-phase-commit', options)
    } catch (e) {
      assert.instance(e, InputError)
      assert.match((e as Error).message, pattern)
      return
    }
    assert.unreachable(`no refusal: ${JSON.stringify(options)}`)
  }
  await refusal({ params: { rm: 4 }, recover: dir }, /another check: it was made with params \{"rm":5\}, this check has \{"rm":4\}/)
  await refusal({ params: { rm: 5 }, bug: 'commit-after-abort', recover: dir }, /another check: .*bug/)
  await refusal({ params: { rm: 5 }, symmetry: true, recover: dir }, /another check: .*symmetry/)
  await refusal({ params: { rm: 5 }, properties: ['TCConsistent'], recover: dir }, /another check: .*properties/)
  await refusal({ params: { rm: 5 }, checkpoint: dir }, /holds a checkpoint already/)
  await refusal({ params: { rm: 5 }, recover: join(dir, 'none') }, /no checkpoint there/)
  await refusal({ params: { rm: 5 }, recover: dir, workers: 2 }, /one worker only/)
  await refusal({ params: { rm: 5 }, recover: dir, strategy: 'dfs' }, /breadth-first search only/)
  const queueFile = readdirSync(dir).find((f) => f.startsWith('queue-'))!
  writeFileSync(join(dir, queueFile), Buffer.alloc(readdirSync(dir).length))
  await refusal({ params: { rm: 5 }, recover: dir }, /queue-\d+\.bin is damaged/)
  truncateSync(join(dir, 'manifest.json'), 10)
  await refusal({ params: { rm: 5 }, recover: dir }, /manifest.json is damaged/)
  rmSync(dir, { recursive: true })
})

test('CLI: refusals are one line and exit 2', () => {
  const dir = join(folder(), 'cp')
  for (const args of [
    ['--recover', dir],
    ['--checkpoint', dir, '--workers', '2'],
    ['--disk', dir, '--strategy', 'dfs', '--memory', '500'],
    ['--checkpoint-every', '5'],
  ]) {
    const r = runCli(['check', 'two-phase-commit', ...args, '--json'])
    assert.is(r.code, 2, r.stderr)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /^protocheck: /)
  }
  assert.not.ok(existsSync(dir), 'a refused run writes nothing')
})

test.run()
