// Budgets stop a search `incomplete` with the figures so far and a reason, never a crash:
// --memory (before the visited table would grow past it, or when a presized table does not
// fit), --fp-mem and --workers bounds, Ctrl-C and SIGTERM in check, check specs/ and simulate
// (exit 3); and the on-disk parent log.

import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ParentLog } from '../checker/parents.js'
import { cliPath, runCli, runCliJson } from './helpers/cli.js'

// The safety properties only: a liveness property (EveryRMDecides) makes the search record its
// state graph on one thread, which is not what these tests measure.
const SAFETY = ['--property', 'TypeOK', '--property', 'TCConsistent']

test('--memory: a presized table larger than the budget stops before the first step, exit 3', () => {
  const { code, report } = runCliJson(['check', 'two-phase-commit', '--param', 'rm=6', ...SAFETY, '--memory', '200', '--fp-mem', '512'])
  assert.is(code, 3)
  assert.is(report.result, 'incomplete')
  assert.match(report.reason, /memory budget of 200 MB reached: the presized visited table \(--fp-mem\) needs 512 MB more/)
  assert.is(report.distinctStates, 1)
})

test('--memory: the search stops before the visited table grows past the budget, with its figures', () => {
  // About 60 MB is Node itself; the table has to double to 16 MB and beyond for rm=8.
  const { code, report } = runCliJson(['check', 'two-phase-commit', '--param', 'rm=8', ...SAFETY, '--memory', '90'])
  assert.is(code, 3)
  assert.is(report.result, 'incomplete')
  assert.match(report.reason, /memory budget of 90 MB reached/)
  assert.ok(report.distinctStates > 1000 && report.distinctStates < 1745408, String(report.distinctStates))
  assert.ok(report.generatedStates > report.distinctStates)
})

test('--memory counts worker threads: workers start only while the budget has room for one more', () => {
  // Each worker is a V8 isolate with the model loaded; 64 of them once took 1.1 GB under --memory 200.
  const { code, report } = runCliJson(['check', 'two-phase-commit', '--param', 'rm=8', ...SAFETY, '--workers', '64', '--memory', '200'])
  assert.is(code, 3)
  assert.is(report.result, 'incomplete')
  assert.match(report.reason, /^memory budget of 200 MB reached: the worker thread (\d+) of 64 needs \d+ MB more with \d+ MB in use$/)
  assert.ok(Number(/thread (\d+)/.exec(report.reason)![1]) > 1)
})

test('--fp-mem past the largest table (2^30 slots, 8192 MB) is refused before anything runs, exit 2', () => {
  // 16384 MB once made 2^31 slots, whose doubled index overflowed and hung the search.
  for (const mb of ['16384', '100000000']) {
    const r = runCli(['check', 'two-phase-commit', '--param', 'rm=3', '--fp-mem', mb])
    assert.is(r.code, 2)
    assert.match(r.stderr, /^protocheck: --fp-mem needs a whole number from 1 to 8192, got '\d+'\n$/)
  }
  const workers = runCli(['check', 'two-phase-commit', '--workers', '100000'])
  assert.is(workers.code, 2)
  assert.match(workers.stderr, '--workers needs a whole number from 1 to 64')
})

test('--fp-mem presizes the table: same verdict and counts', () => {
  const { code, report } = runCliJson(['check', 'two-phase-commit', '--param', 'rm=5', '--fp-mem', '4'])
  assert.is(code, 0)
  assert.is(report.distinctStates, 8832)
})

test('bad budgets are bad input: one line, exit 2', () => {
  for (const args of [['--memory', '0'], ['--fp-mem', 'lots'], ['--memory', '1.5']]) {
    const { code, stderr } = runCli(['check', 'two-phase-commit', ...args])
    assert.is(code, 2, args.join(' '))
    assert.is(stderr.trim().split('\n').length, 1)
  }
})

