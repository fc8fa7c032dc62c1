// `protocheck check specs/`: the shipped specs pass, a wrong expectation fails the run (exit
// 1, a failing JUnit testcase naming the trace), and a bad spec file is one line and exit 2.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { InputError } from '../checker/errors.js'
import { loadSpec, runSpec } from '../suite/specs.js'
import { runCli, runCliJson } from './helpers/cli.js'

const specsDir = fileURLToPath(new URL('../../specs', import.meta.url))
const shipped = readdirSync(specsDir).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
const scratch = mkdtempSync(join(tmpdir(), 'protocheck-specs-'))

const testcases = (xml: string) => [...xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => ({ name: m[1], body: m[2] }))

/** A copy of one shipped spec, changed by `edit`, alone in a fresh folder. */
function editedSpec(name: string, edit: (spec: any) => void): string {
  const dir = mkdtempSync(join(scratch, 'case-'))
  const spec = JSON.parse(readFileSync(join(specsDir, `${name}.json`), 'utf8'))
  edit(spec)
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(spec))
  return dir
}

test('the shipped specs: every verdict as expected, exit 0, one passing testcase and one report per spec', () => {
  const junit = join(scratch, 'shipped.xml')
  // Every shipped spec: minutes on a loaded two-core machine.
  const { code, report, stderr } = runCliJson(['check', specsDir, '--junit', junit], { timeoutMs: 900_000 })
  assert.is(code, 0, stderr)
  assert.ok(Array.isArray(report))
  assert.equal(report.map((r: any) => `${r.spec}.json`).sort(), shipped.sort())
  for (const r of report) {
    assert.ok(r.passed, `${r.spec}: expected ${JSON.stringify(r.expected)}, got ${r.result} ${r.property}`)
    for (const key of ['model', 'params', 'bug', 'result', 'property', 'distinctStates', 'seconds', 'traceFile', 'coverage']) assert.ok(key in r, key)
  }
  // Every model has a safe spec, and every bug of every model a violation spec.
  const listing = runCliJson(['list']).report.models
  for (const m of listing) {
    assert.ok(report.some((r: any) => r.model === m.name && r.result === 'safe'), `${m.name} has a safe spec`)
    for (const b of m.bugs) assert.ok(report.some((r: any) => r.model === m.name && r.bug === b.name && r.result === 'violation'), `${m.name} ${b.name}`)
  }
  assert.is(report.find((r: any) => r.spec === 'two-phase-commit-rm7').distinctStates, 296448)
  const xml = readFileSync(junit, 'utf8')
  assert.match(xml, /<testsuites name="protocheck" tests="\d+" failures="0"/)
  assert.is(testcases(xml).length, shipped.length)
  assert.not.match(xml, /<failure/)
  // Counterexamples of the expected violations sit in a folder next to the JUnit file.
  const violation = report.find((r: any) => r.result === 'violation')
  assert.is(violation.traceFile, join(scratch, 'shipped-traces', `${violation.spec}.itf.json`))
  assert.ok(existsSync(violation.traceFile))
})

test('the table: one row per spec with expected, got, distinct states and seconds', () => {
  const dir = editedSpec('two-phase-commit-commit-on-any-prepared', () => {})
  const r = runCli(['check', dir])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^spec +expected +got +distinct +seconds\n/)
  assert.match(r.stdout, /\ntwo-phase-commit-commit-on-any-prepared +violation of TCConsistent +violation of TCConsistent +894 +\d+\.\d\d +ok\n/)
  assert.match(r.stdout, /1 specs: 1 as expected, 0 not/)
})

test('a wrong expectation: exit 1, a failing testcase whose message names the trace file', () => {
  const dir = editedSpec('two-phase-commit-commit-on-any-prepared', (s) => (s.expect = { result: 'safe' }))
  const junit = join(dir, 'out.xml')
  const r = runCli(['check', dir, '--junit', junit, '--out-dir', join(dir, 'cex')])
  assert.is(r.code, 1, r.stderr)
  assert.match(r.stdout, /two-phase-commit-commit-on-any-prepared +safe +violation of TCConsistent .* FAILED/)
  assert.match(r.stdout, /1 specs: 0 as expected, 1 not/)
  const [testcase] = testcases(readFileSync(junit, 'utf8'))
  const trace = join(dir, 'cex', 'two-phase-commit-commit-on-any-prepared.itf.json')
  assert.match(testcase.body, /<failure type="unexpected verdict" message="expected safe, got violation of TCConsistent; trace: ([^"]+)"/)
  assert.ok(testcase.body.includes(`trace: ${trace}"`))
  assert.is(JSON.parse(readFileSync(trace, 'utf8'))['#meta'].property, 'TCConsistent')
})

