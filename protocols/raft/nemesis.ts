// `protocheck nemesis raft`: the Raft key-value store (impl/cluster.ts) as 3 server processes,
// 4 clients each bound to a home server writing and reading 3 shared keys (model kv), faults:
// kill -9 and restart, partition of the leader or a follower, pause. Afterwards every
// acknowledged write must be committed on the leader. The stale-read probe partitions the
// leader, writes through the new one and reads from the old one.

import { clientLoops, sleep, until, type HistoryRecorder } from '../../nemesis/client.js'
import { inflictOnProcess, resumeAll, undoOnProcess } from '../../nemesis/processes.js'
import type { NemesisCluster, NemesisSystem } from '../../nemesis/system.js'
import { leaderClusterFaults } from '../../nemesis/schedule.js'
import { RaftKvCluster } from './impl/cluster.js'
import { KvClient } from './impl/kv-client.js'

const SERVERS = 3
const CLIENTS = 4
const KEYS = ['k0', 'k1', 'k2']
/** How long a client waits for an answer before its operation is indeterminate. */
const OPERATION_MS = 1200

export default {
  summary: '3 servers, 4 clients writing and reading 3 shared keys; every acknowledged write committed at the end',
  model: 'kv',
  faults: leaderClusterFaults,
  probes: ['stale-read'],
  readIndex: true,
  start: async (options) => new RaftTarget(await RaftKvCluster.start(SERVERS, { noReadIndex: options.noReadIndex })),
} satisfies NemesisSystem

class RaftTarget implements NemesisCluster {
  readonly nodeNames = Array.from({ length: SERVERS }, (_, i) => `server${i + 1}`)
  private readonly acknowledged: string[] = []

  constructor(private readonly cluster: RaftKvCluster) {}

  async ready() {
    return (await until(5000, () => this.cluster.leader())) !== undefined
  }

  async resolve(target: string, next: () => number) {
    const any = Math.floor(next() * SERVERS)
    if (target === 'any') return any
    const leader = (await this.cluster.leader()) ?? any
    if (target === 'leader') return leader
    return (leader + 1 + Math.floor(next() * (SERVERS - 1))) % SERVERS
  }

  async inflict(kind: string, node: number) {
    if (kind === 'partition') await this.cluster.partition(node).catch(() => undefined)
    else await inflictOnProcess(this.cluster.processes, kind as 'kill' | 'pause', node)
  }

  async undo(kind: string, node: number) {
    // Every server must hear the heal (a loaded machine may drop a request's answer): one left
    // cut off would look like a server that lost acknowledged writes.
    if (kind === 'partition') {
      if (!(await until(5000, () => this.cluster.heal().then(() => true, () => undefined)))) throw new Error('the partition could not be healed: a server did not answer')
    } else await undoOnProcess(this.cluster.processes, kind as 'kill' | 'pause', node)
  }

  async runClients(history: HistoryRecorder, deadline: number, next: () => number) {
    const clients = Array.from({ length: CLIENTS }, (_, c) => new KvClient(this.cluster.ports, c))
    await clientLoops(CLIENTS, deadline, (c, process, n) => {
      const key = KEYS[Math.floor(next() * KEYS.length)]
      if (next() < 0.5) {
        const value = `p${process}-${n}`
        return history.operation(process, 'write', key, value, async () => {
          if (!(await clients[c].put(value, key, value, Date.now() + OPERATION_MS))) return { status: 'info' }
          this.acknowledged.push(value)
          return { status: 'ok' }
        })
      }
      return history.operation(process, 'read', key, null, async () => {
        const value = await clients[c].get(key, Date.now() + OPERATION_MS)
        return value === undefined ? { status: 'fail' } : { status: 'ok', value }
      })
    })
  }

  /** Partition the leader, write through the leader the others elect, then read from the old
   * one: with read-index it cannot confirm its leadership and refuses (the read fails);
   * without it answers from its own, now stale, state. Its operations are process "probe". */
  async probe(_name: string, history: HistoryRecorder) {
    const client = new KvClient(this.cluster.ports)
    const write = async (value: string) =>
      (await history.operation('probe', 'write', 'probe', value, async () => ({ status: (await client.put(value, 'probe', value, Date.now() + 3000)) ? 'ok' : 'info' }))).status === 'ok'
    const old = await until(3000, () => this.cluster.leader())
    if (old === undefined || !(await write('before'))) return 'no leader to start from'
    // Until the old leader has applied the first write, a read from it proves nothing.
    await sleep(100)
    await this.cluster.partition(old)
    const successor = await until(3000, async () => {
      const l = await this.cluster.leader()
      const status = l === undefined ? undefined : await this.cluster.status(l)
      return l !== undefined && l !== old && status ? l : undefined
    })
    const wrote = successor !== undefined && (await write('after'))
    const read = await history.operation('probe-old-leader', 'read', 'probe', null, async () => {
      const value = await client.getFrom(old, 'probe', 1500)
      return value === undefined ? { status: 'fail' } : { status: 'ok', value }
    })
    await this.cluster.heal()
    const answer = read.status === 'ok' ? JSON.stringify(read.value) : 'refused'
    return `partitioned server${old + 1}, ${wrote ? `wrote through server${successor! + 1}` : 'no new leader'}, read from server${old + 1}: ${answer}`
  }

  /** Acknowledged writes the leader has not committed, once the cluster is whole again
   * (waits up to 5 s for them to show up). */
  async finalCheck() {
    let missing = this.acknowledged
    const deadline = Date.now() + 5000
    while (Date.now() < deadline) {
      const leader = await this.cluster.leader()
      const status = leader === undefined ? undefined : await this.cluster.status(leader)
      if (status) {
        const committed = new Set(status.committed)
        missing = this.acknowledged.filter((id) => !committed.has(id))
        if (missing.length === 0) return []
      }
      await sleep(100)
    }
    return [`${missing.length} acknowledged writes lost: ${missing.join(', ')}`]
  }

  async stop() {
    resumeAll(this.cluster.processes)
    await this.cluster.stop()
  }
}
