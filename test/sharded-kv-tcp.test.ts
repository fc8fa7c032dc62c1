// sharded-kv over real TCP on 127.0.0.1: a controller process and replica-group processes.
// A shard moved from one group to another arrives with its acknowledged write, and the old
// group answers WrongGroup from then on; frames that are not the protocol's are dropped without
// harm. With keep-serving-after-handoff the old group acknowledges a write after the handoff,
// and the new owner serves the shard without it. `protocheck serve` runs the same processes
// and keeps moving shards between groups.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { connect, isListening, request } from '../runtime/tcp.js'
import { SERVED_SHARDS } from '../protocols/sharded-kv/serve.js'
import { startServe } from './helpers/serve.js'

const nodeScript = fileURLToPath(new URL('../protocols/sharded-kv/impl/node.js', import.meta.url))

interface GroupView {
  config: { num: number; shards: number[] }
  shards: { status: string; data: number[] }[]
}
interface ControllerView {
  configs: { num: number; shards: number[] }[]
}

const ask = (port: number, message: unknown) => request(port, message, 1000) as Promise<any>
const inspect = <T>(port: number) => request(port, { type: 'Inspect' }, 1000).then((r) => r as T, () => null)

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const result = await probe()
    if (result !== undefined) return result
    await sleep(20)
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function launch(groups: number, shards: number, bug?: string) {
  const ports = await freePorts(groups + 1)
  const bugArgs = bug ? ['--bug', bug] : []
  const cluster = await ProcessCluster.launch([
    { name: 'controller', script: nodeScript, port: ports[0], args: ['--role', 'controller', '--groups', String(groups), '--shards', String(shards), ...bugArgs] },
    ...Array.from({ length: groups }, (_, g) => ({
      name: `group${g + 1}`,
      script: nodeScript,
      port: ports[g + 1],
      args: ['--role', 'group', '--id', String(g), '--shards', String(shards), '--controller', String(ports[0]), '--peers', ports.slice(1).join(','), '--poll-ms', '20', ...bugArgs],
    })),
  ])
  const group = (g: number) => inspect<GroupView>(ports[g + 1])
  const reached = (g: number, what: string, test: (v: GroupView) => boolean) =>
    until(`group${g + 1}: ${what}`, async () => {
      const v = await group(g)
      return v && test(v) ? v : undefined
    })
  return { cluster, ports, group, reached }
}

test('over TCP: shard1 moves from group1 to group2 with its acknowledged write; group1 refuses it from then on; junk is dropped', async () => {
  const { cluster, ports, reached } = await launch(2, 2)
  try {
    assert.equal(await ask(ports[0], { type: 'Move', shard: 0, group: 0 }), { type: 'Moved', num: 1 })
    await reached(0, 'serving shard1', (v) => v.shards[0].status === 'serving')
    assert.equal(await ask(ports[1], { type: 'Put', shard: 0, id: 1 }), { type: 'PutOk', shard: 0, id: 1 })
    assert.equal(await ask(ports[2], { type: 'Put', shard: 0, id: 2 }), { type: 'WrongGroup' })

    // Frames that are not the protocol's are dropped; the nodes keep answering.
    for (const port of ports) {
      const stranger = await connect(port)
      for (const junk of [42, null, 'Move', { type: 'Move', shard: 7, group: 0 }, { type: 'Push', shard: 0, config: 1, to: 1, data: ['x'] }, { type: 'Put', shard: -1, id: 1 }, { type: 'Query', num: -3, from: 0 }]) stranger.send(junk)
      const answer = new Promise((resolve) => stranger.onMessage(resolve))
      stranger.send({ type: 'Inspect' })
      assert.is(((await answer) as { type: string }).type, 'State')
      stranger.close()
    }

    assert.equal(await ask(ports[0], { type: 'Move', shard: 0, group: 1 }), { type: 'Moved', num: 2 })
    const moved = await reached(1, 'serving shard1 in configuration 2', (v) => v.config.num === 2 && v.shards[0].status === 'serving')
    assert.equal(moved.shards[0].data, [1])
    assert.equal(await ask(ports[2], { type: 'Get', shard: 0 }), { type: 'Value', shard: 0, data: [1], config: 2 })
    await reached(0, 'in configuration 2', (v) => v.config.num === 2)
    assert.equal(await ask(ports[1], { type: 'Put', shard: 0, id: 3 }), { type: 'WrongGroup' })
    assert.equal((await ask(ports[0], { type: 'Inspect' }) as ControllerView).configs.map((c) => c.shards), [[-1, -1], [0, -1], [1, -1]])
  } finally {
    await cluster.stop()
  }
  for (const port of ports) assert.is(await isListening(port), false)
})

test('over TCP with keep-serving-after-handoff: group1 acknowledges a write after handing shard1 off; group2 serves shard1 without it', async () => {
  const { cluster, ports, reached } = await launch(2, 1, 'keep-serving-after-handoff')
  try {
    await ask(ports[0], { type: 'Move', shard: 0, group: 0 })
    await reached(0, 'serving shard1', (v) => v.shards[0].status === 'serving')
    assert.equal(await ask(ports[1], { type: 'Put', shard: 0, id: 1 }), { type: 'PutOk', shard: 0, id: 1 })
    // Group1 pushes shard1 (with write 1) when it installs configuration 2, and keeps serving it.
    await ask(ports[0], { type: 'Move', shard: 0, group: 1 })
    await reached(0, 'in configuration 2', (v) => v.config.num === 2)
    assert.equal(await ask(ports[1], { type: 'Put', shard: 0, id: 2 }), { type: 'PutOk', shard: 0, id: 2 }, 'the old owner still takes writes')
    const moved = await reached(1, 'serving shard1', (v) => v.config.num === 2 && v.shards[0].status === 'serving')
    assert.equal(moved.shards[0].data, [1], 'write 2 was acknowledged and is not in the new owner\'s data')
  } finally {
    await cluster.stop()
  }
})

test('protocheck serve sharded-kv: a controller and two groups keep moving 4 shards; every shard served by one group; SIGTERM leaves nothing behind', async () => {
  const { nodes, stop } = await startServe(['sharded-kv', '--nodes', '3'])
  try {
    assert.equal(nodes.map((n) => n.name), ['controller', 'group1', 'group2'])
    // The controller moves a shard every second: wait for a group to have handed one off.
    const views = await until('a shard migrated between the served groups', async () => {
      const [a, b] = await Promise.all([inspect<GroupView>(nodes[1].port), inspect<GroupView>(nodes[2].port)])
      return a && b && a.config.num >= SERVED_SHARDS + 1 && a.config.num === b.config.num && [a, b].every((v) => v.shards.every((s) => s.status !== 'waiting')) ? [a, b] : undefined
    })
    for (let s = 0; s < SERVED_SHARDS; s++) {
      assert.is(views.filter((v) => v.shards[s].status === 'serving').length, 1, `shard${s + 1} served by one group`)
    }
  } finally {
    assert.is(await stop(), 0)
  }
  for (const n of nodes) assert.is(await isListening(n.port), false, `${n.name} still listens`)
})

test.run()
