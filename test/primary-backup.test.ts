// protocols/primary-backup/model.ts against TLC: a TLA+ transcription of the same model
// (kept out of the repository) gives the same distinct and generated counts and depth; every
// `sometimes` witness (a replicated write, a state transfer, a failover with the old primary
// still believing, a read of a write) is reached. Each bug breaks its property with a pinned
// shortest counterexample that replays `reproduced` on the implementation built with that
// bug (and not on the correct one); the implementation agrees with the model on random walks,
// refusals included, and a mutant core diverges.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { conform } from '../conformance/conform.js'
import { primaryBackupDriver, primaryBackupDriverOf } from '../protocols/primary-backup/driver.js'
import { stepServer } from '../protocols/primary-backup/impl/server.js'
import { stepViewService } from '../protocols/primary-backup/impl/viewservice.js'
import { findModel } from './helpers/models.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'

const model = findModel('primary-backup')
const pb = (params: Record<string, number> = {}, bug?: string, properties?: string[]) => Instance.create(model, params, bug, properties)

// TLC 2.20 on the transcription (-deadlock): [n, maxView, maxOps, distinct, generated, depth].
const tlc = [
  [2, 4, 2, 3529, 10107, 27],
  [3, 4, 2, 78399, 291417, 31],
] as const

for (const [n, maxView, maxOps, distinct, generated, depth] of tlc) {
  test(`primary-backup n=${n} maxView=${maxView} maxOps=${maxOps}: ${distinct} distinct states, ${generated} generated, depth ${depth}, as TLC; every witness reached`, () => {
    const r = bfs(pb({ n, maxView, maxOps }))
    assert.is(r.result, 'safe', `${r.result} ${r.property} ${r.reason}`)
    assert.equal([r.distinctStates, r.generatedStates, r.depth], [distinct, generated, depth])
  })
}

test('primary-backup n=3 maxView=3 maxOps=1: 4299 distinct, 17511 generated, depth 19, as TLC; with one view change there is no transfer of a written value', () => {
  const always = Object.keys(pb().protocol.always)
  const r = bfs(pb({ maxView: 3, maxOps: 1 }, undefined, always))
  assert.is(r.result, 'safe')
  assert.equal([r.distinctStates, r.generatedStates, r.depth], [4299, 17511, 19])
  assert.is(bfs(pb({ maxView: 3, maxOps: 1 })).property, 'StateTransferred')
})

test('primary-backup: the servers are symmetric; the properties are the ones the issue asks for', () => {
  const p = pb().protocol
  assert.equal(p.symmetric, ['s'])
  assert.equal(Object.keys(p.always), ['TypeOK', 'OnePrimaryPerView', 'AckedWritesSurvive', 'ReadsSeeAckedWrites'])
  assert.equal(Object.keys(p.sometimes ?? {}), ['WriteReplicated', 'StateTransferred', 'FailoverWithOldPrimaryAlive', 'ReadOfAckedWrite'])
})

// [bug, property, steps of the shortest counterexample]
const bugs = [
  ['ack-before-transfer', 'AckedWritesSurvive', 10],
  ['local-reads', 'ReadsSeeAckedWrites', 15],
] as const

test('primary-backup: the bugs tested are every bug the model has', () => {
  assert.equal(bugs.map(([b]) => b).sort(), Object.keys(model.bugs).sort())
})

for (const [bug, property, steps] of bugs) {
  test(`primary-backup --bug ${bug}: ${property} violated in ${steps} steps; the trace is reproduced on the implementation with the bug only`, async () => {
    const r = bfs(pb({}, bug))
    assert.is(r.result, 'violation')
    assert.is(r.property, property)
    assert.is(r.path!.length, steps + 1)
    await assertBugReplaysOnlyWithTheBug(model, bug, primaryBackupDriver)
  })
}

test('primary-backup --bug local-reads, through the CLI: check finds it, replay reproduces it, conform agrees', () => {
  assertFoundReplayedAndConforming('primary-backup', 'local-reads', 'ReadsSeeAckedWrites', 15)
})

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  const runs = bug ? 30 : 60
  test(`primary-backup${bug ? ` --bug ${bug}` : ''}: ${runs} random walks agree with the implementation, forbidden steps refused`, async () => {
    const r = await conform(pb({ maxView: 5, maxOps: 3 }, bug), primaryBackupDriver, { runs, seed: 5, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > runs * 10, `only ${r.stepsCompared} steps compared`)
  })
}

test('primary-backup conform: a view service that takes any ping of the primary as its acknowledgement diverges: it takes a ping the model refuses', async () => {
  // The rule everything rests on: view v is acknowledged only by a ping carrying v, that is,
  // once the primary has learned v (and its backup has the state).
  const anyPing: typeof stepViewService = (state, event) =>
    event.type === 'Ping' && event.from === state.primary && state.view > 0 && !state.acked ? stepViewService(state, { ...event, view: state.view }) : stepViewService(state, event)
  const r = await conform(pb(), primaryBackupDriverOf({ stepServer, stepViewService: anyPing }), { runs: 200, seed: 9, maxSteps: 40 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  // The first ping makes its sender primary of view 1; a second ping from it, before it has
  // learned view 1, acknowledges nothing in the model; the mutant takes it.
  assert.equal(w.steps.map((s) => s.action), ['init', 'Ping'])
  assert.is(w.divergence!.action, 'Ping')
  assert.is(w.divergence!.forbidden, true)
  assert.equal(w.divergence!.picks, w.steps[1].picks)
})

test.run()
