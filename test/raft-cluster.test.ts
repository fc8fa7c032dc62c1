// The replicated key-value store under faults: three server processes on 127.0.0.1, each with
// its own storage on disk; concurrent clients put and get while the leader is killed and
// restarted (it recovers from its file) and a server is partitioned away and healed.
// Afterwards every acknowledged put is committed on a majority, and the servers' committed
// logs agree (each is a prefix of the longest). No process or port is left behind.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RaftKvCluster, type ServerStatus } from '../protocols/raft/impl/cluster.js'
import { connect, isListening, request } from '../runtime/tcp.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

test('3-node store: concurrent puts and gets survive a leader crash and a partition', async () => {
  const cluster = await RaftKvCluster.start(3)
  const deadline = Date.now() + 50_000
  const acknowledged: string[] = []
  let writes = 0
  /** `clients` clients, each putting `count` keys one after the other, reading each back. */
  const load = (phase: string, clients: number, count: number) =>
    Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let k = 0; k < count; k++) {
          const id = `${phase}-${c}-${k}`
          writes++
          if (await cluster.put(id, `key${c}`, id, deadline)) {
            acknowledged.push(id)
            const value = await cluster.get(`key${c}`, deadline)
            // Only this client writes key<c>, and its put committed: a leader that has committed an
            // entry of its own term has applied it (undefined: no answer before the deadline).
            assert.ok(value === undefined || value === id, `get key${c} = ${value} after put ${id}`)
          }
        }
      }),
    )
  try {
    const first = await until('a leader', deadline, () => cluster.leader())
    await load('calm', 3, 5)

    // Crash the leader in the middle of a load, then bring it back from its storage.
    const loading = load('crash', 3, 5)
    await sleep(100)
    await cluster.kill(first)
    await until('a new leader', deadline, async () => {
      const l = await cluster.leader()
      return l !== undefined && l !== first ? l : undefined
    })
    await loading
    await cluster.restart(first)

    // Cut one follower off, write through the majority, heal.
    const leader = await until('a leader', deadline, () => cluster.leader())
    const isolated = (leader + 1) % 3
    await cluster.partition(isolated)
    await load('partition', 2, 5)
    await cluster.heal()
    await load('healed', 2, 3)

    assert.ok(acknowledged.length >= writes / 2, `only ${acknowledged.length} of ${writes} puts acknowledged`)

    // Let every server catch up, then check the logs.
    const statuses = await until('all servers to hold every acknowledged put', deadline, async () => {
      const all = await Promise.all([0, 1, 2].map((id) => cluster.status(id)))
      if (all.some((s) => s === undefined)) return undefined
      const committedEverywhere = acknowledged.every((id) => all.every((s) => s!.committed.includes(id)))
      return committedEverywhere ? (all as ServerStatus[]) : undefined
    }).catch(async () => (await Promise.all([0, 1, 2].map((id) => cluster.status(id)))).filter((s): s is ServerStatus => s !== undefined))

    for (const id of acknowledged) {
      const holders = statuses.filter((s) => s.committed.includes(id)).length
      assert.ok(holders * 2 > 3, `acknowledged put ${id} is committed on ${holders} of 3 servers`)
    }
    const longest = statuses.reduce((a, b) => (a.committed.length >= b.committed.length ? a : b)).committed
    for (const s of statuses) assert.equal(s.committed, longest.slice(0, s.committed.length), `server${s.id + 1}'s committed log is not a prefix of the longest`)
  } finally {
    await cluster.stop()
  }
  for (const port of cluster.ports) assert.not.ok(await isListening(port), `port ${port} still listening`)
  for (const p of cluster.processes.nodes) assert.not.ok(p.running, `${p.name} still running`)
})

test('malformed frames are answered or dropped, and every server keeps serving', async () => {
  const cluster = await RaftKvCluster.start(3)
  try {
    const bad = [
      null,
      42,
      { kind: 'partition', blocked: 5 },
      { kind: 'partition', blocked: [7] },
      { kind: 'raft', message: null },
      { kind: 'raft', message: { type: 'AppendEntriesRequest', term: 1, prevLogIndex: 0, prevLogTerm: 0, commitIndex: 0, entries: [null], from: 1, to: 0 } },
      { kind: 'raft', message: { type: 'RequestVoteRequest', term: -1, lastLogTerm: 0, lastLogIndex: 0, from: 9, to: 0 } },
      { kind: 'put', id: 1 },
      { kind: 'nonsense' },
    ]
    for (const port of cluster.ports) {
      const connection = await connect(port)
      for (const frame of bad) connection.send(frame)
      connection.close()
      assert.equal(await request(port, { kind: 'put', id: 7 }), { ok: false, error: 'malformed request' })
    }
    const deadline = Date.now() + 30_000
    assert.ok(await cluster.put('after-junk', 'k', 'v', deadline), 'the cluster still commits writes')
    for (let id = 0; id < 3; id++) assert.ok(await cluster.status(id), `server ${id} still answers`)
  } finally {
    await cluster.stop()
  }
})

test.run()
