// The lock service over real TCP on 127.0.0.1: a lock server and a storage server as
// processes, two clients in this process. Client 1 checks its lease and is paused (a GC pause)
// past its expiry; client 2 gets the lock and writes; client 1's write then arrives. The
// fenced storage turns it away; storage built with the no-fencing bug accepts it, the
// counterexample `protocheck check lock-service --bug no-fencing` finds. Nothing is left running.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { LockClient } from '../protocols/lock-service/impl/client-runtime.js'
import { ProcessCluster } from '../runtime/launcher.js'
import { isListening } from '../runtime/tcp.js'

const script = (name: string) => fileURLToPath(new URL(`../protocols/lock-service/impl/${name}.js`, import.meta.url))
const TICK_MS = 10
const LEASE_TICKS = 20
const DRIFT_TICKS = 2

async function pausedWriterScenario(bug?: string) {
  const bugArgs = bug ? ['--bug', bug] : []
  const cluster = await ProcessCluster.launch([
    { name: 'lock-server', script: script('lock-server-node'), args: ['--lease', String(LEASE_TICKS), '--tick-ms', String(TICK_MS), ...bugArgs] },
    { name: 'storage', script: script('storage-node'), args: bugArgs },
  ])
  const [lockServerPort, storagePort] = cluster.ports
  const options = { lockServerPort, storagePort, tickMs: TICK_MS, drift: DRIFT_TICKS }
  const clients: LockClient[] = []
  try {
    const first = await LockClient.start({ ...options, id: 0 })
    clients.push(first)
    const second = await LockClient.start({ ...options, id: 1 })
    clients.push(second)

    assert.ok(await first.acquire(), 'client1 was not granted the free lock')
    assert.is(first.token, 1)
    const pausedWrite = first.checkLease()
    // The pause: well past the lease, by every clock.
    await sleep(TICK_MS * LEASE_TICKS * 3)
    assert.not.ok(first.believesItHolds)

    assert.ok(await second.acquire(), 'client2 was not granted the lapsed lock')
    // The server's lease timer has freed the lapsed lock; the bump gives the new lease token 2.
    assert.is(second.token, bug === 'release-without-bump' ? 1 : 2)
    assert.ok(await second.send(second.checkLease()), 'storage refused the current holder')
    return { late: await first.send(pausedWrite), ports: cluster.ports }
  } finally {
    for (const c of clients) c.stop()
    await cluster.stop()
  }
}

test('over TCP: storage fences off the paused client\'s late write', async () => {
  const { late, ports } = await pausedWriterScenario()
  assert.is(late, false)
  for (const port of ports) assert.is(await isListening(port), false)
})

test('over TCP with --bug no-fencing: the paused client\'s late write is accepted after the new holder\'s', async () => {
  const { late, ports } = await pausedWriterScenario('no-fencing')
  assert.is(late, true)
  for (const port of ports) assert.is(await isListening(port), false)
})

test('over TCP with --bug release-without-bump: the lock comes back under token 1, and storage cannot tell the writes apart', async () => {
  const { late } = await pausedWriterScenario('release-without-bump')
  assert.is(late, true)
})

test.run()
