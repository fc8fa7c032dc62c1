// `nemesis` beyond raft, in process (nemesis/run.ts with each protocol's adapter): a short
// fault run of the correct build passes; a known-bad build is caught. Paxos with acceptors
// that vote below their promise: rival proposers on one fresh key both get their own value
// (two cas from nothing succeed). Zab committing on the leader alone: a partitioned leader
// acknowledges writes the next leader never has (lost, and the delivered sequences diverge).
// The lock service with storage that does not check tokens: the paused-holder probe's stalled
// write is accepted after a newer token's. Histories are re-checked by linearizable's
// checker where the run says they cannot be ordered.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkLinearizable } from '../linearizability/check.js'
import { nemesisRun } from '../nemesis/run.js'
import { loadNemesisSystem, nemesisSystems } from '../nemesis/system.js'

const run = async (system: string, options: { seed: number; run?: number; schedule?: string; bug?: string; durationMs?: number }) =>
  nemesisRun(await loadNemesisSystem(system), { run: 0, schedule: 'random', durationMs: 2000, ...options })

test('every protocol with a client API has a nemesis adapter', () => {
  assert.equal(nemesisSystems().sort(), ['lock-service', 'paxos', 'raft', 'zab'])
})

test('paxos: a fault run of the correct acceptors is linearizable, every key read at the end', async () => {
  const r = await run('paxos', { seed: 1 })
  assert.is(r.incomplete, null)
  assert.ok(r.faults.length > 0, 'no fault was played')
  assert.is(r.linearizable, 'linearizable', JSON.stringify(r.report.failure?.operations))
  assert.equal(r.problems, [])
  assert.ok(r.history.some((e) => e.process === 'final' && e.type === 'ok'), 'the final reads are in the history')
})

test('paxos --bug vote-below-promise: two values chosen for one key (not linearizable)', async () => {
  let caught = null
  for (let i = 0; i < 2 && !caught; i++) {
    const r = await run('paxos', { seed: 1, run: i, bug: 'vote-below-promise' })
    if (r.linearizable === 'not-linearizable') caught = r
  }
  assert.ok(caught, 'neither run found two values chosen')
  const failing = caught.report.failure!.operations
  assert.ok(failing.filter((o) => o.f === 'cas' && o.status === 'ok').length >= 2, 'two proposals won one key')
  assert.is(checkLinearizable(caught.history, { model: 'kv' }).result, 'not-linearizable')
})

test('zab: writes and sync-reads under faults are linearizable, every acknowledged write delivered by a quorum', async () => {
  const r = await run('zab', { seed: 1, durationMs: 2500 })
  assert.is(r.incomplete, null)
  assert.ok(r.faults.some((f) => f.startsWith('partition leader')), r.faults.join('; '))
  assert.is(r.linearizable, 'linearizable')
  assert.equal(r.problems, [])
  assert.ok(r.history.some((e) => e.f === 'read' && e.type === 'ok'), 'no sync-read succeeded')
})

test('zab --bug commit-on-minority: a partitioned leader acknowledges writes that are lost', async () => {
  const r = await run('zab', { seed: 1, durationMs: 2500, bug: 'commit-on-minority' })
  assert.ok(r.problems.some((p) => /has not delivered \d+ acknowledged writes/.test(p)), r.problems.join('; '))
  assert.not.ok(r.ok)
})

test('lock-service: the paused holder\'s late write is refused by fenced storage', async () => {
  const r = await run('lock-service', { seed: 1, schedule: 'paused-holder' })
  assert.is(r.incomplete, null)
  assert.match(r.faults[0], /paused-holder probe: client5 checked its lease \(token \d+\) and stalled; client6 took the lock \(token \d+\) and wrote; storage refused the stalled write/)
  assert.equal(r.problems, [])
  assert.is(r.linearizable, 'linearizable')
})

test('lock-service --bug no-fencing: storage takes the stalled write after a newer token\'s', async () => {
  const r = await run('lock-service', { seed: 1, schedule: 'paused-holder', bug: 'no-fencing' })
  assert.match(r.faults[0], /storage accepted the stalled write/)
  assert.ok(r.problems.some((p) => /^storage's log: token \d+ \(client5, stalled\) accepted after token \d+$/.test(p)), r.problems.join('; '))
  assert.not.ok(r.ok)
})

test('lock-service: a random fault run (kills, pauses, clock skew) passes', async () => {
  const r = await run('lock-service', { seed: 3 })
  assert.is(r.incomplete, null)
  assert.ok(r.faults.some((f) => f.startsWith('skew')), r.faults.join('; '))
  assert.equal(r.problems, [])
  assert.is(r.linearizable, 'linearizable')
})

test.run()
