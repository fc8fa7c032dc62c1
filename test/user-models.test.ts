// Models from files, as a user's project has them: a TypeScript module loaded with no build
// step (even outside a "type": "module" package), named by path wherever a model name is
// accepted, loaded again in worker threads, named by spec files relative to themselves and
// recorded in traces. And the mistakes a user's model can make are reported, never believed.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../api/check.js'
import { ModelError } from '../checker/errors.js'
import { defineModel, protocol } from '../checker/model.js'
import { int, record } from '../checker/schema.js'
import { runCli, runCliJson } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-user-models-'))
const api = pathToFileURL(new URL('../index.js', import.meta.url).pathname).href

/** A counter that two workers increment up to `max`; the bug lets it pass `max`. Distinct
 * states: (max+1)^2 pairs of per-worker counts within the bound. */
const counterModel = `
import { defineModel, protocol, int, mapOf, nodeId, record, range, wellTyped } from '${api}'
const limitTypedLater: number = 3
export default defineModel({
  name: 'counter',
  summary: 'two workers count up to a bound',
  params: { max: { description: 'bound', default: limitTypedLater, minimum: 1, maximum: 5 } },
  bugs: { 'off-by-one': 'a worker may count one past the bound' },
  build({ max }, bug) {
    const Worker = nodeId('worker', 2)
    return protocol({
      state: record({ count: mapOf(Worker, int(0, max + 1)) }),
      actions: { Increment: { w: Worker } },
      init(emit) { emit(() => {}) },
      next(s, emit) {
        for (const w of range(2)) {
          const limit = bug === 'off-by-one' ? max + 1 : max
          if (s.count.get(w) < limit) emit('Increment', { w }, (d) => d.count.set(w, s.count.get(w) + 1))
        }
      },
      always: { TypeOK: wellTyped, WithinBound: (s) => s.count.get(0) <= max && s.count.get(1) <= max },
      sometimes: { BothDone: (s) => s.count.get(0) === max && s.count.get(1) === max },
      terminal: (s) => s.count.get(0) >= max && s.count.get(1) >= max,
      symmetric: ['worker'],
    })
  },
})
`

function write(path: string, text: string): string {
  const file = join(dir, path)
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, text)
  return file
}

// No package.json with "type": "module" above the model: it must load all the same.
const model = write('project/counter.ts', counterModel)

test('a .ts model file checks by path: bfs, dfs, workers and symmetry agree with the count', () => {
  for (const extra of [[], ['--strategy', 'dfs'], ['--workers', '2'], ['--symmetry']]) {
    const { code, report } = runCliJson(['check', model, '--param', 'max=3', ...extra])
    assert.is(code, 0, extra.join(' '))
    assert.is(report.model, 'counter')
    assert.is(report.result, 'safe')
    // 16 pairs of counts; symmetry merges (a, b) with (b, a): 10 classes.
    assert.is(report.distinctStates, extra[0] === '--symmetry' ? 10 : 16, extra.join(' '))
  }
})

