// gfs over real TCP on 127.0.0.1: a master process and three chunkserver processes keeping their
// replicas on disk. Records appended through the primary land at the same offset on every
// replica; frames that are not the protocol's are dropped without harm. A chunkserver killed
// while records are appended and restarted with its disk comes back with an old chunk version:
// the master never lists it again; with no-version-bump it is listed as current though it lacks
// a record. `protocheck serve gfs` runs the same processes.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { connect, isListening, request } from '../runtime/tcp.js'
import { GfsClient } from '../protocols/gfs/impl/client-runtime.js'
import { startServe } from './helpers/serve.js'

const nodeScript = fileURLToPath(new URL('../protocols/gfs/impl/node.js', import.meta.url))
const REPLICAS = 3

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const result = await probe()
    if (result !== undefined) return result
    await sleep(25)
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function launch(bug?: string) {
  const ports = await freePorts(REPLICAS + 1)
  const dir = mkdtempSync(join(tmpdir(), 'gfs-tcp-'))
  const withBug = bug ? ['--bug', bug] : []
  const cluster = await ProcessCluster.launch([
    { name: 'master', script: nodeScript, port: ports[0], args: ['--role', 'master', '--replicas', String(REPLICAS), '--lease', '6', '--tick-ms', '50', ...withBug] },
    ...Array.from({ length: REPLICAS }, (_, r) => ({
      name: `chunkserver${r + 1}`,
      script: nodeScript,
      port: ports[r + 1],
      args: ['--role', 'chunkserver', '--id', String(r), '--replicas', String(REPLICAS), '--master', String(ports[0]), '--peers', ports.slice(1).join(','), '--data-dir', dir, ...withBug],
    })),
  ])
  const client = new GfsClient(ports[0], ports.slice(1))
  const stop = async () => {
    await cluster.stop()
    rmSync(dir, { recursive: true, force: true })
    for (const port of ports) assert.is(await isListening(port), false)
  }
  return { cluster, ports, client, stop }
}

/** Append two records, kill chunkserver3, append a third (retried until a lease without it),
 * restart chunkserver3 with its disk; what the master then lists, and what each replica holds. */
async function staleReplicaReturns(bug?: string) {
  const { cluster, client, stop } = await launch(bug)
  try {
    await until('a primary', async () => ((await client.locate()).primary >= 0 ? true : undefined))
    const first = await client.append()
    const second = await client.append()
    await cluster.kill(3)
    const third = await client.append(40)
    await cluster.restart(3)
    const location = await until('chunkserver3 to register again', async () => {
      const state = (await request(client['masterPort'], { type: 'Inspect' })) as { failures: number }
      return state.failures >= 1 ? await client.locate() : undefined
    })
    // Let the master hear chunkserver3's report.
    await sleep(200)
    const listed = (await client.locate()).current
    const contents = await Promise.all([0, 1, 2].map((r) => client.read(r)))
    return { appended: [first, second, third], listed, contents, version: location.version }
  } finally {
    await stop()
  }
}

test('over TCP: records land at the offsets the client was told; junk frames are dropped', async () => {
  const { ports, client, stop } = await launch()
  try {
    for (const port of ports) {
      const stranger = await connect(port)
      for (const junk of [42, null, 'Grant', { type: 'Register', replica: 9, version: 0 }, { type: 'Forward', offset: -1, rec: 1 }, { type: 'Grant', expires: 1e6, members: [true] }, { type: 'AppendRequest', rec: 'x' }]) stranger.send(junk)
      stranger.close()
    }
    await until('a primary', async () => ((await client.locate()).primary >= 0 ? true : undefined))
    const appended = [await client.append(), await client.append(), await client.append()]
    assert.equal(appended.map((a) => a.rec), [1, 2, 3])
    const contents = await Promise.all([0, 1, 2].map((r) => client.read(r)))
    for (const { data } of contents) {
      for (const { rec, offset } of appended) assert.is(data[offset], rec, `record ${rec} at offset ${offset} of ${JSON.stringify(data)}`)
    }
  } finally {
    await stop()
  }
})

test('over TCP: a chunkserver back from a crash with an old version is never listed; with no-version-bump it is, without the record', async () => {
  const [correct, buggy] = await Promise.all([staleReplicaReturns(), staleReplicaReturns('no-version-bump')])
  for (const run of [correct, buggy]) {
    const [, , third] = run.appended
    // chunkserver3 missed the third record.
    assert.is.not(run.contents[2].data[third.offset], third.rec)
    for (const r of [0, 1]) assert.is(run.contents[r].data[third.offset], third.rec)
  }
  assert.equal(correct.listed, [true, true, false], 'the stale replica is left out')
  assert.ok(correct.contents[2].version < correct.version)
  assert.equal(buggy.listed, [true, true, true], 'the stale replica is handed to clients')
  assert.is(buggy.contents[2].version, buggy.version)
})

test('protocheck serve gfs: a master and three chunkservers take record appends; SIGTERM leaves nothing behind', async () => {
  const { nodes, stop } = await startServe(['gfs', '--nodes', '4'])
  try {
    assert.equal(nodes.map((n) => n.name), ['master', 'chunkserver1', 'chunkserver2', 'chunkserver3'])
    const client = new GfsClient(nodes[0].port, nodes.slice(1).map((n) => n.port))
    await until('a primary', async () => ((await client.locate()).primary >= 0 ? true : undefined))
    const a = await client.append()
    const b = await client.append()
    for (let r = 0; r < 3; r++) {
      const { data } = await client.read(r)
      assert.is(data[a.offset], a.rec)
      assert.is(data[b.offset], b.rec)
    }
  } finally {
    assert.is(await stop(), 0)
  }
  for (const n of nodes) assert.is(await isListening(n.port), false, `${n.name} still listens`)
})

test.run()
