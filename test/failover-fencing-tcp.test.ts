// The cluster resource manager over real TCP on 127.0.0.1: three cluster-node processes,
// started as `serve` starts them, place the group on one node, which writes the shared
// storage. The test cuts that node off from the other two. The correct build: the lone node
// loses quorum and resets (its process exits 75), the other two count it fenced when the
// fence timeout has passed and place the group again; in the storage the old writer's lines
// all come before the new one's. With --bug ignore-quorum the lone node keeps writing, and
// the storage shows both writing at once. Malformed frames are dropped without harm.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'node:net'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { connect, LOOPBACK, request } from '../runtime/tcp.js'
import servable from '../protocols/failover-fencing/serve.js'

interface Inspected {
  id: number
  up: boolean
  member: number[]
  clean: number[]
  rsc: 'stopped' | 'mounted' | 'started'
}

const inspect = (port: number) => request(port, { type: 'Inspect' }, 2000) as Promise<Inspected>

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe().catch(() => undefined)
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function launch(bug?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'failover-fencing-'))
  const ports = await freePorts(3)
  const exits: (number | null | undefined)[] = [undefined, undefined, undefined]
  const timing = ['--token-ms', '250', '--fence-timeout-ms', '1200']
  const cluster = await ProcessCluster.launch(
    ports.map((port, i) => ({
      name: servable.nodeName(i),
      script: servable.script,
      port,
      args: [...servable.args(i, dir, ports), ...timing, ...(bug ? ['--bug', bug] : [])],
      onExit: (code: number | null) => void (exits[i] = code),
    })),
  )
  const storage = () => {
    try {
      return readFileSync(join(dir, 'shared-storage.log'), 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ')[0])
    } catch {
      return []
    }
  }
  const holder = (among: number[]) =>
    until('the group started', async () => {
      for (const i of among) if ((await inspect(ports[i])).rsc === 'started') return i
      return undefined
    })
  /** Cut node w off from the others, in both directions. */
  const isolate = async (w: number) => {
    for (let i = 0; i < 3; i++) await request(ports[i], { type: 'Isolate', from: i === w ? [0, 1, 2] : [w] })
  }
  const stop = async () => {
    await cluster.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return { ports, cluster, exits, storage, holder, isolate, stop }
}

test('over TCP: the node cut off resets, the majority fences it by timeout and recovers the group; storage writers never overlap', async () => {
  const c = await launch()
  try {
    const w = await c.holder([0, 1, 2])
    await c.isolate(w)
    await until('the lone node resets', async () => (c.exits[w] === 75 ? true : undefined))
    const rest = [0, 1, 2].filter((i) => i !== w)
    const next = await c.holder(rest)
    const survivor = await inspect(c.ports[next])
    assert.equal(survivor.member, rest)
    assert.equal(survivor.clean, [w])
    await until('the new holder writes', async () => (c.storage().includes(`node${next + 1}`) ? true : undefined))
    const writers = c.storage()
    const first = writers.indexOf(`node${next + 1}`)
    assert.ok(first > 0, 'the old holder wrote first')
    assert.equal([...new Set(writers.slice(0, first))], [`node${w + 1}`])
    assert.equal([...new Set(writers.slice(first))], [`node${next + 1}`])
    // The reset node boots again, still cut off: it joins no ring and places nothing.
    await c.cluster.restart(w)
    const booted = await inspect(c.ports[w])
    assert.equal([booted.up, booted.member, booted.rsc], [true, [], 'stopped'])
  } finally {
    await c.stop()
  }
})

test('over TCP --bug ignore-quorum: the node cut off keeps the storage, the majority recovers anyway, and both write', async () => {
  const c = await launch('ignore-quorum')
  try {
    const w = await c.holder([0, 1, 2])
    await c.isolate(w)
    const next = await c.holder([0, 1, 2].filter((i) => i !== w))
    const old = `node${w + 1}`
    const fresh = `node${next + 1}`
    // Wait until the old holder has written after the new one began: two writers at once.
    await until('both write', async () => {
      const writers = c.storage()
      const first = writers.indexOf(fresh)
      return first >= 0 && writers.slice(first).includes(old) ? true : undefined
    })
    assert.is((await inspect(c.ports[w])).rsc, 'started')
    assert.is(c.exits[w], undefined)
  } finally {
    await c.stop()
  }
})

test('over TCP: malformed frames are dropped, the node goes on serving', async () => {
  const c = await launch()
  try {
    const w = await c.holder([0, 1, 2])
    const peer = await connect(c.ports[w])
    // From itself, from no node, a bad group state, an isolation of no node, junk.
    for (const junk of [{ from: w, rsc: 'stopped' }, { from: 7, rsc: 'started' }, { from: (w + 1) % 3, rsc: 'running' }, { type: 'Isolate', from: [9] }, { type: 'Fence' }, [1, 2], 'hello', null]) {
      peer.send(junk)
    }
    const raw = createConnection({ port: c.ports[w], host: LOOPBACK })
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()))
    raw.on('error', () => {})
    raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))
    await closed
    peer.close()
    const after = await inspect(c.ports[w])
    assert.equal([after.up, after.member, after.rsc], [true, [0, 1, 2], 'started'])
  } finally {
    await c.stop()
  }
})

test.run()