test('the wrong property, or a bug that is no longer found, also fails the run', () => {
  const wrongProperty = editedSpec('two-phase-commit-commit-on-any-prepared', (s) => (s.expect.property = 'TypeOK'))
  assert.is(runCli(['check', wrongProperty]).code, 1)
  const fixed = editedSpec('two-phase-commit-commit-on-any-prepared', (s) => delete s.bug)
  const { code, report } = runCliJson(['check', join(fixed, 'two-phase-commit-commit-on-any-prepared.json')])
  assert.is(code, 1)
  assert.is(report[0].result, 'safe')
  assert.is(report[0].passed, false)
})

test('several spec files in one run; the run fails if any one does', () => {
  const good = join(editedSpec('transaction-commit-abort-despite-commit', () => {}), 'transaction-commit-abort-despite-commit.json')
  const bad = join(editedSpec('two-phase-commit-commit-after-abort', (s) => (s.expect = { result: 'incomplete' })), 'two-phase-commit-commit-after-abort.json')
  const { code, report } = runCliJson(['check', good, bad])
  assert.is(code, 1)
  assert.equal(report.map((r: any) => r.passed), [true, false])
})

test('a safe spec: no trace, the JUnit file in a folder that did not exist yet', () => {
  const dir = mkdtempSync(join(scratch, 'safe-'))
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify({ model: 'two-phase-commit', params: { rm: 2 }, expect: { result: 'safe' } }))
  const junit = join(dir, 'reports', 'ci', 'out.xml')
  const { code, report } = runCliJson(['check', join(dir, 'tiny.json'), '--junit', junit])
  assert.is(code, 0)
  assert.equal([report[0].spec, report[0].result, report[0].distinctStates, report[0].traceFile], ['tiny', 'safe', 56, null])
  assert.match(readFileSync(junit, 'utf8'), /<testcase classname="two-phase-commit" name="tiny" file="[^"]*tiny\.json" time="[\d.]+">\n {6}<system-out>result: safe/)
})

test('a spec may ask for symmetry: distinct states then count classes of states', async () => {
  const file = join(mkdtempSync(join(scratch, 'symmetry-')), 'sym.json')
  writeFileSync(file, JSON.stringify({ model: 'two-phase-commit', params: { rm: 3 }, symmetry: true, expect: { result: 'safe' } }))
  const report = await runSpec(await loadSpec(file))
  assert.ok(report.passed)
  assert.ok(report.distinctStates < 288, `${report.distinctStates}`)
})

// A spec with a recorded trace (Raft's Figure 3.7, too deep to search for in CI).
const recorded = 'raft-commit-earlier-term'
const recordedTrace = join(specsDir, 'traces', `${recorded}.itf.json`)
/** The recorded spec, edited, its trace found where the shipped one is (or edited too). */
const editedRecorded = (edit: (spec: any) => void) =>
  join(
    editedSpec(recorded, (s) => {
      s.trace = recordedTrace
      edit(s)
    }),
    `${recorded}.json`,
  )

test('a spec with a recorded trace is re-checked, not searched, and its expectation still judged', async () => {
  const report = await runSpec(await loadSpec(join(specsDir, `${recorded}.json`)))
  assert.ok(report.passed)
  assert.equal([report.strategy, report.result, report.property, report.distinctStates], ['trace', 'violation', 'LeaderCompleteness', 51])
  const other = runCliJson(['check', editedRecorded((s) => (s.expect.property = 'StateMachineSafety'))])
  assert.is(other.code, 1)
  assert.equal([other.report[0].property, other.report[0].passed], ['LeaderCompleteness', false])
})

