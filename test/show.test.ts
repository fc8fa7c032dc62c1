// `protocheck show`: protocheck's and Quint's traces in the terminal, and one clear line
// with exit 2 for every kind of bad trace file.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { colors, plain, styleFor } from '../traces/show/text.js'
import { runCli } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-show-'))
const quintFixture = (name: string) => fileURLToPath(new URL(`../../traces/fixtures/quint/${name}.itf.json`, import.meta.url))
const counterexample = join(dir, 'cex.itf.json')
const made = runCli(['check', 'two-phase-commit', '--bug', 'commit-on-any-prepared', '--out', counterexample])
if (made.code !== 1) throw new Error(`check --out failed: ${made.stderr}`)

test('a protocheck counterexample: header, each step with its picks and changes, the violated property last', () => {
  const r = runCli(['show', counterexample])
  assert.is(r.code, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  assert.match(lines[0], /cex\.itf\.json: two-phase-commit rm=3 bug=commit-on-any-prepared, result violation, 6 states \(5 steps\), written by protocheck /)
  assert.equal(lines.slice(1, 6), [
    '  0 init',
    '      rmState = [rm1 |-> working, rm2 |-> working, rm3 |-> working]',
    '      tmState = init',
    '      tmPrepared = {}',
    '      msgs = {}',
  ])
  assert.match(r.stdout, / {2}3 TMCommit\n {6}tmState: init -> committed\n {6}msgs \+= \{ type: Commit \}\n/)
  assert.match(r.stdout, / {2}5 RMChooseToAbort\(rm=rm2\)\n {6}rmState\[rm2\]: working -> aborted\n/)
  assert.is(lines[lines.length - 1], '      TCConsistent is violated in state 5')
  assert.not.match(r.stdout, /\x1b\[/, 'no colour when stdout is not a terminal')
})

test('colour only for a terminal, and never with NO_COLOR', () => {
  assert.is(styleFor({ isTTY: false }), plain)
  assert.is(styleFor({}), plain)
  const saved = process.env.NO_COLOR
  delete process.env.NO_COLOR
  assert.is(styleFor({ isTTY: true }), colors)
  process.env.NO_COLOR = '1'
  assert.is(styleFor({ isTTY: true }), plain)
  if (saved === undefined) delete process.env.NO_COLOR
  else process.env.NO_COLOR = saved
})

test("Quint's violation trace: Option picks unwrapped, big ints, tuples, variants, the status as verdict", () => {
  const r = runCli(['show', quintFixture('twophase_violation')])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /twophase_violation\.itf\.json: from spec\/twophase\.qnt, result violation, 5 states \(4 steps\), written by Quint\n/)
  assert.match(r.stdout, / {2}0 init\n {6}rmState = \[rm1 \|-> Working, rm2 \|-> Working, rm3 \|-> Working\]\n/)
  assert.match(r.stdout, / {6}lastEvent = <<init, 0>>\n/)
  assert.match(r.stdout, / {2}1 rmPrepare\(rm=rm3\)\n {6}rmState\[rm3\]: Working -> Prepared\n {6}msgs: \{\} -> \{\{ kind: prepared, rm: rm3, round: 0 \}\}\n {6}round: 0 -> 1\n/)
  assert.match(r.stdout, /an invariant is violated in state 4 \(the trace's #meta\.status is violation\)\n$/)
})

test("Quint's run: a variant with a payload, sets of records, steps that change only a counter", () => {
  const r = runCli(['show', quintFixture('twophase_run')])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /decision: Undecided -> Commit\(8\)/)
  assert.match(r.stdout, /msgs \+= \{ kind: prepared, rm: rm2, round: 1 \}/)
  assert.match(r.stdout, / {2}4 tmRcvPrepared\(rm=rm3\)\n {6}tmPrepared \+= rm3\n/)
  assert.not.match(r.stdout, /is violated/)
  // 21 states: one block per state.
  assert.is(r.stdout.match(/^ {0,2}\d+ \w+/gm)!.length, 21)
})

const trace = JSON.parse(readFileSync(counterexample, 'utf8'))
const badFiles: [string, string, RegExp][] = [
  ['not JSON', '{"vars": [', /not-json\.itf\.json is not JSON: /],
  ['wrong shape', JSON.stringify({ ...trace, states: [{ ...trace.states[0], tmState: null }] }), /wrong-shape\.itf\.json is not an ITF trace: at \/states\/0\/tmState: not an ITF value/],
  ['states out of order', JSON.stringify({ ...trace, states: [trace.states[1], trace.states[0], ...trace.states.slice(2)] }), /states out of order: \/states\/0 has #meta\.index 1, expected 0/],
  ['unknown model', JSON.stringify({ ...trace, '#meta': { ...trace['#meta'], model: 'paxos-9000', source: 'paxos-9000' } }), /the trace's model: unknown model 'paxos-9000'/],
  ['a state that does not fit the model', JSON.stringify({ ...trace, states: trace.states.map((s: any, i: number) => (i === 2 ? { ...s, tmState: 'maybe' } : s)) }), /state 2 does not fit two-phase-commit rm=3 .*tmState: expected one of init, committed, aborted/],
]
for (const [what, content, message] of badFiles) {
  test(`show, bad trace (${what}): one line on stderr, exit 2, nothing on stdout`, () => {
    const file = join(dir, `${what.toLowerCase().split(' ').slice(0, 2).join('-')}.itf.json`)
    writeFileSync(file, content)
    const r = runCli(['show', file])
    assert.is(r.code, 2, r.stderr)
    assert.match(r.stderr, message)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.is(r.stdout, '')
  })
}

test('show, a protocheck trace edited so that a step is not the model\'s: shown, with a one-line warning', () => {
  const file = join(dir, 'edited.itf.json')
  writeFileSync(file, JSON.stringify({ ...trace, states: trace.states.map((s: any, i: number) => (i === 3 ? { ...s, 'mbt::actionTaken': 'TMAbort' } : s)) }))
  const r = runCli(['show', file])
  assert.is(r.code, 0)
  assert.is(r.stderr, `protocheck: warning: ${file} is not a path of the model: step 3: TMAbort from state 2 does not lead to state 3 in two-phase-commit rm=3 bug=commit-on-any-prepared\n`)
  assert.match(r.stdout, / {2}3 TMAbort\n/)
})

test('show, a file that does not exist: one line, exit 2', () => {
  const r = runCli(['show', join(dir, 'nowhere.itf.json')])
  assert.is(r.code, 2)
  assert.match(r.stderr, /^protocheck: cannot read trace .*nowhere\.itf\.json: no such file\n$/)
})

test.run()
