// The message-sequence chart derived from traces, knowing no protocol: lanes from node-like
// map keys and picks, actors from whose entries changed, arrows from messages sent and
// received (consumed from a bag, or read from a grow-only set), interactions otherwise.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fileURLToPath } from 'node:url'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { findModel } from './helpers/models.js'
import { sequenceChart } from '../traces/show/chart.js'
import { traceFromPath, type ItfTrace } from '../traces/itf.js'
import { readTraceFile } from '../traces/read.js'
import { changesOf } from '../traces/show/values.js'

const quintFixture = (name: string) => fileURLToPath(new URL(`../../traces/fixtures/quint/${name}.itf.json`, import.meta.url))

function counterexample(model: string, bug: string): ItfTrace {
  const instance = Instance.create(findModel(model), {}, bug)
  const result = check(instance, 'bfs')
  return traceFromPath(instance, result.path!, { result: result.result, property: result.property })
}

/** An ITF trace from plain states (the variables only) with their actions and picks. */
function traceOf(vars: string[], states: [string, Record<string, unknown>, Record<string, unknown>][]): ItfTrace {
  return {
    '#meta': { format: 'ITF', 'format-description': '', source: 'test' },
    vars: [...vars, 'mbt::actionTaken', 'mbt::nondetPicks'],
    states: states.map(([action, picks, values], index) => ({ '#meta': { index }, ...values, 'mbt::actionTaken': action, 'mbt::nondetPicks': picks })) as never,
  }
}

test('two-phase commit: a tm lane for tmState/tmPrepared, Prepared read by the TM, Commit read by rm1', () => {
  const chart = sequenceChart(counterexample('two-phase-commit', 'commit-on-any-prepared'))
  assert.equal(chart.lanes.map((l) => l.label), ['tm', 'rm1', 'rm2', 'rm3'])
  // init, RMPrepare(rm1), TMRcvPrepared(rm1), TMCommit, RMRcvCommitMsg(rm1), RMChooseToAbort(rm2)
  assert.equal(chart.actors, [-1, 1, 0, 0, 1, 2])
  assert.equal(chart.sends, [[], ['{ type: Prepared, rm: rm1 }'], [], ['{ type: Commit }'], [], []])
  assert.equal(chart.arrows, [
    { from: 1, to: 0, sent: 1, received: 2, label: '{ type: Prepared, rm: rm1 }', kind: 'message' },
    { from: 0, to: 1, sent: 3, received: 4, label: '{ type: Commit }', kind: 'message' },
  ])
})

test("Quint's run: each read of a grow-only message is an arrow from its sender; a commit that sets every RM is an interaction", () => {
  const chart = sequenceChart(readTraceFile(quintFixture('twophase_run')))
  assert.equal(chart.lanes.map((l) => l.id), ['global', 'rm1', 'rm2', 'rm3'])
  const drawn = (kind: string) => chart.arrows.filter((a) => a.kind === kind).map((a) => [chart.lanes[a.from].id, chart.lanes[a.to].id, a.sent, a.received])
  // tmRcvPrepared(rm) reads the prepared message that names rm, as often as it is taken.
  assert.equal(drawn('message'), [
    ['rm2', 'global', 2, 3],
    ['rm3', 'global', 1, 4],
    ['rm3', 'global', 1, 6],
    ['rm2', 'global', 2, 7],
    ['rm1', 'global', 5, 8],
  ])
  // tmCommit changes every rmState, picking none of them: the coordinator acted on all three.
  assert.is(chart.actors[9], 0)
  assert.equal(drawn('interaction'), [['global', 'rm1', 9, 9], ['global', 'rm2', 9, 9], ['global', 'rm3', 9, 9]])
})

test('a picked message is received by the step that picks it; value picks that look like ids are not lanes', () => {
  const prepare = { type: '1a', bal: 0 }
  const promise = { type: '1b', acc: 'a2', bal: 0 }
  const trace = traceOf(['maxBal', 'msgs'], [
    ['init', {}, { maxBal: { '#map': [['a1', -1], ['a2', -1]] }, msgs: { '#set': [] } }],
    ['Phase1a', { b: 0, v: 'v1' }, { maxBal: { '#map': [['a1', -1], ['a2', -1]] }, msgs: { '#set': [prepare] } }],
    ['Phase1b', { a: 'a2', m: prepare }, { maxBal: { '#map': [['a1', -1], ['a2', 0]] }, msgs: { '#set': [prepare, promise] } }],
  ])
  const chart = sequenceChart(trace)
  assert.equal(chart.lanes.map((l) => l.id), ['global', 'a1', 'a2'])
  assert.equal(chart.actors, [-1, 0, 2])
  assert.equal(chart.sends, [[], ['{ type: 1a, bal: 0 }'], ['{ type: 1b, acc: a2, bal: 0 }']])
  assert.equal(chart.arrows, [{ from: 0, to: 2, sent: 1, received: 2, label: '{ type: 1a, bal: 0 }', kind: 'message' }])
})