test('a recorded trace that does not fit its spec: one line naming the problem, exit 2', () => {
  const cut = join(mkdtempSync(join(scratch, 'cut-')), 'cut.itf.json')
  const trace = JSON.parse(readFileSync(recordedTrace, 'utf8'))
  trace.states.splice(20, 1)
  trace.states.forEach((state: any, index: number) => (state['#meta'].index = index))
  writeFileSync(cut, JSON.stringify(trace))
  const cases: [string, (s: any) => void, RegExp][] = [
    ['a step cut out', (s) => (s.trace = cut), /is no longer a path of the model: step 20: .* is not enabled in state 19|does not lead to state 20/],
    ['without the bug', (s) => delete s.bug, /was written with bug commit-earlier-term, but this check has no bug/],
    ['other params', (s) => (s.params.maxTerm = 4), /was written for maxLogLength=1 maxMessages=1 maxTerm=5 servers=3 values=1, but this check has .*maxTerm=4/],
    ['no such file', (s) => (s.trace = 'nowhere.itf.json'), /\/trace nowhere\.itf\.json: cannot read trace .*nowhere\.itf\.json: no such file/],
    ['a search option', (s) => (s.strategy = 'dfs'), /\/strategy does not apply to a spec with a \/trace/],
  ]
  for (const [what, edit, message] of cases) {
    const r = runCli(['check', editedRecorded(edit)])
    assert.is(r.code, 2, what)
    assert.match(r.stderr, message, what)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
})

const malformed: [string, string, RegExp][] = [
  ['not JSON', '{ "model": ', /bad\.json: not valid JSON/],
  ['missing model', '{ "expect": { "result": "safe" } }', /bad\.json: \/ lacks the field 'model'/],
  ['unknown field', '{ "model": "two-phase-commit", "expect": { "result": "safe" }, "paramz": {} }', /bad\.json: \/ has an unknown field 'paramz'/],
  ['bound of the wrong type', '{ "model": "two-phase-commit", "bounds": { "maxStates": "many" }, "expect": { "result": "safe" } }', /bad\.json: \/bounds\/maxStates must be integer/],
  ['unknown verdict', '{ "model": "two-phase-commit", "expect": { "result": "fine" } }', /bad\.json: \/expect\/result must be one of "safe", "violation", "deadlock", "never-witnessed", "incomplete"/],
  ['violation without a property', '{ "model": "two-phase-commit", "expect": { "result": "violation" } }', /bad\.json: \/expect lacks the field 'property'/],
  ['unknown model', '{ "model": "three-phase-commit", "expect": { "result": "safe" } }', /bad\.json: unknown model 'three-phase-commit'/],
  ['unknown bug', '{ "model": "two-phase-commit", "bug": "nope", "expect": { "result": "safe" } }', /bad\.json: unknown bug 'nope' for two-phase-commit/],
  ['unknown param', '{ "model": "two-phase-commit", "params": { "nodes": 3 }, "expect": { "result": "safe" } }', /bad\.json: unknown param 'nodes'/],
  ['param out of range', '{ "model": "two-phase-commit", "params": { "rm": 99 }, "expect": { "result": "safe" } }', /bad\.json: param rm=99 is out of range 1\.\.12/],
  ['unknown property', '{ "model": "two-phase-commit", "properties": ["Agreement"], "expect": { "result": "safe" } }', /bad\.json: two-phase-commit has no property 'Agreement'/],
  ['unknown expected property', '{ "model": "two-phase-commit", "expect": { "result": "violation", "property": "Agreement" } }', /bad\.json: \/expect\/property: two-phase-commit has no property 'Agreement'/],
  ['symmetry not a boolean', '{ "model": "two-phase-commit", "symmetry": "yes", "expect": { "result": "safe" } }', /bad\.json: \/symmetry must be boolean/],
  ['unknown strategy', '{ "model": "two-phase-commit", "strategy": "astar", "expect": { "result": "safe" } }', /bad\.json: \/strategy 'astar' is not one of/],
]
for (const [what, text, message] of malformed) {
  test(`a malformed spec (${what}): an error naming the file and the problem`, async () => {
    const file = join(mkdtempSync(join(scratch, 'bad-')), 'bad.json')
    writeFileSync(file, text)
    try {
      await loadSpec(file)
      assert.unreachable('loaded')
    } catch (e) {
      assert.instance(e, InputError)
      assert.match((e as Error).message, message)
      assert.ok((e as Error).message.startsWith(file), (e as Error).message)
    }
  })
}

test('a malformed spec in a folder: one line on stderr, exit 2, nothing run', () => {
  const dir = mkdtempSync(join(scratch, 'bad-'))
  // A good spec first: bad input must stop the run before anything is checked.
  writeFileSync(join(dir, 'a-good.json'), readFileSync(join(specsDir, 'two-phase-commit-commit-on-any-prepared.json')))
  writeFileSync(join(dir, 'bad.json'), '{ "model": "two-phase-commit", "bounds": { "maxStates": 0 }, "expect": { "result": "safe" } }')
  const r = runCli(['check', dir])
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, /bad\.json: \/bounds\/maxStates must be >= 1/)
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.not.match(r.stderr, /\n\s+at /)
  assert.is(r.stdout, '')
})

