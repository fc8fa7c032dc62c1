// The CLI contract for liveness, through `node dist/cli.js` (three round trips): a lasso's
// report has `loop` and exit 1; the text output says where the cycle returns; liveness named
// with --symmetry or --strategy dfs is refused in one line, exit 2.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli, runCliJson } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-liveness-cli-'))
const api = pathToFileURL(new URL('../index.js', import.meta.url).pathname).href

// Two nodes pass a token back and forth (weakly fair); `Done` is never reached: a lasso.
const model = join(dir, 'token.ts')
writeFileSync(model, `
import { defineModel, protocol, nodeId, record, range } from '${api}'
export default defineModel({
  name: 'token',
  summary: 'a token passed around forever',
  params: {},
  bugs: {},
  build() {
    const Node = nodeId('node', 2)
    return protocol({
      state: record({ holder: Node }),
      actions: { Pass: { from: Node } },
      init(emit) { emit(() => {}) },
      next(s, emit) { emit('Pass', { from: s.holder }, (d) => { d.holder = 1 - s.holder }) },
      always: {},
      eventually: { Done: (s) => false },
      fairness: { Pass: 'weak' },
      symmetric: ['node'],
    })
  },
})
`)

test('check: a liveness violation is a lasso with loop in the JSON report, exit 1', () => {
  const { code, report } = runCliJson(['check', model])
  assert.is(code, 1)
  assert.is(report.result, 'violation')
  assert.is(report.property, 'Done')
  assert.is(report.traceLength, 3)
  assert.is(report.loop, 1)
  const text = runCli(['check', model])
  assert.match(text.stdout, /the counterexample is a lasso: after its last state it returns to state 1, forever/)
  assert.match(text.stdout, /Done is violated: the cycle 0 -> \.\.\. -> 2 repeats forever/)
})

test('check --symmetry and --strategy dfs refuse a liveness property named in the selection: one line, exit 2', () => {
  // (A selection left to the default checks the safety properties only there: checker/check.ts.)
  for (const [name, settings] of [['symmetry', { symmetry: true }], ['dfs', { strategy: 'dfs' }]] as const) {
    const spec = join(dir, `${name}.json`)
    writeFileSync(spec, JSON.stringify({ model, properties: ['Done'], ...settings, expect: { result: 'safe' } }))
    const r = runCli(['check', spec])
    assert.is(r.code, 2, name)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /liveness/)
  }
})

test('check --symmetry with the default selection checks the safety properties and names the liveness ones it left out', () => {
  const { code, report } = runCliJson(['check', model, '--symmetry'])
  assert.is(code, 0)
  assert.is(report.result, 'safe')
  assert.equal(report.unchecked.properties, ['Done'])
  assert.match(report.unchecked.why, /--symmetry/)
  assert.match(runCli(['check', model, '--symmetry']).stdout, /^result: safe .*\nnot checked: Done \(liveness is checked by bfs without --symmetry/m)
})

test('check --no-liveness checks the safety properties only, on every worker asked for, and names what it left out', () => {
  const { code, report } = runCliJson(['check', model, '--no-liveness', '--workers', '2'])
  assert.is(code, 0)
  assert.is(report.result, 'safe')
  assert.equal(report.unchecked, { properties: ['Done'], why: '--no-liveness' })
  assert.match(runCli(['check', model, '--no-liveness', '--workers', '2']).stderr, /^checking token with bfs on 2 workers$/m)
  const named = runCli(['check', model, '--no-liveness', '--property', 'Done'])
  assert.is(named.code, 2)
  assert.is(named.stderr, 'protocheck: --no-liveness leaves out liveness properties, yet Done is selected by name\n')
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
