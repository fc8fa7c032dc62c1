// sharded-kv: the store is safe at the shipped sizes (counts pinned, every `sometimes`
// witnessed), symmetry's class count agrees with a hand-written renaming of groups and shards,
// each bug is found as its property with the shortest trace pinned, every bug's trace replays
// `reproduced` on the implementation with that bug (and not on the correct one), the
// implementation agrees with the model on random walks (forbidden steps refused), and a
// one-rule mutant diverges.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { conform } from '../conformance/conform.js'
import { shardedKvDriver, shardedKvDriverOf } from '../protocols/sharded-kv/driver.js'
import { stepController } from '../protocols/sharded-kv/impl/controller.js'
import { stepGroup } from '../protocols/sharded-kv/impl/group.js'
import { findModel } from './helpers/models.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'
import { moved, reachable } from './helpers/brute-force.js'

const model = findModel('sharded-kv')
const create = (params: Record<string, number> = {}, bug?: string, properties?: string[]) => Instance.create(model, params, bug, properties)
const stepsOf = (path: { action: string; picks: Record<string, unknown> }[]) => path.slice(1).map((s) => `${s.action}(${Object.values(s.picks).join(',')})`)

test('sharded-kv at its defaults (2 groups, 2 shards, 3 configurations, 2 writes): safe, 2,233 distinct states', () => {
  const r = bfs(create())
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 2233)
  assert.is(r.generatedStates, 10217)
  assert.is(r.depth, 14)
  // Safe also says every `sometimes` was reached: migrated data served, an old owner serving
  // while the new one waits, a shard back at a group it had left.
  for (const [action, count] of Object.entries(r.coverage)) assert.ok(count > 0, `${action} never enabled`)
})

test('sharded-kv: one group never migrates anything; no write, no migrated data', () => {
  const alone = bfs(create({ groups: 1 }))
  assert.is(alone.result, 'never-witnessed')
  assert.is(alone.property, 'MigratedDataServed')
  const noWrites = bfs(create({ maxWrites: 0 }))
  assert.is(noWrites.result, 'never-witnessed')
  assert.is(noWrites.property, 'MigratedDataServed')
})

test('--symmetry over groups and shards: 559 classes of 2,233 states, as a hand-written renaming counts them', () => {
  const instance = create()
  const result = check(instance, 'bfs', { symmetry: new Symmetry(instance.schema, instance.protocol.symmetric ?? []) })
  assert.is(result.result, 'safe')
  assert.is(result.distinctStates, 559)
  const swaps = [[0, 1], [1, 0]]
  const classes = new Set(reachable(instance).map((s) => {
    const keys: string[] = []
    for (const pg of swaps) {
      for (const ps of swaps) {
        const owner = (g: number) => (g === -1 ? -1 : pg[g])
        const configs = s.configs.map((c: number[]) => moved(c, ps, owner))
        const group = moved(s.group, pg, (g: any) => ({ config: g.config, shards: moved(g.shards, ps) }))
        const pushes = s.pushes.map((p: any) => JSON.stringify({ shard: ps[p.shard], config: p.config, to: pg[p.to], data: p.data })).sort()
        keys.push(JSON.stringify([configs, s.latest, group, pushes, s.writes, moved(s.acked, ps)]))
      }
    }
    return keys.sort()[0]
  }))
  assert.is(classes.size, 559)
})

test('serve-before-data: the new owner serves shard1 without the write group1 acknowledged (6 steps)', () => {
  const instance = create({}, 'serve-before-data')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'AcknowledgedWritesKept')
  assert.equal(stepsOf(r.path!), ['Reconfigure(0,0)', 'Reconfigure(0,1)', 'Learn(0)', 'Put(0,0)', 'Learn(1)', 'Learn(1)'])
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  assert.equal(last.group[1].shards[0], { status: 'serving', data: [] })
  assert.equal(last.acked[0], [1])
  // The data is still on its way: the push group1 would send is not even sent yet.
  assert.equal(last.pushes, [])
})

test('keep-serving-after-handoff: group1 pushes shard1 and then acknowledges a write to it (5 steps)', () => {
  const instance = create({}, 'keep-serving-after-handoff')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'AcknowledgedWritesKept')
  assert.equal(stepsOf(r.path!), ['Reconfigure(0,0)', 'Reconfigure(0,1)', 'Learn(0)', 'Learn(0)', 'Put(0,0)'])
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  assert.equal(last.pushes, [{ shard: 0, config: 2, to: 1, data: [] }])
  assert.equal(last.group[0], { config: 2, shards: [{ status: 'serving', data: [1] }, { status: 'none', data: [] }] })
})

test('keep-serving-after-handoff, checked for OneServerPerConfig alone: two groups serve shard1 in configuration 2 (7 steps)', () => {
  const r = bfs(create({}, 'keep-serving-after-handoff', ['OneServerPerConfig']))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'OneServerPerConfig')
  assert.equal(stepsOf(r.path!), ['Reconfigure(0,0)', 'Reconfigure(0,1)', 'Learn(0)', 'Learn(0)', 'Learn(1)', 'Learn(1)', 'Receive(1,0,2)'])
})

test('reconfigure-in-place: configuration 1 is changed after group1 installed it; group2 installs the new one (4 steps)', () => {
  const instance = create({}, 'reconfigure-in-place')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'OneServerPerConfig')
  assert.equal(stepsOf(r.path!), ['Reconfigure(0,0)', 'Learn(0)', 'Reconfigure(0,1)', 'Learn(1)'])
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  assert.is(last.latest, 1)
  assert.equal(last.group.map((g: any) => [g.config, g.shards[0].status]), [[1, 'serving'], [1, 'serving']])
})

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`sharded-kv${bug ? ` --bug ${bug}` : ''}: 60 random walks (3 groups) agree with the implementation, forbidden steps refused`, async () => {
    const r = await conform(create({ groups: 3, maxConfig: 5, maxWrites: 4 }, bug), shardedKvDriver, { runs: 60, seed: 4, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > 60 * 5, `only ${r.stepsCompared} steps compared`)
  })
}

for (const bug of Object.keys(model.bugs)) {
  test(`sharded-kv --bug ${bug}: the counterexample replays and is reproduced only on the implementation with the bug`, () =>
    assertBugReplaysOnlyWithTheBug(model, bug, shardedKvDriver))
}

test('conform catches a group that keeps serving a shard it handed off (the model stops serving it)', async () => {
  const keeping: typeof stepGroup = (config, state, event) => stepGroup({ ...config, bug: 'keep-serving-after-handoff' }, state, event)
  const r = await conform(create(), shardedKvDriverOf({ stepController, stepGroup: keeping }), { runs: 300, seed: 1, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.is(d.action, 'Learn')
  assert.equal(d.diff.map((v) => v.variable), ['group'])
})

test('the CLI: check writes the keep-serving-after-handoff counterexample, replay reproduces it, conform agrees', () => {
  assertFoundReplayedAndConforming('sharded-kv', 'keep-serving-after-handoff', 'AcknowledgedWritesKept', 5)
})

test.run()
