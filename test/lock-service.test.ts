// lock-service: the fixed design is safe at the shipped size (state count pinned), each bug is
// found with its shortest counterexample, and the counterexamples are the classic ones.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { findModel } from './helpers/models.js'

const model = findModel('lock-service')
const actionsOf = (path: { action: string }[]) => path.map((s) => s.action)

test('lock-service at its shipped size (2 clients, lease 4, drift 1, 6 ticks, 2 leases): safe, 37,125 distinct states', () => {
  const r = bfs(Instance.create(model, {}))
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 37125)
  assert.is(r.generatedStates, 217090)
  assert.is(r.depth, 20)
  // Every action happens somewhere: the safety is not for want of behaviour.
  for (const [action, count] of Object.entries(r.coverage)) assert.ok(count > 0, `${action} never enabled`)
})

test('lock-service without drift is safe too; with one client no write is ever fenced off', () => {
  assert.is(bfs(Instance.create(model, { drift: 0 })).result, 'safe')
  const alone = bfs(Instance.create(model, { clients: 1 }))
  // Safe, but the sometimes-property that needs a second client's write is never reached.
  assert.is(alone.result, 'never-witnessed')
  assert.is(alone.property, 'StaleWriteRejected')
  assert.is(alone.path, null)
})

test('no-fencing: a paused write under an expired lease lands after the new holder\'s write (10 steps)', () => {
  const instance = Instance.create(model, {}, 'no-fencing')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'NoStaleWrite')
  assert.equal(actionsOf(r.path!), [
    'init', 'Acquire', 'Tick', 'SendWrite', 'Tick', 'Tick', 'Tick', 'Acquire', 'SendWrite', 'StorageWrite', 'StorageWrite',
  ])
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  // client1's write (lease 1) was accepted after client2's (lease 2), and its lease had expired.
  assert.is(last.storage.lastLease, 1)
  assert.is(last.storage.newestLease, 2)
  assert.ok(last.now >= 4)
})

test('unbounded-drift: a client whose clock fell behind still believes in a lease the server let lapse', () => {
  const r = bfs(Instance.create(model, {}, 'unbounded-drift'))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'LeaseWithinServer')
  assert.equal(actionsOf(r.path!), ['init', 'Acquire', 'Tick', 'Tick', 'Tick', 'Tick', 'ClockDrift'])
  // Checked alone, the weaker MutualExclusion falls too: the server grants the lapsed lock to
  // another client while the first still believes it holds it.
  const mutex = bfs(Instance.create(model, {}, 'unbounded-drift', ['MutualExclusion']))
  assert.is(mutex.result, 'violation')
  assert.is(mutex.property, 'MutualExclusion')
  assert.is(mutex.path!.at(-1)!.action, 'Acquire')
})

test('release-without-bump: the freed lock is re-granted under the same sequencer, so fencing lets the stale write through', () => {
  const instance = Instance.create(model, {}, 'release-without-bump')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'NoStaleWrite')
  assert.is(r.path!.length, 12)
  assert.ok(actionsOf(r.path!).includes('ExpireLease'))
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  assert.is(last.storage.maxToken, 1) // both leases carried token 1
})

test('the drift margin matters: with drift 0 the unbounded-drift bug is harmless', () => {
  assert.is(bfs(Instance.create(model, { drift: 0 }, 'unbounded-drift')).result, 'safe')
})

test('a model where no write can ever land fails its sometimes-properties', () => {
  const noWrites = {
    ...model,
    build: (p: any, bug: any) => {
      const protocol = model.build(p, bug)
      return { ...protocol, next: (s: any, emit: any) => protocol.next(s, (a: string, picks: any, w: any) => a !== 'StorageWrite' && emit(a, picks, w)) }
    },
  }
  const r = bfs(Instance.create(noWrites, { maxTime: 3 }))
  assert.is(r.result, 'never-witnessed')
  assert.is(r.property, 'WriteAccepted')
})

test.run()
