// validate on logs written from the model itself (a random walk of raft, logged as a
// perfectly conforming implementation would log it), on hand-mutated copies of them (each
// rejected at a known line), on unlogged steps, and on bad input through the CLI.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { validate } from '../api/validate.js'
import { loadModel } from '../api/load.js'
import { Instance } from '../checker/instance.js'
import { parseEventLog, type LoggedEvent } from '../conformance/event-log.js'
import { readTraceFile } from '../traces/read.js'
import { runCli, runCliJson } from './helpers/cli.js'
import { walkLog } from './helpers/event-logs.js'

const params = { servers: 3, values: 1, maxTerm: 30, maxLogLength: 12, maxMessages: 12, history: 0 }
const model = await loadModel('raft')
const instance = Instance.create(model, params)
const weights = { DuplicateMessage: 0, DropMessage: 0.3, Restart: 0.03, Timeout: 0.1, ClientRequest: 0.3 }
/** Each step's own server's variables, observed after it (as a real server logs them). */
const observe = (s: Record<string, any>, picks: Record<string, any>) => {
  const i = (picks.i ?? picks.m?.mdest) as number
  const at = (v: unknown) => ({ '#map': [[`server${i + 1}`, v]] })
  return { currentTerm: at(s.currentTerm[i]), state: at(s.state[i]), log: at(s.log[i].map((e: any) => ({ term: e.term, value: `value${e.value + 1}` }))) }
}
const walk = walkLog(instance, { steps: 600, seed: 7, weights, observe, omitFields: ['mlog'] })
const dir = mkdtempSync(join(tmpdir(), 'validate-'))
const lines = walk.text.trimEnd().split('\n')
/** The log with `change` applied to its lines (line 1 is the header). */
const mutated = (change: (lines: string[]) => string[]) => change([...lines]).join('\n') + '\n'
const lineOf = (events: LoggedEvent[], index: number) => index + 2

test('a log written from a walk of the model conforms, with mlog left out of every picked message', async () => {
  assert.ok(walk.events.length === 600, `the walk stopped after ${walk.events.length} steps`)
  const { report, trace } = await validate(model, parseEventLog(walk.text))
  assert.is(report.result, 'conforms', JSON.stringify(report.unexplained))
  assert.is(report.explained, 600)
  assert.is(report.maxFrontier, 1)
  assert.is(trace.states.length, 601)
  assert.is((trace.states[600]['#meta'] as any).line, 601)
})

test('a changed observation is rejected at its line, naming the variable', async () => {
  const k = walk.events.findIndex((e, i) => i > 100 && e.action === 'Timeout')
  const text = mutated((ls) => {
    const e = JSON.parse(ls[k + 1])
    const [[who, term]] = e.observed.currentTerm['#map']
    e.observed.currentTerm = { '#map': [[who, term + 1]] }
    ls[k + 1] = JSON.stringify(e)
    return ls
  })
  const { report } = await validate(model, parseEventLog(text))
  assert.is(report.result, 'rejected')
  assert.is(report.unexplained!.line, lineOf(walk.events, k))
  assert.is(report.unexplained!.index, k)
  assert.is(report.unexplained!.action, 'Timeout')
  assert.match(report.unexplained!.reason, /currentTerm\["server\d"\]: observed \d+, the model has \d+/)
  assert.is(report.explained, k)
})

test('a receive whose send was never logged is rejected at the receive', async () => {
  const send = walk.events.findIndex((e, i) => i > 50 && e.action === 'AppendEntries')
  const { i, j } = walk.events[send].picks as { i: string; j: string }
  // The first time j takes an AppendEntriesRequest from i after the send that goes missing.
  const handlers = ['AcceptAppendEntriesRequest', 'RejectAppendEntriesRequest', 'AppendEntriesRequestAppend', 'ConflictAppendEntriesRequest', 'ReturnToFollower', 'UpdateTerm']
  const receive = walk.events.findIndex((e, k) => {
    const m = (e.picks as any).m
    return k > send && handlers.includes(e.action) && m?.mtype === 'AppendEntriesRequest' && m.msource === i && m.mdest === j
  })
  assert.ok(receive > send, 'the walk never delivers that AppendEntries')
  const text = mutated((ls) => ls.filter((_, n) => n !== send + 1))
  const { report } = await validate(model, parseEventLog(text))
  assert.is(report.result, 'rejected')
  // One line less before it; the event count too. (An identical request still in flight from an
  // earlier send would explain it: then the first rejection is later, never earlier.)
  assert.ok(report.unexplained!.index >= receive - 1, `rejected at event ${report.unexplained!.index}, before the receive (${receive - 1})`)
  if (report.unexplained!.index === receive - 1) assert.is(report.unexplained!.action, walk.events[receive].action)
})

test('unlogged steps: a log without its BecomeLeader events is explained only when BecomeLeader may be unlogged', async () => {
  const text = mutated((ls) => [ls[0], ...ls.slice(1).filter((l) => JSON.parse(l).action !== 'BecomeLeader')])
  const elections = walk.events.filter((e) => e.action === 'BecomeLeader').length
  assert.ok(elections >= 2, `only ${elections} elections in the walk`)
  const without = await validate(model, parseEventLog(text))
  assert.is(without.report.result, 'rejected')
  const withUnlogged = await validate(model, parseEventLog(text), { unlogged: ['BecomeLeader'], maxUnlogged: 1 })
  assert.is(withUnlogged.report.result, 'conforms', JSON.stringify(withUnlogged.report.unexplained))
  assert.ok(withUnlogged.report.maxFrontier > 1)
  assert.is(withUnlogged.trace.states.filter((s) => (s['#meta'] as any).unlogged).length, elections)
  // The header can say it too.
  const header = JSON.parse(lines[0])
  const declared = [JSON.stringify({ ...header, unlogged: ['BecomeLeader'] }), ...text.trimEnd().split('\n').slice(1)].join('\n')
  assert.is((await validate(model, parseEventLog(declared))).report.result, 'conforms')
})

