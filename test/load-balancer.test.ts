// load-balancer: state counts pinned (round robin, least connections, and least connections
// reduced by its declared symmetry); each bug found as its property with the shortest trace;
// every bug's trace replays `reproduced` on the implementation built with that bug and parts
// from the correct one; conform agrees under both policies, with and without the bugs, and a
// one-rule mutant of the balancer core diverges.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { conform } from '../conformance/conform.js'
import { replay } from '../api/replay.js'
import { traceFromPath } from '../traces/itf.js'
import { loadBalancerDriver, loadBalancerDriverOf } from '../protocols/load-balancer/driver.js'
import { stepBackend } from '../protocols/load-balancer/impl/backend.js'
import { stepBalancer } from '../protocols/load-balancer/impl/balancer.js'
import { stepClient } from '../protocols/load-balancer/impl/client.js'
import { stepStore } from '../protocols/load-balancer/impl/store.js'
import { assertFoundReplayedAndConforming } from './helpers/end-to-end.js'
import { findModel } from './helpers/models.js'
import { reachable } from './helpers/brute-force.js'

const model = findModel('load-balancer')
const lb = (params: Record<string, number> = {}, bug?: string) => Instance.create(model, params, bug)
const actionsOf = (path: { action: string }[]) => path.map((s) => s.action)

test('load-balancer, one client: round robin 1,724 distinct states, least connections 1,575 (TLC\'s counts of a TLA+ transcription), every action taken', () => {
  const rr = bfs(lb({ clients: 1 }))
  assert.is(rr.result, 'safe')
  assert.is(rr.distinctStates, 1724)
  assert.is(rr.generatedStates, 7742)
  assert.is(rr.depth, 17)
  for (const [action, count] of Object.entries(rr.coverage)) assert.ok(count > 0, `${action} never enabled`)
  const lc = bfs(lb({ clients: 1, policy: 1 }))
  assert.is(lc.result, 'safe')
  assert.is(lc.distinctStates, 1575)
  assert.is(lc.generatedStates, 7499)
  assert.is(lc.depth, 15)
  // `safe` also says every sometimes-property was reached: a request went to a dead backend,
  // a duplicate was turned away by its key's claim, a retry was answered.
})

/** The state with backend k renamed pb[k] and client k renamed pc[k], as a key ignoring set order. */
function renamed(s: any, pb: number[], pc: number[]): string {
  const move = <T>(m: readonly T[], p: number[], f: (x: T) => unknown = (x) => x) => {
    const out: unknown[] = []
    m.forEach((x, k) => (out[p[k]] = f(x)))
    return out
  }
  const backend = (b: number) => (b < 0 ? b : pb[b])
  const jobs = (js: any[]) => js.map((j) => JSON.stringify({ client: pc[j.client], attempt: j.attempt })).sort()
  return JSON.stringify({
    alive: move(s.alive, pb), markedUp: move(s.markedUp, pb), conns: move(s.conns, pb), turns: move(s.turns, pb),
    received: move(s.received, pb, jobs), working: move(s.working, pb, jobs),
    client: move(s.client, pc), executed: move(s.executed, pc),
    route: move(s.route, pc, (r: any) => ({ at: r.at, backend: backend(r.backend) })),
    store: move(s.store, pc, (k: any) => ({ key: k.key, by: backend(k.by) })),
    replies: s.replies.map((r: any) => JSON.stringify({ ...r, backend: pb[r.backend], client: pc[r.client] })).sort(),
    cursor: s.cursor, crashes: s.crashes, lastExcess: s.lastExcess,
  })
}

test('load-balancer: backends are declared symmetric under least connections only, clients under both; the classes are those a hand-written renaming counts', () => {
  assert.equal(lb({ policy: 0 }).protocol.symmetric, ['client'])
  assert.equal(lb({ policy: 1 }).protocol.symmetric, ['client', 'backend'])
  const always = Object.keys(lb().protocol.always)
  const instance = Instance.create(model, { policy: 1, retries: 0, crashes: 1 }, undefined, always)
  const full = bfs(instance)
  const reduced = bfs(instance, { symmetry: new Symmetry(instance.schema, instance.protocol.symmetric ?? []) })
  assert.is(full.result, 'safe')
  assert.is(reduced.result, 'safe')
  assert.is(full.distinctStates, 1517)
  assert.is(reduced.distinctStates, 421)
  const swaps = [[0, 1], [1, 0]]
  const classes = new Set(reachable(instance).map((s) => swaps.flatMap((pb) => swaps.map((pc) => renamed(s, pb, pc))).sort()[0]))
  assert.is(classes.size, 421)
})

