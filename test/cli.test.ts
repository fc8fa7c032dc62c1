// The CLI contract scripts rely on: JSON shapes, exit codes, one-line errors.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cliPath, runCli, runCliJson } from './helpers/cli.js'

test('check two-phase-commit rm=5 --json: one JSON object, safe, 8832 distinct, exit 0', () => {
  const { code, report } = runCliJson(['check', 'two-phase-commit', '--param', 'rm=5'])
  assert.is(code, 0)
  assert.is(report.result, 'safe')
  assert.is(report.distinctStates, 8832)
  assert.is(report.model, 'two-phase-commit')
  assert.equal(report.params, { rm: 5 })
  for (const key of ['bug', 'strategy', 'property', 'generatedStates', 'depth', 'seconds', 'statesPerSecond', 'traceFile', 'traceLength', 'coverage']) {
    assert.ok(key in report, `report has ${key}`)
  }
})

for (const bug of ['commit-on-any-prepared', 'abort-after-prepare', 'commit-after-abort']) {
  test(`check two-phase-commit --bug ${bug}: violation of TCConsistent with a trace, exit 1`, () => {
    const { code, report } = runCliJson(['check', 'two-phase-commit', '--bug', bug])
    assert.is(code, 1)
    assert.is(report.result, 'violation')
    assert.is(report.property, 'TCConsistent')
    assert.ok(report.traceLength > 1)
    const text = runCli(['check', 'two-phase-commit', '--bug', bug])
    assert.is(text.code, 1)
    assert.match(text.stdout, /counterexample:/)
    assert.match(text.stdout, /TCConsistent is violated in state/)
    assert.match(text.stdout, /states=\d+ unique=\d+ depth=\d+ sec=/)
  })
}

test('text output: a step shows its action, picks and only the variables that changed', () => {
  const { stdout } = runCli(['check', 'two-phase-commit', '--bug', 'commit-on-any-prepared'])
  assert.match(stdout, / {2}1 RMPrepare\(rm=rm1\)\n {6}rmState\[rm1\]: working -> prepared\n {6}msgs: \{\} -> \{\{ type: Prepared, rm: rm1 \}\}\n {2}2 /)
})

test('bounds give incomplete (exit 3), never safe', () => {
  for (const bound of [['--max-states', '100'], ['--max-depth', '3'], ['--time', '0.000001']]) {
    const { code, report } = runCliJson(['check', 'two-phase-commit', '--param', 'rm=4', ...bound])
    assert.is(code, 3, bound.join(' '))
    assert.is(report.result, 'incomplete')
    assert.ok(report.reason.length > 0)
  }
})

test('list --json names every model with params, properties, symmetric roles and bugs', () => {
  const { code, report } = runCliJson(['list'])
  assert.is(code, 0)
  const tpc = report.models.find((m: any) => m.name === 'two-phase-commit')
  assert.equal(tpc.params.rm, { type: 'integer', description: 'number of resource managers', default: 3, minimum: 1, maximum: 12 })
  assert.ok(tpc.properties.some((p: any) => p.name === 'TCConsistent' && p.kind === 'always'))
  assert.ok(tpc.bugs.length >= 2 && tpc.bugs.every((b: any) => b.name && b.description))
  const symmetric = Object.fromEntries(report.models.map((m: any) => [m.name, m.symmetric]))
  assert.equal(symmetric, {
    'two-phase-commit': ['rm'],
    'transaction-commit': ['rm'],
    'lock-service': ['client'],
    zab: [],
    paxos: ['a'],
    raft: ['server'],
    'paxos-commit': ['rm', 'a'],
    'lamport-mutex': [],
    'mapreduce-commit': ['task', 'worker'],
    'load-balancer': ['client'],
    'clock-sync': ['client'],
    'sharded-kv': ['group', 'shard'],
    'primary-backup': ['s'],
    'failover-fencing': ['node'],
    gfs: ['replica'],
  })
})

const paxosSpec = fileURLToPath(new URL('../../specs/paxos.json', import.meta.url))

const badInput: [string, string[], RegExp][] = [
  ['--out in a folder that is a file', ['check', 'two-phase-commit', '--out', `${cliPath}/x.itf.json`], /--out .*: cannot write there \(.* is not a folder\)/],
  ['--out in a missing folder', ['simulate', 'two-phase-commit', '--out', '/no/such/folder/x.json'], /--out \/no\/such\/folder\/x\.json: cannot write there \(no folder \/no\/such\/folder\)/],
  ['--junit under a file', ['check', paxosSpec, '--junit', `${cliPath}/out.xml`], /--junit .*: cannot write there/],
  ['--out-dir that is a file', ['check', paxosSpec, '--out-dir', cliPath], /--out-dir .*: cannot write there \(not a folder\)/],
  ['conform --out under a file', ['conform', 'two-phase-commit', '--out', `${cliPath}/c.json`], /--out .*: cannot write there/],
  ['unknown model', ['check', 'nope'], /unknown model 'nope'/],
  ['unknown bug', ['check', 'two-phase-commit', '--bug', 'nope'], /unknown bug 'nope' for two-phase-commit/],
  ['unknown param', ['check', 'two-phase-commit', '--param', 'nodes=3'], /unknown param 'nodes' for two-phase-commit/],
  ['param not a number', ['check', 'two-phase-commit', '--param', 'rm=three'], /param rm="three" is not an integer/],
  ['param out of range', ['check', 'two-phase-commit', '--param', 'rm=13'], /param rm="13" is out of range 1\.\.12/],
  ['param without =', ['check', 'two-phase-commit', '--param', 'rm'], /--param needs name=value, got 'rm'/],
  ['bound not a number', ['check', 'two-phase-commit', '--max-states', 'x'], /--max-states needs a whole number/],
  ['unknown option', ['check', 'two-phase-commit', '--frobnicate'], /Unknown argument/],
  ['no command', [], /name a command/],
  ['params that contradict each other', ['check', 'lock-service', '--param', 'lease=2', '--param', 'drift=1'], /lock-service needs lease > 2 \* drift/],
]
for (const [what, args, message] of badInput) {
  test(`bad input, ${what}: one line on stderr, exit 2, no stack`, () => {
    const r = runCli(args)
    assert.is(r.code, 2, r.stderr)
    assert.match(r.stderr, message)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.not.match(r.stderr, /\n\s+at /)
    assert.is(r.stdout, '')
  })
}

test('output piped into a reader that stops early (| head) ends quietly', () => {
  const r = spawnSync('bash', ['-c', `node ${JSON.stringify(cliPath)} check two-phase-commit --param rm=4 --bug abort-after-prepare | head -1`], { encoding: 'utf8' })
  assert.is(r.stdout.trim().split('\n').length, 1)
  assert.not.match(r.stderr, /EPIPE|Error/)
})

test.run()
