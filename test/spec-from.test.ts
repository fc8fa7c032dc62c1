// A spec's `from`: the search starts at the last state of a recorded path instead of the
// model's initial states. Its counterexample still starts at the initial state (the path, then
// the search's steps) and re-checks as a path of the model; a path that no longer fits the
// model, or `from` with `trace`, is one line and exit 2.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli, runCliJson } from './helpers/cli.js'

const scratch = mkdtempSync(join(tmpdir(), 'protocheck-from-'))
const bug = 'commit-on-any-prepared'

/** The bug's shortest counterexample, as `check --out` writes it. */
function counterexample(): any {
  const file = join(scratch, 'full.itf.json')
  assert.is(runCli(['check', 'two-phase-commit', '--bug', bug, '--out', file]).code, 1)
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** A folder holding one spec and the prefix file it names. */
function specWith(name: string, spec: Record<string, unknown>, prefix: unknown): string {
  const dir = mkdtempSync(join(scratch, 'case-'))
  mkdirSync(join(dir, 'traces'))
  writeFileSync(join(dir, 'traces', 'prefix.itf.json'), JSON.stringify(prefix))
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ model: 'two-phase-commit', bug, from: 'traces/prefix.itf.json', ...spec }))
  return dir
}

test('a search from a recorded state finds the violation; its counterexample starts at the initial state and re-checks as a path of the model', () => {
  const full = counterexample()
  const prefix = { ...full, states: full.states.slice(0, 3) }
  const dir = specWith('from-prefix', { expect: { result: 'violation', property: 'TCConsistent' } }, prefix)
  const { code, report, stderr } = runCliJson(['check', dir, '--out-dir', join(dir, 'out')])
  assert.is(code, 0, stderr)
  assert.ok(report[0].passed)
  const written = JSON.parse(readFileSync(report[0].traceFile, 'utf8'))
  assert.equal(written.states.slice(0, 3), prefix.states, 'the recorded path comes first')
  // BFS from the third state finds the rest of the shortest counterexample, no shorter.
  assert.is(written.states.length, full.states.length)
  // The counterexample is itself a trace a spec can re-check.
  writeFileSync(join(dir, 'out', 'recheck.json'), JSON.stringify({ model: 'two-phase-commit', bug, trace: 'from-prefix.itf.json', expect: { result: 'violation', property: 'TCConsistent' } }))
  const recheck = runCliJson(['check', join(dir, 'out', 'recheck.json')])
  assert.is(recheck.code, 0, recheck.stderr)
})

test('the counts are those of the search from the recorded state', () => {
  const full = counterexample()
  const fromStart = runCliJson(['check', specWith('a', { properties: ['TypeOK'], expect: { result: 'safe' } }, { ...full, states: full.states.slice(0, 1) })])
  const fromLater = runCliJson(['check', specWith('b', { properties: ['TypeOK'], expect: { result: 'safe' } }, { ...full, states: full.states.slice(0, 3) })])
  assert.is(fromStart.code, 0, fromStart.stderr)
  assert.is(fromLater.code, 0, fromLater.stderr)
  assert.ok(fromLater.report[0].distinctStates < fromStart.report[0].distinctStates)
})

test('a recorded path that no longer fits the model, and from with trace, are one line and exit 2', () => {
  const full = counterexample()
  const broken = structuredClone({ ...full, states: full.states.slice(0, 3) })
  broken.states[2]['mbt::actionTaken'] = 'TMAbort'
  const cases = [
    specWith('broken', { expect: { result: 'violation', property: 'TCConsistent' } }, broken),
    specWith('both', { trace: 'traces/prefix.itf.json', expect: { result: 'violation', property: 'TCConsistent' } }, full),
  ]
  const messages = [/\/from traces\/prefix\.itf\.json: state 2: TMAbort has no pick/, /\/trace and \/from exclude each other/]
  for (const [k, dir] of cases.entries()) {
    const r = runCli(['check', dir])
    assert.is(r.code, 2, r.stderr)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, messages[k], r.stderr)
  }
})

test.after(() => rmSync(scratch, { recursive: true, force: true }))
test.run()
