// zab: the correct protocol is safe at its shipped size (state count pinned), each bug is
// found by breadth-first search with its shortest counterexample, and the properties can fail.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { findModel } from './helpers/models.js'

const model = findModel('zab')
const actionsOf = (path: { action: string }[]) => path.map((s) => s.action)

test('zab at its shipped size (3 servers, 2 epochs, 2 proposals): safe, 63,023 distinct states', () => {
  const r = bfs(Instance.create(model, {}))
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 63023)
  assert.is(r.generatedStates, 241149)
  assert.is(r.depth, 26)
  for (const [action, count] of Object.entries(r.coverage)) assert.ok(count > 0, `${action} never enabled`)
  assert.not.ok('Persist' in r.coverage, 'Persist exists only under ack-before-log')
})

// [bug, property, shortest trace in actions after init]
const bugs: [string, string, string[]][] = [
  // The deposed leader keeps its uncommitted proposal (no TRUNC), follows the new leader and
  // delivers that proposal when the new leader commits its own first one.
  ['skip-sync', 'Agreement', [
    'Elect', 'Sync', 'LeaderAck', 'Propose', 'Crash', 'Elect', 'Crash', 'Join',
    'Sync', 'LeaderAck', 'Propose', 'FollowerAccept', 'LeaderAck', 'LeaderCommit', 'FollowerCommit',
  ]],
  ['ack-before-log', 'PrimaryIntegrity', [
    'Elect', 'Sync', 'LeaderAck', 'Propose', 'FollowerAccept', 'LeaderAck', 'LeaderCommit', 'Crash',
    'Elect', 'Sync', 'LeaderAck', 'Propose',
  ]],
  ['commit-on-minority', 'PrimaryIntegrity', [
    'Elect', 'Sync', 'LeaderAck', 'Propose', 'LeaderCommit', 'Crash', 'Elect', 'Sync', 'LeaderAck', 'Propose',
  ]],
]
for (const [bug, property, actions] of bugs) {
  test(`zab --bug ${bug}: ${property} violated, shortest trace ${actions.length} steps`, () => {
    const instance = Instance.create(model, {}, bug)
    const r = bfs(instance)
    assert.is(r.result, 'violation')
    assert.is(r.property, property)
    assert.equal(actionsOf(r.path!), ['init', ...actions])
    const states = r.path!.map((s) => s.state)
    assert.not.ok(instance.holds(property, states.at(-1)!))
    assert.ok(states.slice(0, -1).every((s) => instance.holds(property, s)))
  })
}

test('ack-before-log: the acknowledged proposal was in memory only, and the crash took it', () => {
  const instance = Instance.create(model, {}, 'ack-before-log')
  const path = bfs(instance).path!
  const decode = (i: number) => instance.schema.decode(path[i].state) as any
  const beforeCrash = decode(7)
  const afterCrash = decode(8)
  const follower = (path[8].picks as any).server
  assert.is(beforeCrash.history[follower].length, 1)
  assert.is(beforeCrash.durable[follower], 0)
  assert.is(afterCrash.history[follower].length, 0)
  // The old leader delivered zxid (1,1); the new primary of epoch 2 never will.
  const last = decode(path.length - 1)
  assert.equal(last.delivered.flat().map((z: any) => [z.epoch, z.counter]), [[1, 1]])
  assert.equal(last.history[last.primary[2]].map((z: any) => [z.epoch, z.counter]), [[2, 1]])
})

test('each bug alone breaks the properties it should: agreement falls to commit-on-minority too', () => {
  const r = bfs(Instance.create(model, {}, 'commit-on-minority', ['Agreement']))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'Agreement')
})

test('a model that never commits fails its sometimes-properties', () => {
  const noCommit = {
    ...model,
    build: (p: any, bug: any) => {
      const protocol = model.build(p, bug)
      return { ...protocol, next: (s: any, emit: any) => protocol.next(s, (a: string, picks: any, w: any) => a !== 'LeaderCommit' && emit(a, picks, w)) }
    },
  }
  const r = bfs(Instance.create(noCommit, { maxTxns: 1 }))
  assert.is(r.result, 'never-witnessed')
  assert.is(r.property, 'Delivered')
  assert.is(r.path, null)
})

test.run()
