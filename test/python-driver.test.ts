// examples/two-phase-commit-python: two-phase commit in Python, driven through the JSON-lines
// driver protocol (`--driver-cmd`), against the built-in model, through the CLI as a user runs
// it. The correct build conforms; every bug's counterexample, found in the model, is reproduced
// on the Python code built with that bug; a mutant core (driver.py --mutant) makes conform
// diverge, and the divergence it writes replays on the mutant and not on the correct code.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCliJson } from './helpers/cli.js'

const driverPy = fileURLToPath(new URL('../../examples/two-phase-commit-python/driver.py', import.meta.url))
const exampleDir = dirname(driverPy)
const python = (...flags: string[]) => ['python3', JSON.stringify(driverPy), ...flags].join(' ')
const runPy = join(exampleDir, 'run.py')

/** A seeded random run of the Python implementation on its own, logged for validate. */
function loggedRun(log: string, ...flags: string[]) {
  const r = spawnSync('python3', [runPy, '--log-events', log, ...flags], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })
  assert.is(r.status, 0, r.stderr)
}

let dir = ''
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'protocheck-python-driver-'))
})
test.after(() => rmSync(dir, { recursive: true, force: true }))

for (const rm of [2, 3]) {
  test(`conform two-phase-commit --param rm=${rm} --driver-cmd "python3 driver.py": 100 walks agree`, () => {
    const r = runCliJson(['conform', 'two-phase-commit', '--param', `rm=${rm}`, '--driver-cmd', python(), '--runs', '100', '--seed', String(10 + rm)])
    assert.is(r.code, 0, r.stderr)
    const { depth, ...report } = r.report
    assert.equal(report, { model: 'two-phase-commit', runs: 100, seed: 10 + rm, result: 'agree', traceFile: null })
    assert.ok(depth.max > 10 && depth.mean > 5, JSON.stringify(depth))
  })
}

// Each bug's shortest counterexample (BFS), in steps after the initial state.
const bugs: Record<string, { property: string; steps: number }> = {
  'commit-on-any-prepared': { property: 'TCConsistent', steps: 5 },
  'abort-after-prepare': { property: 'TCConsistent', steps: 9 },
  'commit-after-abort': { property: 'TCConsistent', steps: 10 },
}

for (const [bug, expected] of Object.entries(bugs)) {
  test(`--bug ${bug}: the model's counterexample replays on the Python code built with the bug, reproduced`, () => {
    const trace = join(dir, `${bug}.itf.json`)
    const checked = runCliJson(['check', 'two-phase-commit', '--bug', bug, '--out', trace])
    assert.is(checked.code, 1, checked.stderr)
    assert.is(checked.report.property, expected.property)
    assert.is(checked.report.traceLength, expected.steps + 1)
    const replayed = runCliJson(['replay', trace, '--driver-cmd', python()])
    assert.is(replayed.code, 0, replayed.stderr)
    assert.equal(replayed.report, { model: 'two-phase-commit', steps: expected.steps, divergence: null, property: expected.property, reproduced: true })
  })
}

test('a mutant Python TM whose Abort skips the last RM: conform diverges; its trace replays on the mutant, not on the correct code', () => {
  const out = join(dir, 'forgetful-abort.itf.json')
  const r = runCliJson(['conform', 'two-phase-commit', '--driver-cmd', python('--mutant', 'forgetful-abort'), '--runs', '100', '--seed', '1', '--out', out])
  assert.is(r.code, 1, r.stderr)
  assert.is(r.report.result, 'diverge')
  assert.is(r.report.traceFile, out)
  // Shrunk to the shortest walk that shows it: the TM aborts, the forgotten RM cannot hear it.
  const states = JSON.parse(readFileSync(out, 'utf8')).states
  assert.equal(states.map((s: any) => [s['mbt::actionTaken'], s['mbt::nondetPicks']]), [['init', {}], ['TMAbort', {}], ['RMRcvAbortMsg', { rm: 'rm3' }]])
  const onMutant = runCliJson(['replay', out, '--driver-cmd', python('--mutant', 'forgetful-abort')])
  assert.is(onMutant.code, 1, onMutant.stderr)
  assert.ok(onMutant.report.divergence, 'the mutant diverges again on replay')
  assert.match(onMutant.report.divergence.reason, /no Abort message was sent to rm3/)
  const onCorrect = runCliJson(['replay', out, '--driver-cmd', python()])
  assert.is(onCorrect.report.divergence, null, JSON.stringify(onCorrect.report))
})

test('validate: logs of runs of the Python code conform; a run built with commit-on-any-prepared is rejected at its TMCommit', () => {
  for (const seed of ['1', '3']) {
    const log = join(dir, `run-${seed}.ndjson`)
    loggedRun(log, '--rm', '3', '--seed', seed)
    const r = runCliJson(['validate', 'two-phase-commit', '--log', log])
    assert.is(r.code, 0, r.stderr)
    assert.is(r.report.result, 'conforms')
    assert.ok(r.report.events >= 7, `only ${r.report.events} events`)
  }
  const buggy = join(dir, 'run-buggy.ndjson')
  loggedRun(buggy, '--rm', '3', '--seed', '10', '--bug', 'commit-on-any-prepared')
  const rejected = runCliJson(['validate', 'two-phase-commit', '--log', buggy, '--out', join(dir, 'run-buggy.itf.json')])
  assert.is(rejected.code, 1, rejected.stderr)
  assert.is(rejected.report.result, 'rejected')
  assert.is(rejected.report.unexplained.action, 'TMCommit')
  assert.is(rejected.report.unexplained.node, 'tm')
  const withTheBug = runCliJson(['validate', 'two-phase-commit', '--log', buggy, '--bug', 'commit-on-any-prepared'])
  assert.is(withTheBug.report.result, 'conforms', JSON.stringify(withTheBug.report))
})

test('driver.py --log-events: the run a replay drove is logged, and validate explains it with the trace\'s bug only', () => {
  const trace = join(dir, 'log-events.itf.json')
  assert.is(runCliJson(['check', 'two-phase-commit', '--bug', 'commit-on-any-prepared', '--out', trace]).code, 1)
  const log = join(dir, 'replayed.ndjson')
  const replayed = runCliJson(['replay', trace, '--driver-cmd', python('--log-events', JSON.stringify(log))])
  assert.is(replayed.report.reproduced, true, replayed.stderr)
  const withTheBug = runCliJson(['validate', 'two-phase-commit', '--log', log, '--bug', 'commit-on-any-prepared'])
  assert.is(withTheBug.code, 0, withTheBug.stderr)
  assert.equal([withTheBug.report.result, withTheBug.report.events], ['conforms', 5])
  const correct = runCliJson(['validate', 'two-phase-commit', '--log', log, '--out', join(dir, 'replayed.itf.json')])
  assert.equal([correct.report.result, correct.report.unexplained?.action], ['rejected', 'TMCommit'])
})

test('the Python unit tests of the cores, the ITF codec, the driver and the event log pass (python3 -m unittest)', () => {
  const r = spawnSync('python3', ['-m', 'unittest', '-q'], { cwd: exampleDir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stderr, /Ran \d+ tests/)
  assert.match(r.stderr, /\nOK\n/)
})

test.run()