test('a bug in a model file: the trace records the model file, and show and minimize find it', () => {
  const out = join(dir, 'traces', 'cex.itf.json')
  mkdirSync(join(dir, 'traces'), { recursive: true })
  const { code, report } = runCliJson(['check', model, '--bug', 'off-by-one', '--out', out])
  assert.is(code, 1)
  assert.is(report.property, 'WithinBound')
  assert.is(report.traceLength, 5)
  const trace = JSON.parse(readFileSync(out, 'utf8'))
  assert.is(trace['#meta'].source, '../project/counter.ts')
  const shown = runCli(['show', out], { cwd: tmpdir() })
  assert.is(shown.code, 0, shown.stderr)
  assert.is(shown.stderr, '')
  assert.match(shown.stdout, /Increment\(w=worker1\)/)
  const minimized = runCliJson(['minimize', out, '--out', join(dir, 'traces', 'min.itf.json')])
  assert.is(minimized.code, 0, minimized.stderr)
  assert.is(minimized.report.after, 5)
  // Moved away from its model, the trace needs --model.
  const moved = write('elsewhere/deeper/cex.itf.json', readFileSync(out, 'utf8'))
  const lost = runCli(['show', moved])
  assert.is(lost.code, 2)
  assert.match(lost.stderr, /^protocheck: the trace's model: unknown model 'counter'.*give --model PATH\)\n$/)
  assert.is(runCli(['show', moved, '--model', model]).code, 0)
})

test('simulate and list take a model file; simulation workers load it too', () => {
  const simulated = runCliJson(['simulate', model, '--bug', 'off-by-one', '--seed', '3', '--runs', '200', '--workers', '2'])
  assert.is(simulated.code, 1, simulated.stderr)
  assert.is(simulated.report.property, 'WithinBound')
  const listed = runCliJson(['list', model])
  assert.equal(listed.report.models.map((m: { name: string }) => m.name), ['counter'])
  assert.equal(listed.report.models[0].bugs, [{ name: 'off-by-one', description: 'a worker may count one past the bound' }])
})

test('a spec file names its model file relative to itself', () => {
  write('project/specs/counter.json', JSON.stringify({ model: '../counter.ts', params: { max: 2 }, expect: { result: 'safe' } }))
  write('project/specs/counter-bug.json', JSON.stringify({ model: '../counter.ts', bug: 'off-by-one', expect: { result: 'violation', property: 'WithinBound' } }))
  const r = runCliJson(['check', join(dir, 'project/specs')])
  assert.is(r.code, 0, r.stderr)
  assert.equal(r.report.map((s: { spec: string; distinctStates: number; passed: boolean }) => [s.spec, s.passed]), [['counter-bug', true], ['counter', true]])
  assert.is(r.report[1].distinctStates, 9)
})

test('bad model files are one line naming the file, exit 2', () => {
  const notAModel = write('bad/not-a-model.ts', 'export default { hello: 1 }\n')
  const noDefault = write('bad/no-default.mjs', 'export const model = 1\n')
  const throwsOnLoad = write('bad/throws.ts', "throw new Error('boom at load')\n")
  const throwsOnBuild = write('bad/build.ts', counterModel.replace("const Worker = nodeId('worker', 2)", "throw new Error('boom at build')"))
  const cases: [string, RegExp][] = [
    [join(dir, 'bad/absent.ts'), /cannot load model .*absent\.ts: no such file/],
    [notAModel, /not-a-model\.ts does not export a model as default: it has no name/],
    [noDefault, /no-default\.mjs has no default export/],
    [throwsOnLoad, /cannot load model .*throws\.ts: boom at load/],
    [throwsOnBuild, /model counter \(.*build\.ts\) failed to build: boom at build/],
  ]
  for (const [file, message] of cases) {
    const r = runCli(['check', file])
    assert.is(r.code, 2, `${file}: ${r.stderr}`)
    assert.match(r.stderr, message)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
})

test('params and bugs: a duplicate --param, and prototype names, are refused', () => {
  for (const [args, message] of [
    [['--param', 'max=2', '--param', 'max=3'], /--param max is given twice/],
    [['--bug', 'constructor'], /unknown bug 'constructor'/],
    [['--bug', '__proto__'], /unknown bug '__proto__'/],
    [['--param', '__proto__=5'], /unknown param '__proto__'/],
    [['--param', 'constructor=5'], /unknown param 'constructor'/],
  ] as [string[], RegExp][]) {
    const r = runCli(['check', model, ...args])
    assert.is(r.code, 2, args.join(' '))
    assert.match(r.stderr, message)
  }
})

/** A one-variable model for the checks on what a model does wrong. */
const tiny = (overrides: { init?: boolean; pick?: string; sometimes?: boolean }) =>
  defineModel({
    name: 'tiny',
    summary: 'x counts to 2',
    params: {},
    bugs: {},
    build: () =>
      protocol({
        state: record({ x: int(0, 2) }),
        actions: { Step: {} },
        init(emit) {
          if (overrides.init !== false) emit(() => {})
        },
        next(s, emit) {
          if (s.x < 2) emit('Step', (overrides.pick ? { [overrides.pick]: 1 } : {}) as never, (d) => (d.x = s.x + 1))
        },
        always: { Small: (s) => s.x <= 2 },
        sometimes: overrides.sometimes ? { Three: (s) => s.x === 3 } : {},
        terminal: (s) => s.x === 2,
      }),
  })

test('a model with no initial state is an error, not safe with 0 states', async () => {
  try {
    await check(tiny({ init: false }))
    assert.unreachable('checked')
  } catch (e) {
    assert.instance(e, ModelError)
    assert.match((e as Error).message, /tiny has no initial state/)
  }
})

test('a pick the action does not declare is an error naming the action', async () => {
  try {
    await check(tiny({ pick: 'node' }))
    assert.unreachable('checked')
  } catch (e) {
    assert.instance(e, ModelError)
    assert.match((e as Error).message, /action Step emitted pick 'node', which it does not declare/)
  }
})

test('a sometimes-property never satisfied is never-witnessed: not a violation, still a failure', async () => {
  const { report, trace } = await check(tiny({ sometimes: true }))
  assert.is(report.result, 'never-witnessed')
  assert.is(report.property, 'Three')
  assert.is(trace, null)
  assert.is((await check(tiny({}))).report.result, 'safe')
  const file = write('never/model.ts', counterModel.replace("BothDone: (s) => s.count.get(0) === max && s.count.get(1) === max", 'Overflow: (s) => s.count.get(0) > max'))
  const r = runCli(['check', file])
  assert.is(r.code, 1)
  assert.match(r.stdout, /^result: never witnessed: sometimes-property Overflow holds in none of the 16 reachable states/m)
  assert.not.match(r.stdout, /violation/)
  const json = runCliJson(['check', file])
  assert.is(json.report.result, 'never-witnessed')
  assert.is(json.report.traceFile, null)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
