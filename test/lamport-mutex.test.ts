// protocols/lamport-mutex/model.ts follows LamportMutex.tla (MCLamportMutex, ClockConstraint):
// with the same constants it reaches TLC's counts (distinct, generated, depth), and every
// `sometimes` witness (each process enters, all request at once, tied timestamps, a clock
// moved by a request) is reached. Each bug breaks its property with a pinned shortest
// counterexample that replays `reproduced` on the implementation built with that bug (and not
// on the correct one); the implementation agrees with the model on random walks, and a
// mutant core diverges with a shrunk trace.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { conform } from '../conformance/conform.js'
import { mutexDriver, mutexDriverOf } from '../protocols/lamport-mutex/driver.js'
import { stepProcess } from '../protocols/lamport-mutex/impl/process.js'
import { findModel } from './helpers/models.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'

const model = findModel('lamport-mutex')
const mutex = (params: Record<string, number> = {}, bug?: string, properties?: string[]) => Instance.create(model, params, bug, properties)

// TLC 2.20 on MCLamportMutex (MaxNat = 7, -deadlock): [N, maxClock, distinct, generated, depth].
// n=3 maxClock=6 (the shipped MCLamportMutex.cfg: 724,274 / 2,729,079 / 61) agrees too, but
// takes too long for this suite.
const tlc = [
  [2, 4, 401, 787, 28],
  [3, 2, 511, 2203, 15],
  [3, 3, 10209, 41533, 31],
  [3, 4, 70472, 276114, 41],
] as const

for (const [n, maxClock, distinct, generated, depth] of tlc) {
  test(`lamport-mutex n=${n} maxClock=${maxClock}: ${distinct} distinct states, ${generated} generated, depth ${depth}, as TLC; every witness reached`, () => {
    const r = bfs(mutex({ n, maxClock }))
    assert.is(r.result, 'safe', `${r.result} ${r.property} ${r.reason}`)
    assert.equal([r.distinctStates, r.generatedStates, r.depth], [distinct, generated, depth])
  })
}

test('lamport-mutex: the witnesses are the ones the issue asks for (each process enters)', () => {
  const names = Object.keys(mutex({ n: 3 }).protocol.sometimes ?? {})
  assert.equal(names, ['P1Enters', 'P2Enters', 'P3Enters', 'AllRequesting', 'TiedRequests', 'LaterTimestamp'])
})

// [bug, property, steps of the shortest counterexample]
const bugs = [
  ['majority-acks', 'BoundedNetwork', 8],
  ['no-clock-update', 'Mutex', 12],
  ['no-tie-break', 'Mutex', 12],
] as const

test('lamport-mutex: the bugs tested are every safety bug the model has (no-ack-in-critical-section breaks only liveness: test/lamport-mutex-liveness.test.ts)', () => {
  assert.equal(bugs.map(([b]) => b).sort(), Object.keys(model.bugs).filter((b) => b !== 'no-ack-in-critical-section').sort())
})

for (const [bug, property, steps] of bugs) {
  test(`lamport-mutex --bug ${bug}: ${property} violated in ${steps} steps; the trace is reproduced on the implementation with the bug only`, async () => {
    const r = bfs(mutex({}, bug))
    assert.is(r.result, 'violation')
    assert.is(r.property, property)
    assert.is(r.path!.length, steps + 1)
    await assertBugReplaysOnlyWithTheBug(model, bug, mutexDriver)
  })
}

test('lamport-mutex --bug majority-acks: two processes in the critical section at once, also in 8 steps', () => {
  const r = bfs(mutex({}, 'majority-acks', ['Mutex']))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'Mutex')
  assert.is(r.path!.length, 9)
})

test('lamport-mutex --bug no-clock-update, through the CLI: check finds it, replay reproduces it, conform agrees', () => {
  assertFoundReplayedAndConforming('lamport-mutex', 'no-clock-update', 'Mutex', 12)
})

// Walks run with maxClock=6 so that they go on through several rounds of the lock.
for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  const runs = bug ? 60 : 100
  test(`lamport-mutex${bug ? ` --bug ${bug}` : ''}: ${runs} random walks agree with the implementation, forbidden steps refused`, async () => {
    const r = await conform(mutex({ maxClock: 6 }, bug), mutexDriver, { runs, seed: 11, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > runs * 10, `only ${r.stepsCompared} steps compared`)
  })
}

test('lamport-mutex conform: a receiver that ticks its clock without the max diverges, shrunk to the steps that show it', async () => {
  const noMax: typeof stepProcess = (config, state, event) => {
    const t = stepProcess(config, state, event)
    if ('refused' in t || event.type !== 'Receive' || event.message.type !== 'req') return t
    return { ...t, state: { ...t.state, clock: state.clock + 1 } }
  }
  const r = await conform(mutex(), mutexDriverOf({ stepProcess: noMax }), { runs: 200, seed: 9, maxSteps: 40 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  // p1's request moves p2's clock to 2; p2's own request (timestamp 2) reaches p1, whose clock
  // is 1: p1 must move to 3, the mutant to 2.
  assert.equal(w.steps.map((s) => s.action), ['init', 'Request', 'ReceiveRequest', 'Request', 'ReceiveRequest'])
  assert.equal(w.divergence!.diff.map((d) => d.variable), ['clock'])
})

test.run()
