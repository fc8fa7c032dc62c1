// Zab over real TCP on 127.0.0.1: three server processes elect a leader, commit client
// requests, survive the leader's SIGKILL (the other two elect a new leader that has every
// committed transaction), and take the killed server back (it rejoins, is synchronised and
// delivers everything). Every server ends with the same delivered sequence; no process, port
// or data file is left behind.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { isListening, request } from '../runtime/tcp.js'

const serverNode = fileURLToPath(new URL('../protocols/zab/impl/server-node.js', import.meta.url))
const TICK_MS = 20

interface Inspected {
  id: number
  role: string
  acceptedEpoch: number
  established: boolean
  delivered: { epoch: number; counter: number }[]
}

const inspect = (port: number) => request(port, { type: 'Inspect' }, 1000).then((r) => r as Inspected, () => null)

/** Poll every server until `done` holds of the answers (down servers answer null). */
async function until<T>(ports: number[], what: string, done: (states: (Inspected | null)[]) => T | undefined, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: (Inspected | null)[] = []
  while (Date.now() < deadline) {
    last = await Promise.all(ports.map(inspect))
    const result = done(last)
    if (result !== undefined) return result
    await sleep(TICK_MS * 2)
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`)
}

const establishedLeader = (states: (Inspected | null)[]) => states.find((s) => s?.role === 'leading' && s.established)?.id
const zxids = (s: Inspected) => s.delivered.map((z) => `${z.epoch}.${z.counter}`).join(' ')

test('over TCP: election, commits, the leader killed and replaced, the old leader back in sync', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zab-'))
  const ports = await freePorts(3)
  const cluster = await ProcessCluster.launch(ports.map((port, id) => ({
    name: `server${id + 1}`,
    script: serverNode,
    port,
    args: ['--id', String(id), '--peers', ports.join(','), '--data', dataDir, '--tick-ms', String(TICK_MS)],
  })))
  try {
    const first = await until(ports, 'a first established leader', establishedLeader)
    for (let i = 0; i < 3; i++) assert.equal(await request(ports[first], { type: 'ClientRequest' }), { ok: true, zxid: { epoch: 1, counter: i + 1 } })
    await until(ports, 'every server to deliver 3 transactions', (ss) => (ss.every((s) => s?.delivered.length === 3) ? true : undefined))

    await cluster.kill(first)
    const alive = ports.filter((_, i) => i !== first)
    const second = await until(ports, 'a new leader', (ss) => {
      const leader = establishedLeader(ss)
      return leader !== undefined && leader !== first ? leader : undefined
    })
    const { zxid } = (await request(ports[second], { type: 'ClientRequest' })) as { zxid: { epoch: number } }
    assert.ok(zxid.epoch >= 2, 'the new leader proposes in a new epoch')
    await until(alive, 'both survivors to deliver 4 transactions', (ss) => (ss.every((s) => s?.delivered.length === 4) ? true : undefined))

    await cluster.restart(first)
    const finals = await until(ports, 'the restarted server to catch up', (ss) => (ss.every((s) => s?.delivered.length === 4) ? (ss as Inspected[]) : undefined))
    assert.equal(new Set(finals.map(zxids)).size, 1, `delivered sequences differ: ${finals.map(zxids).join(' | ')}`)
    assert.is(zxids(finals[0]).split(' ').slice(0, 3).join(' '), '1.1 1.2 1.3')
  } finally {
    await cluster.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  for (const port of ports) assert.is(await isListening(port), false)
})

test.run()