const bugs = [
  { bug: 'dispatch-to-marked-down', params: {}, property: 'DispatchOnlyToMarkedUp', actions: ['Request', 'Crash', 'HealthCheck', 'Dispatch'] },
  {
    bug: 'unclaimed-key', params: {}, property: 'ServedAtMostOnce',
    actions: ['Request', 'Dispatch', 'Handle', 'Timeout', 'Retry', 'Dispatch', 'Handle', 'Execute', 'Execute'],
  },
  { bug: 'rr-cursor-one-step', params: { backends: 3 }, property: 'RoundRobinSpread', actions: ['Request', 'Request', 'Crash', 'HealthCheck', 'Dispatch', 'Dispatch'] },
  {
    bug: 'conn-leak-on-timeout', params: { policy: 1 }, property: 'LeastConnections',
    actions: ['Request', 'Request', 'Dispatch', 'Dispatch', 'Timeout', 'Retry', 'Dispatch'],
  },
] as const

for (const { bug, params, property, actions } of bugs) {
  test(`load-balancer --bug ${bug}: ${property} violated in ${actions.length} steps; the implementation with the bug reproduces it, the correct one parts from it`, async () => {
    const instance = lb(params, bug)
    const r = bfs(instance)
    assert.is(r.result, 'violation')
    assert.is(r.property, property)
    assert.equal(actionsOf(r.path!), ['init', ...actions])
    const trace = traceFromPath(instance, r.path!, { result: r.result, property: r.property })
    const replayed = await replay(trace)
    assert.is(replayed.divergence, null, JSON.stringify(replayed.divergence))
    assert.is(replayed.steps, actions.length)
    assert.is(replayed.reproduced, true)
    const fixed = await replay(trace, { driver: { model: model.name, start: (p) => loadBalancerDriver.start(p, undefined) } })
    assert.ok(fixed.divergence, 'the correct implementation followed the buggy trace to its end')
    assert.is(fixed.reproduced, false)
  })
}

test('load-balancer unclaimed-key through the CLI: check finds it, replay reproduces it, conform agrees', () => {
  assertFoundReplayedAndConforming('load-balancer', 'unclaimed-key', 'ServedAtMostOnce', 9)
})

const walks: { params: Record<string, number>; bug?: string }[] = [
  { params: { backends: 3 } },
  { params: { backends: 3, policy: 1 } },
  ...bugs.map(({ bug, params }) => ({ params, bug })),
]
for (const { params, bug } of walks) {
  const runs = bug ? 50 : 100
  test(`load-balancer ${JSON.stringify(params)}${bug ? ` --bug ${bug}` : ''}: ${runs} random walks agree, forbidden steps refused`, async () => {
    const r = await conform(lb(params, bug), loadBalancerDriver, { runs, seed: 4, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > runs * 5, `only ${r.stepsCompared} steps compared`)
  })
}

test('load-balancer conform: a balancer that keeps a marked-down backend\'s requests open diverges', async () => {
  const keepsSessions: typeof stepBalancer = (config, state, event) => {
    if (event.type !== 'Health' || event.up) return stepBalancer(config, state, event)
    return { state: { ...state, markedUp: state.markedUp.map((m, b) => (b === event.backend ? false : m)) }, effects: [] }
  }
  const mutant = loadBalancerDriverOf({ stepBalancer: keepsSessions, stepBackend, stepStore, stepClient })
  const r = await conform(lb(), mutant, { runs: 100, seed: 9, maxSteps: 40 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  // Shrunk to a few steps: a request is dispatched to a backend that crashes (before or after
  // the dispatch; the balancer has not noticed), and the health check that marks it down must
  // fail the request back.
  const actions = w.steps.map((s) => s.action)
  assert.ok(actions.length <= 6, actions.join(' '))
  assert.is(actions.at(-1), 'HealthCheck')
  for (const a of ['Request', 'Dispatch', 'Crash']) assert.ok(actions.includes(a), actions.join(' '))
  assert.equal(w.divergence!.diff.map((d) => d.variable).sort(), ['client', 'conns', 'route'])
})

test.run()
