// primary-backup over real TCP on 127.0.0.1: the view service and three servers, started as
// `serve` starts them. A client's writes are acknowledged by the primary after its backup has
// them; the primary is killed; the view service promotes the backup, which still holds every
// acknowledged write, and a new backup gets the state by transfer. Malformed frames are
// dropped without harm.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createConnection } from 'node:net'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { connect, isListening, LOOPBACK, request } from '../runtime/tcp.js'
import servable from '../protocols/primary-backup/serve.js'
import { get, inspect, put } from '../protocols/primary-backup/impl/client.js'

async function launch(nodes: number) {
  const ports = await freePorts(nodes)
  const cluster = await ProcessCluster.launch(
    ports.map((port, i) => ({ name: servable.nodeName(i), script: servable.script, port, args: servable.args(i, '', ports) })),
  )
  return { ports, cluster }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Wait (no time asserted) until the view service names a primary and a backup, the primary
 * has acknowledged the view (before that the view service cannot replace it: the lab's rule) and
 * the backup has the state. */
async function replicated(ports: number[]): Promise<{ primary: number; backup: number }> {
  for (;;) {
    const view = (await request(ports[0], { type: 'GetView' })) as { primary: number; backup: number; acked: boolean }
    if (view.primary >= 0 && view.backup >= 0 && view.acked) {
      const backup = await inspect(ports, view.backup)
      if (backup.synced && backup.backup === view.backup) return view
    }
    await sleep(50)
  }
}

test('over TCP: acknowledged writes survive the primary being killed; the promoted backup serves them', async () => {
  const { ports, cluster } = await launch(4)
  try {
    const first = await replicated(ports)
    for (let v = 1; v <= 5; v++) await put(ports, v * 10)
    assert.is(await get(ports), 50)
    // Every acknowledged write is on the backup too.
    assert.is((await inspect(ports, first.backup)).value, 50)
    await cluster.kill(first.primary + 1)
    // The view service gives up on the dead primary and promotes the backup.
    assert.is(await get(ports), 50)
    await put(ports, 60)
    const after = await replicated(ports)
    assert.is(after.primary, first.backup)
    assert.is.not(after.backup, first.primary)
    assert.is(await get(ports), 60)
    // The new backup received the whole state by transfer and then the write.
    assert.is((await inspect(ports, after.backup)).value, 60)
  } finally {
    await cluster.stop()
  }
  for (const port of ports) assert.is(await isListening(port), false)
})

test('over TCP: malformed frames are dropped, the nodes go on serving', async () => {
  const { ports, cluster } = await launch(3)
  try {
    await replicated(ports)
    await put(ports, 7)
    const before = await Promise.all([inspect(ports, 0), inspect(ports, 1)])
    for (const port of ports) {
      const peer = await connect(port)
      // From itself or nobody, a Transfer with no value, a Forward of an unknown op, views < 1, junk.
      for (const junk of [
        { from: 0, message: { type: 'Transfer', view: 9, value: 99 } },
        { from: 7, message: { type: 'Transfer', view: 9, value: 99 } },
        { from: 1, message: { type: 'Transfer', view: 9 } },
        { from: 0, message: { type: 'Forward', view: 2, seq: 1, op: 'erase', value: 0 } },
        { from: 1, message: { type: 'ForwardOk', view: 0, seq: 1 } },
        { type: 'Ping', from: 5, view: 1 },
        { type: 'Put', value: -3 },
        [1, 2],
        'hello',
        null,
      ]) {
        peer.send(junk)
      }
      peer.close()
    }
    // A connection that breaks the framing is closed; the node lives on.
    const raw = createConnection({ port: ports[1], host: LOOPBACK })
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()))
    raw.on('error', () => {})
    raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))
    await closed
    const after = await Promise.all([inspect(ports, 0), inspect(ports, 1)])
    assert.equal(after, before)
    assert.is(await get(ports), 7)
  } finally {
    await cluster.stop()
  }
})

test.run()
