// Reading traces: any tool's ITF file is validated with one clear error naming the place,
// and a protocheck trace decodes back to exactly the states, actions and picks the checker found.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../checker/check.js'
import { InputError } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import { findModel } from './helpers/models.js'
import { traceFromPath, writeTraceFile, type ItfTrace } from '../traces/itf.js'
import { instanceForTrace } from '../api/load.js'
import { decodeTrace, readTraceFile, stepProblem } from '../traces/read.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-read-'))
const quintFixture = (name: string) => fileURLToPath(new URL(`../../traces/fixtures/quint/${name}.itf.json`, import.meta.url))

function counterexample(bug = 'commit-on-any-prepared', rm = 3) {
  const instance = Instance.create(findModel('two-phase-commit'), { rm }, bug)
  const result = check(instance, 'bfs')
  assert.is(result.result, 'violation')
  const trace = traceFromPath(instance, result.path!, { result: result.result, property: result.property })
  return { instance, path: result.path!, trace }
}

/** Write `json` (a value or raw text) to a file and read it back, expecting an InputError. */
function readError(name: string, json: unknown): string {
  const file = join(dir, name)
  writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json))
  try {
    readTraceFile(file)
  } catch (e) {
    assert.instance(e, InputError, String(e))
    const message = (e as Error).message
    assert.is(message.split('\n').length, 1, message)
    return message
  }
  assert.unreachable(`${name}: read without error`)
  return ''
}

test('the Quint fixtures read as ITF traces, with every state in order', () => {
  const violation = readTraceFile(quintFixture('twophase_violation'))
  assert.is(violation.states.length, 5)
  assert.is(violation.states[4]['mbt::actionTaken'], 'tmRcvPrepared')
  const run = readTraceFile(quintFixture('twophase_run'))
  assert.is(run.states.length, 21)
  assert.equal(run.vars, ['rmState', 'tmPrepared', 'msgs', 'decision', 'round', 'lastEvent', 'mbt::actionTaken', 'mbt::nondetPicks'])
})

test('a written counterexample reads back and decodes to the path the checker found', async () => {
  const { instance, path, trace } = counterexample()
  const file = join(dir, 'cex.itf.json')
  writeTraceFile(file, trace)
  const read = readTraceFile(file)
  // The model's module is recorded relative to the trace file, so the two can move together.
  assert.is(resolve(dir, read['#meta'].source), trace['#meta'].source)
  assert.equal({ ...read, '#meta': { ...read['#meta'], source: trace['#meta'].source } }, trace)
  const again = await instanceForTrace(read)
  assert.is(again.describe(), instance.describe())
  const steps = decodeTrace(again, read)
  assert.is(steps.length, path.length)
  steps.forEach((step, i) => {
    assert.is(step.action, path[i].action)
    assert.equal(step.picks, { ...path[i].picks })
    assert.equal([...step.state], [...path[i].state], `state ${i}`)
  })
  // The picks come back in the model's terms: node ids as 0-based numbers, not "rm1".
  assert.equal(steps[1], { action: 'RMPrepare', picks: { rm: 0 }, state: path[1].state })
})

test('not JSON: one line naming the file', () => {
  assert.match(readError('garbage.itf.json', '{"vars": [ oops'), /garbage\.itf\.json is not JSON: /)
})

test('a missing file: one line', () => {
  try {
    readTraceFile(join(dir, 'absent.itf.json'))
    assert.unreachable('read a missing file')
  } catch (e) {
    assert.instance(e, InputError)
    assert.match((e as Error).message, /cannot read trace .*absent\.itf\.json: no such file/)
  }
})