test('a FIFO named like a spec is refused in one line, never read (reading it would wait forever)', () => {
  const dir = editedSpec('paxos', () => {})
  assert.is(spawnSync('mkfifo', [join(dir, 'pipe.json')]).status, 0)
  for (const target of [dir, join(dir, 'pipe.json')]) {
    const r = runCli(['check', target], { timeoutMs: 30_000 })
    assert.is(r.code, 2)
    assert.match(r.stderr, /pipe\.json: not a regular file\n$/)
  }
})

test('spec targets reject options that configure a single model check', () => {
  for (const extra of [['--param', 'rm=3'], ['--no-deadlock']]) {
    const r = runCli(['check', specsDir, ...extra])
    assert.is(r.code, 2, extra.join(' '))
    assert.match(r.stderr, /configures a model check/)
  }
  assert.match(runCli(['check', 'two-phase-commit', '--junit', 'x.xml']).stderr, /--junit applies to spec files/)
  assert.match(runCli(['check', join(scratch, 'missing.json')]).stderr, /missing\.json: no such file or folder/)
  assert.match(runCli(['check', 'two-phase-commit', 'transaction-commit']).stderr, /check takes one model name/)
})

test('a spec with replay passes only when the implementation reproduces its counterexample, through the driver it names', async () => {
  const folder = mkdtempSync(join(scratch, 'replay-'))
  const bridge = fileURLToPath(new URL('./helpers/json-lines-driver.js', import.meta.url))
  const spec = (name: string, fields: object) => {
    writeFileSync(join(folder, `${name}.json`), JSON.stringify({ model: 'two-phase-commit', params: { rm: 2 }, bug: 'commit-on-any-prepared', replay: true, expect: { result: 'violation', property: 'TCConsistent' }, ...fields }))
    return join(folder, `${name}.json`)
  }
  const own = await runSpec(await loadSpec(spec('own-driver', {})))
  assert.ok(own.passed)
  assert.equal(own.replay, { steps: own.traceLength! - 1, reproduced: true, divergence: null })
  // A command run in the spec's folder: the file it tests for is only there.
  const command = await runSpec(await loadSpec(spec('command', { driver: { command: `test -f command.json && ${JSON.stringify(process.execPath)} ${JSON.stringify(bridge)} two-phase-commit` } })))
  assert.ok(command.passed, JSON.stringify(command.replay))
  // A driver built without the bug refuses the trace: the spec fails, saying where.
  writeFileSync(join(folder, 'correct.driver.ts'), `import driver from ${JSON.stringify(fileURLToPath(new URL('../protocols/two-phase-commit/driver.js', import.meta.url)))}\nexport default { start: (params: any) => driver.start(params, undefined) }\n`)
  const correct = runCliJson(['check', spec('correct', { driver: './correct.driver.ts' })])
  assert.is(correct.code, 1)
  assert.is(correct.report[0].replay.reproduced, false)
  assert.match(correct.report[0].replay.divergence, /^step \d+ \(TMCommit\)/)
  const table = runCli(['check', join(folder, 'correct.json')])
  assert.match(table.stdout, /TCConsistent not reproduced on the implementation: the implementation diverged at step \d+ \(TMCommit\)/)
  // replay and driver are only for violations, and driver only with replay.
  const safe = runCli(['check', spec('safe', { bug: undefined, expect: { result: 'safe' } })])
  assert.is(safe.code, 2)
  assert.match(safe.stderr, '/replay only applies when /expect/result is violation')
  const lone = runCli(['check', spec('lone', { replay: undefined, driver: './x.ts' })])
  assert.match(lone.stderr, '/driver only applies with /replay')
})

test.after(() => rmSync(scratch, { recursive: true, force: true }))

test.run()