test('a bag of messages: a removed message is received by the actor, from its sender, in FIFO order of equal copies', () => {
  const msg = { type: 'Ping', to: 'n2' }
  const bag = (n: number) => ({ '#map': n ? [[msg, n]] : [] })
  const trace = traceOf(['busy', 'net'], [
    ['init', {}, { busy: { '#map': [['n1', false], ['n2', false]] }, net: bag(0) }],
    ['Send', { node: 'n1' }, { busy: { '#map': [['n1', true], ['n2', false]] }, net: bag(1) }],
    ['Send', { node: 'n1' }, { busy: { '#map': [['n1', false], ['n2', false]] }, net: bag(2) }],
    ['Recv', { node: 'n2' }, { busy: { '#map': [['n1', false], ['n2', true]] }, net: bag(1) }],
    ['Recv', { node: 'n2' }, { busy: { '#map': [['n1', false], ['n2', false]] }, net: bag(0) }],
  ])
  const chart = sequenceChart(trace)
  assert.equal(chart.lanes.map((l) => l.id), ['n1', 'n2'], 'no global lane: every variable belongs to nodes or messages')
  assert.equal(chart.actors, [-1, 0, 0, 1, 1])
  assert.equal(chart.arrows.map((a) => [a.from, a.to, a.sent, a.received]), [[0, 1, 1, 3], [0, 1, 2, 4]])
})

test('no message variable: a step that involves two lanes is an interaction from its actor', () => {
  const trace = traceOf(['lock', 'client'], [
    ['init', {}, { lock: { held: false }, client: { '#map': [['client1', 'idle'], ['client2', 'idle']] } }],
    ['Acquire', { client: 'client2' }, { lock: { held: true }, client: { '#map': [['client1', 'idle'], ['client2', 'holding']] } }],
  ])
  const chart = sequenceChart(trace)
  assert.equal(chart.lanes.map((l) => l.id), ['global', 'client1', 'client2'])
  assert.equal(chart.actors, [-1, 2])
  assert.equal(chart.arrows, [{ from: 2, to: 0, sent: 1, received: 1, label: 'Acquire', kind: 'interaction' }])
})

test('changes: maps keyed by names open into rows, bags stay whole with what came and went', () => {
  assert.equal(changesOf('rmState', { '#map': [['rm1', 'working'], ['rm2', 'working']] }, { '#map': [['rm1', 'working'], ['rm2', 'prepared']] }),
    [{ path: 'rmState[rm2]', variable: 'rmState', before: 'working', after: 'prepared' }])
  assert.equal(changesOf('lock', { held: false, gen: 1 }, { held: true, gen: 1 }), [{ path: 'lock.held', variable: 'lock', before: 'false', after: 'true' }])
  const a = { type: 'A' }
  const b = { type: 'B' }
  assert.equal(changesOf('net', { '#map': [[a, 1]] }, { '#map': [[a, 2], [b, 1]] }), [{
    path: 'net', variable: 'net', before: '[{ type: A } |-> 1]', after: '[{ type: A } |-> 2, { type: B } |-> 1]',
    added: ['{ type: A } |-> 2', '{ type: B } |-> 1'], removed: ['{ type: A } |-> 1'],
  }])
  assert.equal(changesOf('s', { '#set': ['x', 'y'] }, { '#set': ['y', 'z'] }), [{ path: 's', variable: 's', before: '{x, y}', after: '{y, z}', added: ['z'], removed: ['x'] }])
  assert.equal(changesOf('s', { '#set': [] }, { '#set': ['z'] }), [{ path: 's', variable: 's', before: '{}', after: '{z}' }])
  assert.equal(changesOf('same', { '#bigint': '3' }, { '#bigint': '3' }), [])
})

test.run()