test('a frontier past --max-frontier: incomplete, with the reason', async () => {
  const text = mutated((ls) => [ls[0], ...ls.slice(1).filter((l) => JSON.parse(l).action !== 'Timeout')])
  const { report } = await validate(model, parseEventLog(text), { unlogged: ['Timeout', 'Restart'], maxUnlogged: 2, maxFrontier: 5 })
  assert.is(report.result, 'incomplete')
  assert.is(report.unexplained, null)
  assert.match(report.reason!, /^more than 5 model states explain the first \d+ events/)
})

test('CLI: conforms (exit 0) with a trace that show reads; a mutated log exits 1 naming the line', () => {
  const log = join(dir, 'walk.ndjson')
  const out = join(dir, 'walk.itf.json')
  writeFileSync(log, walk.text)
  const ok = runCliJson(['validate', 'raft', '--log', log, '--out', out])
  assert.is(ok.code, 0, ok.stderr)
  assert.is(ok.report.result, 'conforms')
  assert.is(ok.report.events, 600)
  assert.is(ok.report.traceFile, out)
  assert.is(readTraceFile(out).states.length, 601)

  const bad = join(dir, 'bad.ndjson')
  writeFileSync(bad, mutated((ls) => ls.filter((_, n) => n !== 1)))
  const r = runCli(['validate', 'raft', '--log', bad, '--out', join(dir, 'bad.itf.json')])
  assert.is(r.code, 1, r.stderr)
  assert.match(r.stdout, /^rejected at line 2 \(event 1 of 599/m)
  assert.match(r.stdout, /trace of the explained behaviour \(1 states\)/)
})

test('CLI: bad input is one line and exit 2', () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  const header = lines[0]
  const cases: [string[], RegExp][] = [
    [['validate', 'nosuch', '--log', write('a.ndjson', walk.text)], /^protocheck: unknown model 'nosuch'/],
    [['validate', 'raft', '--log', write('d.ndjson', `${header}\n{"action": "Timeout", "picks": {"i": 1}}\n`)], /^protocheck: line 2: pick i: expected a server id \(server1\.\.server3\), got 1$/],
  ]
  for (const [args, expected] of cases) {
    const r = runCli([...args, '--out', join(dir, 'x.itf.json')])
    assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`)
    assert.is(r.stdout, '')
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr)
    assert.match(r.stderr.trimEnd(), expected)
  }
})

test('bad input through the API: InputError naming the line (the CLI prints it, exit 2)', async () => {
  const header = lines[0]
  const cases: [string, RegExp, object?][] = [
    [`{"action": "Timeout"}\n`, /^the log:1: not a protocheck event log header/],
    [`${header}\n{"action": "Timeout", "picks": {"i": "server1"}\n`, /^the log:2: not JSON/],
    [`${header}\n{"picks": {}}\n`, /^the log:2: not an event \(missing "action"\)/],
    [`${header}\n{"action": "Elect", "picks": {}}\n`, /^line 2: raft has no action 'Elect'/],
    [`${header}\n{"action": "Timeout", "picks": {"j": "server1"}}\n`, /^line 2: Timeout has no pick 'j'/],
    [`${header}\n{"action": "Timeout", "picks": {"i": "server1"}, "observed": {"currentTerm": {"#map": [["server1", 40]]}}}\n`, /^line 2: observed currentTerm.*in 0\.\.31.*do not fit raft .*maxTerm=30.*give params big enough/],
    [`${header}\n{"action": "Timeout", "picks": {"i": "server1"}, "observed": {"term": 1}}\n`, /^line 2: raft has no variable 'term'/],
    [`${header.replace('"raft"', '"paxos"')}\n`, /^the log is of model 'paxos', not of 'raft'$/],
    [walk.text, /^unlogged action 'Nap': raft has no such action/, { unlogged: ['Nap'] }],
    [`${header}\n`, /^param maxTerm="2000" is out of range 1\.\.1000$/, { params: { maxTerm: '2000' } }],
  ]
  for (const [text, expected, settings] of cases) {
    let message = 'no error'
    try {
      await validate(model, parseEventLog(text), settings)
    } catch (e) {
      assert.is((e as Error).constructor.name, 'InputError', (e as Error).stack)
      message = (e as Error).message
    }
    assert.match(message, expected)
  }
})

test('a run whose values outgrow the params: bad input naming the line and the params', async () => {
  const tooSmall = parseEventLog([lines[0].replace('"maxTerm":30', '"maxTerm":1'), ...lines.slice(1)].join('\n'))
  let message = 'no error'
  try {
    await validate(model, tooSmall)
  } catch (e) {
    assert.is((e as Error).constructor.name, 'InputError')
    message = (e as Error).message
  }
  assert.match(message, /^line \d+: .*(does not fit|do not fit) raft servers=3 values=1 maxTerm=1 .*give params big enough for the run/)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