test('wrong shape: the JSON pointer of the first problem', () => {
  const { trace } = counterexample()
  const cases: [string, (t: any) => void, RegExp][] = [
    ['no states', (t) => delete t.states, /at the top level: missing "states"/],
    ['states not an array', (t) => (t.states = {}), /at \/states: must be array/],
    ['index not an integer', (t) => (t.states[2]['#meta'].index = 'two'), /at \/states\/2\/#meta\/index: must be integer/],
    ['state without #meta', (t) => delete t.states[1]['#meta'], /at \/states\/1: missing "#meta"/],
    ['null value', (t) => (t.states[3].tmState = null), /at \/states\/3\/tmState: not an ITF value/],
    ['fraction', (t) => (t.states[3].tmState = 0.5), /at \/states\/3\/tmState: not an ITF value/],
    ['unknown #-form', (t) => (t.states[1].msgs = { '#sett': [] }), /at \/states\/1\/msgs: key "#sett" is not an ITF form/],
    ['#-form with company', (t) => (t.states[1].msgs = { '#set': [], extra: 1 }), /at \/states\/1\/msgs: an ITF #-form must be the object's only key/],
    ['map entry not a pair', (t) => (t.states[1].rmState['#map'][0] = ['rm1']), /at \/states\/1\/rmState\/#map\/0: must NOT have fewer than 2 items/],
    ['bad bigint', (t) => (t.states[0].tmState = { '#bigint': '1e3' }), /at \/states\/0\/tmState\/#bigint: must match pattern/],
    ['action not a string', (t) => (t.states[1]['mbt::actionTaken'] = 7), /at \/states\/1\/mbt::actionTaken: must be string/],
    ['param not an integer', (t) => (t['#meta'].params.rm = 'three'), /at \/#meta\/params\/rm: must be integer/],
    ['a model without its params', (t) => delete t['#meta'].params, /at \/#meta: "model" is there \(a protocheck trace\) but "params" is missing/],
    ['variable missing from a state', (t) => delete t.states[4].msgs, /at \/states\/4: missing variable "msgs"/],
  ]
  for (const [what, mutate, message] of cases) {
    const broken = structuredClone(trace)
    mutate(broken)
    assert.match(readError(`${what}.itf.json`, broken), message, what)
  }
})

test('states out of order: the first index that is not its position', () => {
  const { trace } = counterexample()
  const swapped = structuredClone(trace) as ItfTrace
  ;[swapped.states[2], swapped.states[3]] = [swapped.states[3], swapped.states[2]]
  assert.match(readError('swapped.itf.json', swapped), /states out of order: \/states\/2 has #meta\.index 3, expected 2/)
  const fromOne = structuredClone(trace) as ItfTrace
  fromOne.states.forEach((s, i) => (s['#meta'].index = i + 1))
  assert.match(readError('from-one.itf.json', fromOne), /states out of order: \/states\/0 has #meta\.index 1, expected 0/)
})

test('decoding a trace that does not fit the model: one line naming the state', () => {
  const { instance, trace } = counterexample()
  const decodeError = (mutate: (t: any) => void) => {
    const broken = structuredClone(trace)
    mutate(broken)
    try {
      decodeTrace(instance, broken)
    } catch (e) {
      assert.instance(e, InputError, String(e))
      return (e as Error).message
    }
    return 'decoded without error'
  }
  assert.match(decodeError((t) => (t.states[2]['mbt::actionTaken'] = 'Teleport')), /^state 2: action 'Teleport' is not one of TMCommit, /)
  assert.match(decodeError((t) => (t.states[0]['mbt::actionTaken'] = 'TMCommit')), /^state 0: action 'TMCommit' is not 'init'/)
  assert.match(decodeError((t) => (t.states[1]['mbt::nondetPicks'] = {})), /^state 1 does not fit two-phase-commit rm=3 .*: RMPrepare needs pick 'rm'/)
  assert.match(decodeError((t) => (t.states[1]['mbt::nondetPicks'].who = 'rm1')), /^state 1: RMPrepare has no pick 'who'/)
  assert.match(decodeError((t) => (t.states[1]['mbt::nondetPicks'].rm = 'rm9')), /^state 1 does not fit .*: pick rm: expected a rm id \(rm1\.\.rm3\)/)
  assert.match(decodeError((t) => (t.states[3].tmState = 'pending')), /^state 3 does not fit .*: variable\.tmState: expected one of init, committed, aborted/)
  assert.match(decodeError((t) => t.states[3].rmState['#map'].pop()), /^state 3 does not fit .*: variable\.rmState: expected a map with key "rm3"/)
  assert.match(decodeError((t) => t.vars.push('clock')), /the trace has variable 'clock', which two-phase-commit does not declare/)
})

test("stepProblem: the checker's path is a path of the model; edited steps are named", () => {
  const { instance, trace } = counterexample()
  const problemOf = (mutate: (t: any) => void) => {
    const edited = structuredClone(trace)
    mutate(edited)
    return stepProblem(instance, decodeTrace(instance, edited))
  }
  assert.is(problemOf(() => {}), null)
  assert.is(problemOf((t) => (t.states[3]['mbt::actionTaken'] = 'TMAbort')),
    'step 3: TMAbort from state 2 does not lead to state 3 in two-phase-commit rm=3 bug=commit-on-any-prepared')
  assert.is(problemOf((t) => (t.states[2]['mbt::nondetPicks'].rm = 'rm2')),
    'step 2: TMRcvPrepared(rm=rm2) is not enabled in state 1 of two-phase-commit rm=3 bug=commit-on-any-prepared')
  assert.is(problemOf((t) => (t.states[0].tmState = 'aborted')), 'state 0 is not an initial state of two-phase-commit rm=3 bug=commit-on-any-prepared')
})

test('instanceForTrace: unknown model, bad params and foreign traces are InputErrors', async () => {
  const { trace } = counterexample()
  const failure = async (t: ItfTrace) => {
    try {
      await instanceForTrace(t)
    } catch (e) {
      assert.instance(e, InputError)
      return (e as Error).message
    }
    return 'no error'
  }
  assert.match(await failure({ ...trace, '#meta': { ...trace['#meta'], model: 'paxos-9000', source: 'paxos-9000' } }), /the trace's model: unknown model 'paxos-9000'/)
  assert.match(await failure({ ...trace, '#meta': { ...trace['#meta'], params: { rm: 99 } } }), /does not fit two-phase-commit: param rm=99 is out of range/)
  assert.match(await failure({ ...trace, '#meta': { ...trace['#meta'], bug: 'nope' } }), /unknown bug 'nope'/)
  const quint = JSON.parse(readFileSync(quintFixture('twophase_run'), 'utf8'))
  assert.match(await failure(quint), /names no model in #meta\.model \(written by spec\/twophase\.qnt\)/)
})

test('writeTraceFile refuses to write a trace that is not ITF', () => {
  const { trace } = counterexample()
  const broken = structuredClone(trace) as any
  broken.states[1].tmState = null
  assert.throws(() => writeTraceFile(join(dir, 'never.itf.json'), broken), /refusing to write an invalid ITF trace .*: at \/states\/1\/tmState/)
})

test('a trace with no states, or nested thousands of levels deep, is bad input in one line', () => {
  const { trace } = counterexample()
  assert.match(readError('no-states.json', { ...trace, states: [] }), 'at /states: no states')
  const deep = JSON.stringify(trace).replace('"rmState":', `"rmState":${'{"#tup":['.repeat(3000)}${']}'.repeat(3000)},"was":`)
  assert.match(readError('deep.json', deep), 'nested more than 256 levels deep')
})

test.run()
