// gfs: one chunk's leases, record appends and versions are safe at the shipped sizes (counts
// pinned, every `sometimes` witnessed), symmetry's class count agrees with a hand-written renaming
// of the replicas, each bug is found as its property with the shortest trace pinned, every bug's
// trace replays `reproduced` on the implementation with that bug (and not on the correct one),
// the implementation agrees with the model on random walks, and a one-rule mutant diverges.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { conform } from '../conformance/conform.js'
import { gfsDriver, gfsDriverOf } from '../protocols/gfs/driver.js'
import { stepChunkserver } from '../protocols/gfs/impl/chunkserver.js'
import { stepClient } from '../protocols/gfs/impl/client.js'
import { stepMaster } from '../protocols/gfs/impl/master.js'
import { findModel } from './helpers/models.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'
import { moved, permutations, reachable } from './helpers/brute-force.js'

const model = findModel('gfs')
const create = (params: Record<string, number> = {}, bug?: string) => Instance.create(model, params, bug)
const steps = (path: { action: string; picks: Record<string, unknown> }[]) =>
  path.slice(1).map((s) => `${s.action}${Object.values(s.picks).map((r) => `(${Number(r) + 1})`).join('')}`)

test('gfs at its defaults (3 replicas, lease 2, 3 ticks, 2 appends, 1 failure): safe, 8,735 distinct states', () => {
  const r = bfs(create())
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 8735)
  assert.is(r.generatedStates, 45885)
  assert.is(r.depth, 14)
  // Safe also says every `sometimes` was reached: an acknowledged append, a duplicated record,
  // padding, a stale replica left out, a record appended under a second lease.
  for (const [action, count] of Object.entries(r.coverage)) assert.ok(count > 0, `${action} never enabled`)
})

test('gfs with 2 replicas is safe too (the shipped spec, 235,491 states, is checked by specs.test)', () => {
  const r = bfs(create({ replicas: 2 }))
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 1424)
})

test('gfs: without failures no record is duplicated; one replica alone never pads', () => {
  const noFailure = bfs(create({ maxFailures: 0 }))
  assert.is(noFailure.result, 'never-witnessed')
  assert.is(noFailure.property, 'DuplicateRecord')
  const alone = bfs(create({ replicas: 1 }))
  assert.is(alone.result, 'never-witnessed')
})

test('--symmetry over replicas: 1,562 classes of 8,735 states, as a hand-written renaming counts them', () => {
  const instance = create()
  const result = check(instance, 'bfs', { symmetry: new Symmetry(instance.schema, instance.protocol.symmetric ?? []) })
  assert.is(result.result, 'safe')
  assert.is(result.distinctStates, 1562)
  const classes = new Set(reachable(instance).map((s) => {
    const keys = permutations(3).map((p) => {
      const flags = (m: boolean[]) => moved(m, p)
      const master = { ...s.master, primary: s.master.primary === -1 ? -1 : p[s.master.primary], current: flags(s.master.current) }
      const replica = moved(s.replica, p, (r: any) => ({ ...r, members: flags(r.members) }))
      const client = { ...s.client, members: flags(s.client.members), acked: flags(s.client.acked) }
      return JSON.stringify([s.now, master, replica, moved(s.inflight, p), client, s.okAt, s.ackedBy.map(flags), s.failures])
    })
    return keys.sort()[0]
  }))
  assert.is(classes.size, 1562)
})

test('no-version-bump: a replica down during an append comes back looking current (5 steps)', () => {
  const r = bfs(create({}, 'no-version-bump'))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'NoStaleServed')
  assert.equal(steps(r.path!), ['Fail(1)', 'GrantLease(2)', 'Append(2)', 'Apply(3)', 'Recover(1)'])
})

test('early-regrant: the master replaces a primary it lost touch with, whose lease still runs (3 steps)', () => {
  const r = bfs(create({}, 'early-regrant'))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'OnePrimary')
  assert.equal(steps(r.path!), ['GrantLease(1)', 'Fail(1)', 'GrantLease(2)'])
})

test('append-at-own-end: a retried record lands at another offset on the replica that missed the first try (8 steps)', () => {
  const instance = create({}, 'append-at-own-end')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'AckedSameOffset')
  assert.equal(steps(r.path!), ['GrantLease(1)', 'Append(1)', 'Apply(2)', 'Fail(3)', 'Recover(3)', 'Append(1)', 'Apply(2)', 'Apply(3)'])
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  assert.equal(last.replica.map((x: any) => x.data), [[1, 1], [1, 1], [1]])
  assert.is(last.okAt[1], 1)
})

test('reply-before-replicas: the client is told success while the secondaries have not written the record (2 steps)', () => {
  const instance = create({}, 'reply-before-replicas')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'AtLeastOnce')
  assert.equal(steps(r.path!), ['GrantLease(1)', 'Append(1)'])
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  assert.equal(last.replica.map((x: any) => x.data), [[1], [], []])
  assert.equal(last.inflight.map((w: any) => w.pending), [false, true, true])
})

// Fail is enabled at every up replica, so walks with room for few failures end early.
const walkable = { maxTime: 10, maxAppends: 4, maxFailures: 3 }

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`gfs${bug ? ` --bug ${bug}` : ''}: random walks (100; 30 with a bug) agree with the implementation, forbidden steps refused`, async () => {
    const runs = bug ? 30 : 100
    const r = await conform(create(walkable, bug), gfsDriver, { runs, seed: 4, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > runs * 5, `only ${r.stepsCompared} steps compared`)
  })
}

for (const bug of Object.keys(model.bugs)) {
  test(`gfs --bug ${bug}: the counterexample replays and is reproduced only on the implementation with the bug`, () =>
    assertBugReplaysOnlyWithTheBug(model, bug, gfsDriver))
}

test('conform catches a master that grants without bumping the version (the model bumps it)', async () => {
  const unbumped: typeof stepMaster = (config, state, event) => stepMaster({ ...config, bug: 'no-version-bump' }, state, event)
  const r = await conform(create(walkable), gfsDriverOf({ stepMaster: unbumped, stepChunkserver, stepClient }), { runs: 100, seed: 1, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.is(d.action, 'GrantLease')
  assert.ok(d.diff.some((v) => v.variable === 'master'))
})

test('the CLI: check writes the no-version-bump counterexample, replay reproduces it, conform agrees', () => {
  assertFoundReplayedAndConforming('gfs', 'no-version-bump', 'NoStaleServed', 5)
})

test.run()
