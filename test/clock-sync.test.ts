// clock-sync: the model's state counts at the shipped size (pinned), every `sometimes` witness
// reached; each bug found as its property with the shortest trace; each trace replays as
// `reproduced` on the implementation with that bug and parts from the correct one; the
// implementation agrees with the model on random walks, with and without each bug, while a
// one-rule mutant diverges; the user's CLI path (check --bug --out, replay, conform).

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../api/check.js'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { conform } from '../conformance/conform.js'
import { clockSyncDriver, clockSyncDriverOf } from '../protocols/clock-sync/driver.js'
import { stepClient } from '../protocols/clock-sync/impl/client.js'
import { hlcBefore, hlcOnReceive, hlcOnSend } from '../protocols/clock-sync/impl/hlc.js'
import { stepServer } from '../protocols/clock-sync/impl/server.js'
import { withinBound } from '../protocols/clock-sync/model.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'
import { findModel } from './helpers/models.js'

const model = findModel('clock-sync')
const actionsOf = (path: { action: string }[]) => path.map((s) => s.action)

test('clock-sync at its shipped size (1 client, drift 1, offset 2, delays 1..3, 5 ticks): safe, 4,427 distinct states, every witness reached', () => {
  const r = bfs(Instance.create(model, {}))
  assert.is(r.result, 'safe')
  // TLC 2.20 on a TLA+ transcription of the model: 4,427 distinct, 7,071 generated, depth 23.
  // (Likewise below: 4,725, 2,092 and 5,429 are TLC's counts too.)
  assert.is(r.distinctStates, 4427)
  assert.is(r.generatedStates, 7071)
  assert.is(r.depth, 23)
  // `safe` also says InexactEstimate, SteppedForward, SlewingBack and HlcAheadOfClock were
  // reached: estimates are off, clocks step and slew, HLCs run ahead, and still all holds.
  for (const [action, count] of Object.entries(r.coverage)) assert.ok(count > 0, `${action} never enabled`)
})

test('clock-sync: two clients booted exact are safe (nothing to step forward), 2,397 classes under client symmetry; symmetric delays and more drift are safe', async () => {
  const two = bfs(Instance.create(model, { clients: 2, offset: 0, maxDelay: 1, maxTime: 2 }))
  // Every state explored without a violation; only the witness of a forward step is missing,
  // as it must be when no clock starts behind and delays are symmetric.
  assert.is(two.result, 'never-witnessed')
  assert.is(two.property, 'SteppedForward')
  assert.is(two.distinctStates, 4725)
  const classes = (await check(model, { params: { clients: 2, offset: 0, maxDelay: 1, maxTime: 2 }, symmetry: true })).report
  assert.is(classes.property, 'SteppedForward')
  assert.is(classes.distinctStates, 2397)
  const symmetric = bfs(Instance.create(model, { minDelay: 2, maxDelay: 2, maxTime: 6 }))
  assert.is(symmetric.result, 'safe')
  assert.is(symmetric.distinctStates, 2092)
  assert.is(bfs(Instance.create(model, { drift: 2, maxTime: 4 })).distinctStates, 5429)
})