for (const [signal, name] of [['SIGINT', 'Ctrl-C \\(SIGINT\\)'], ['SIGTERM', 'SIGTERM']] as const) {
  test(`${signal} prints the figures so far, exits 3 and leaves no temporary file`, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'signal-'))
    const child = spawn(process.execPath, [cliPath, 'check', 'two-phase-commit', '--param', 'rm=10', '--progress'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d
        // Interrupt once the search is under way (its first progress line).
        if (/progress: /.test(stderr) && child.exitCode === null && !child.killed) child.kill(signal)
      })
      child.on('close', (c) => resolve(c))
    })
    assert.is(code, 3)
    assert.match(stdout, new RegExp(`result: incomplete \\(interrupted by ${name}\\)`))
    assert.match(stdout, /states=\d+ unique=\d+ depth=\d+/)
    assert.match(stderr, /progress: states=\d+ unique=\d+ queue=\d+ depth=\d+ sec=\d+ \([\d,]+\/s\) rss=\d+MB/)
    assert.equal(readdirSync(tmp), [])
    rmSync(tmp, { recursive: true })
  })
}

test('SIGTERM during check specs/: the spec being checked ends incomplete, the rest are skipped, summary and JUnit written, exit 3', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'specs-signal-'))
  const spec = (name: string, model: object) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(model))
  spec('a-quick', { model: 'two-phase-commit', params: { rm: 2 }, expect: { result: 'safe' } })
  spec('b-long', { model: 'two-phase-commit', params: { rm: 12 }, expect: { result: 'safe' } })
  spec('c-never', { model: 'two-phase-commit', params: { rm: 3 }, expect: { result: 'safe' } })
  const junit = join(dir, 'out.xml')
  const child = spawn(process.execPath, [cliPath, 'check', dir, '--junit', junit], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d
      if (/^a-quick .* ok$/m.test(stdout) && !child.killed) setTimeout(() => child.kill('SIGTERM'), 300)
    })
    child.on('close', (c) => resolve(c))
  })
  assert.is(code, 3, stdout)
  assert.match(stdout, /^b-long +safe +incomplete .*FAILED$/m)
  assert.not.match(stdout, /^c-never/m)
  assert.match(stdout, 'interrupted by SIGTERM: 1 of 3 specs not run')
  assert.match(readFileSync(junit, 'utf8'), /<testsuites name="protocheck" tests="2" failures="1"/)
  rmSync(dir, { recursive: true })
})

for (const workers of [1, 2]) {
  test(`SIGTERM during simulate (${workers} worker${workers > 1 ? 's' : ''}): the walks so far are reported incomplete, exit 3`, async () => {
    const child = spawn(process.execPath, [cliPath, 'simulate', 'raft', '--runs', '100000000', '--seed', '1', '--workers', String(workers), '--progress', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const code = await new Promise<number | null>((resolve) => {
      // Interrupt once the walks are under way (the first progress line).
      child.stderr.on('data', (d) => /progress: runs=/.test(String(d)) && !child.killed && child.kill('SIGTERM'))
      child.on('close', (c) => resolve(c))
    })
    assert.is(code, 3)
    const report = JSON.parse(stdout)
    assert.is(report.result, 'incomplete')
    assert.is(report.reason, 'interrupted by SIGTERM')
    assert.ok(report.runs > 0 && report.runs < 100000000 && report.steps > 0, stdout)
  })
}

test('parent log: entries past the in-memory chunk go to disk and read back', () => {
  const log = new ParentLog()
  const n = (1 << 21) + 12345
  for (let i = 0; i < n; i++) log.add(i - 1, i % 65536)
  for (const id of [0, 1, 77777, (1 << 20) - 1, 1 << 20, (1 << 21) + 5, n - 1]) {
    assert.is(log.parent(id), id - 1)
    assert.is(log.ordinal(id), id % 65536)
  }
  log.close()
})

test('parent log: a TMPDIR that cannot be written keeps every entry in memory and says why (the search stops incomplete on it)', () => {
  const saved = process.env.TMPDIR
  process.env.TMPDIR = '/nonexistent-protocheck-tmpdir'
  try {
    const log = new ParentLog()
    const n = (1 << 20) + 77
    for (let i = 0; i < n; i++) log.add(i - 1, i % 65536)
    assert.match(log.failure ?? '', /^the parent log could not be written to \/nonexistent-protocheck-tmpdir \(TMPDIR\): ENOENT/)
    for (const id of [0, (1 << 20) - 1, 1 << 20, n - 1]) {
      assert.is(log.parent(id), id - 1)
      assert.is(log.ordinal(id), id % 65536)
    }
    log.close()
  } finally {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  }
})

test.run()
