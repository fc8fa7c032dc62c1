// Lamport's mutual exclusion over real TCP on 127.0.0.1: three process-node processes, started
// as `serve` starts them, serve clients that compete for the lock through every process; the
// test (the one observer of every grant) sees at most one holder at any time and every
// acquisition served. Malformed frames from a would-be peer are dropped without harm.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { createConnection } from 'node:net'
import { connect, isListening, LOOPBACK } from '../runtime/tcp.js'
import servable from '../protocols/lamport-mutex/serve.js'
import { acquire, inspect } from '../protocols/lamport-mutex/impl/client.js'

const ROUNDS = 4

async function launch(count: number) {
  const ports = await freePorts(count)
  const cluster = await ProcessCluster.launch(
    ports.map((port, i) => ({ name: servable.nodeName(i), script: servable.script, port, args: servable.args(i, '', ports) })),
  )
  return { ports, cluster }
}

test('over TCP: clients at every process take turns, never two holders, every acquisition served', async () => {
  const { ports, cluster } = await launch(3)
  try {
    let holder: string | null = null
    const grants: string[] = []
    const overlaps: string[] = []
    // Two clients per process, each acquiring ROUNDS times; inside the critical section each
    // asks its process for its state, which must say it is in the critical section.
    const client = async (name: string, port: number) => {
      for (let round = 0; round < ROUNDS; round++) {
        const lease = await acquire(port)
        if (holder !== null) overlaps.push(`${name} granted while ${holder} holds the lock`)
        holder = name
        grants.push(name)
        const seen = await inspect(port)
        assert.ok(seen.inCritical, `${name}'s process is not in the critical section while granted`)
        holder = null
        await lease.release()
      }
    }
    await Promise.all(ports.flatMap((port, i) => [client(`c${i + 1}a`, port), client(`c${i + 1}b`, port)]))
    assert.equal(overlaps, [])
    assert.is(grants.length, 3 * 2 * ROUNDS)
    // Every process has taken its turns, and is quiet again: no request pending anywhere.
    const states = await Promise.all(ports.map((port) => inspect(port)))
    for (const s of states) {
      assert.is(s.inCritical, false)
      assert.is(s.queued, 0)
      assert.ok(s.clock > 1, `p${s.id + 1}'s clock never moved`)
    }
    // The last releases may still be on their way; the requests each process knows of are then
    // only ones that are released already or about to be.
  } finally {
    await cluster.stop()
  }
  for (const port of ports) assert.is(await isListening(port), false)
})

test('over TCP: malformed frames are dropped, the process goes on serving', async () => {
  const { ports, cluster } = await launch(2)
  try {
    const before = await inspect(ports[0])
    const peer = await connect(ports[0])
    // From itself, from no process, a request with no or a bad timestamp, an unknown kind, junk.
    for (const junk of [{ from: 0, type: 'req', clock: 5 }, { from: 7, type: 'ack' }, { from: 1, type: 'req' }, { from: 1, type: 'req', clock: -2 }, { from: 1, type: 'grab' }, [1, 2], 'hello', null, { type: 'Steal' }]) {
      peer.send(junk)
    }
    const after = await inspect(ports[0])
    assert.equal(after, before)
    // A connection that breaks the framing is closed; the process lives on.
    const raw = createConnection({ port: ports[0], host: LOOPBACK })
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()))
    raw.on('error', () => {})
    raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))
    await closed
    peer.close()
    const lease = await acquire(ports[0])
    await lease.release()
    const lease2 = await acquire(ports[1])
    assert.ok(lease2.clock >= 1)
    await lease2.release()
  } finally {
    await cluster.stop()
  }
})

test.run()