test('clock-sync: the HLC rules (Kulkarni et al., Figure 5) and the offset bound', () => {
  assert.equal(hlcOnSend({ l: 5, c: 2 }, 4), { l: 5, c: 3 }, 'a clock behind l counts on c')
  assert.equal(hlcOnSend({ l: 5, c: 2 }, 7), { l: 7, c: 0 }, 'a clock past l resets c')
  assert.equal(hlcOnReceive({ l: 5, c: 2 }, { l: 5, c: 4 }, 3), { l: 5, c: 5 })
  assert.equal(hlcOnReceive({ l: 5, c: 2 }, { l: 6, c: 4 }, 3), { l: 6, c: 5 })
  assert.equal(hlcOnReceive({ l: 5, c: 2 }, { l: 6, c: 4 }, 9), { l: 9, c: 0 })
  assert.equal(hlcOnReceive({ l: 5, c: 2 }, { l: 6, c: 4 }, 3, true), { l: 5, c: 3 }, 'the bug: below the message')
  assert.ok(hlcBefore({ l: 5, c: 9 }, { l: 6, c: 0 }) && !hlcBefore({ l: 6, c: 0 }, { l: 6, c: 0 }))
  // Delays 1 out and 3 back, clocks in step: 2θ = -2, δ = 4; the truth is 0.
  assert.ok(withinBound(-2, 0, 4, 0))
  // Ignoring the delay, θ = t3 - t4 = -3: off by 2·3 = 6, within δ + 2·drift = 6 for δ = 4 but
  // not for δ = 3 (the oscillator lost a tick during the exchange).
  assert.ok(withinBound(-6, 0, 4, 1) && !withinBound(-6, 0, 3, 1))
})

const stories: Record<string, { property: string; steps: string[] }> = {
  'step-back': {
    property: 'ClockMonotonic',
    steps: ['init', 'Boot', 'ClockTick', 'ClientSend', 'Tick', 'ClockTick', 'ServerRecv', 'ServerReply', 'Tick', 'ClientRecv'],
  },
  'ignore-delay': {
    property: 'OffsetWithinBound',
    steps: ['init', 'Boot', 'ClockTick', 'ClientSend', 'Tick', 'ClockTick', 'ServerRecv', 'ServerReply', 'Tick', 'ClockTick', 'Tick', 'ClockTick', 'Tick', 'ClientRecv'],
  },
  'hlc-no-max': { property: 'HappenedBefore', steps: ['init', 'Boot', 'ClockTick', 'ClientSend', 'Tick', 'ServerRecv'] },
}

for (const [bug, story] of Object.entries(stories)) {
  test(`clock-sync --bug ${bug}: ${story.property} violated in ${story.steps.length - 1} steps (shortest), reproduced only with the bug`, async () => {
    const r = bfs(Instance.create(model, {}, bug))
    assert.is(r.result, 'violation')
    assert.is(r.property, story.property)
    assert.equal(actionsOf(r.path!), story.steps)
    await assertBugReplaysOnlyWithTheBug(model, bug, clockSyncDriver)
  })
}

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`clock-sync${bug ? ` --bug ${bug}` : ''}: 60 random walks of up to 30 steps agree, forbidden steps refused`, async () => {
    const r = await conform(Instance.create(model, {}, bug), clockSyncDriver, { runs: 60, seed: 4, maxSteps: 30 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > 60 * 8, `only ${r.stepsCompared} steps compared`)
  })
}

test('clock-sync conform: a server that stamps its transmit time t3 with its receive time t2 diverges, shrunk', async () => {
  const lazy: typeof stepServer = (config, state, event) => {
    const t = stepServer(config, state, event)
    if ('refused' in t) return t
    return { ...t, effects: t.effects.map((e) => ({ ...e, message: e.message.type === 'response' ? { ...e.message, t3: e.message.t2 } : e.message })) }
  }
  const r = await conform(Instance.create(model, {}), clockSyncDriverOf({ stepServer: lazy, stepClient }), { runs: 300, seed: 9, maxSteps: 40 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  // Boot, a request, a tick between the server's receive and its reply: t3 must differ from t2.
  assert.equal(actionsOf(w.steps), ['init', 'Boot', 'ClientSend', 'ClockTick', 'Tick', 'ServerRecv', 'ClockTick', 'Tick', 'ServerReply'])
  assert.equal(w.divergence!.diff.map((d) => d.variable), ['rep'])
})

test('clock-sync through the CLI: check --bug --out, replay reproduced, conform agrees', () => {
  assertFoundReplayedAndConforming('clock-sync', 'hlc-no-max', 'HappenedBefore', 5)
})

test.run()
