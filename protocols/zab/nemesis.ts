// `protocheck nemesis zab`: 3 Zab server processes (impl/server-node.ts) serving the ZooKeeper
// client API (impl/client-api.ts) over a key-value state machine, 4 clients each bound to a
// home server, writing 3 shared keys through the leader and reading them the way ZooKeeper
// makes a read linearizable: sync (a no-op committed through the leader), then read from the
// home server once it has delivered the sync. What is checked is what ZooKeeper promises:
// writes and sync-reads together are linearizable (model kv); plain reads are only
// sequentially consistent, so none is made. At the end every server must have delivered every
// acknowledged write, and the servers' delivered sequences must be prefixes of one another.
// Faults: kill -9 and restart, partition of the leader or a follower, pause.

import { rmSync } from 'node:fs'
import { clientLoops, sleep, until, type HistoryRecorder, type Outcome } from '../../nemesis/client.js'
import { inflictOnProcess, resumeAll, startInScratchFolder, undoOnProcess } from '../../nemesis/processes.js'
import type { NemesisCluster, NemesisSystem } from '../../nemesis/system.js'
import { leaderClusterFaults } from '../../nemesis/schedule.js'
import { freePorts, ProcessCluster } from '../../runtime/launcher.js'
import { request } from '../../runtime/tcp.js'
import type { LogEntry, Zxid } from './impl/messages.js'
import servable from './serve.js'

const SERVERS = 3
const CLIENTS = 4
const KEYS = ['k0', 'k1', 'k2']
/** How long a client tries before its operation is indeterminate (write) or failed (read). */
const OPERATION_MS = 1200
const ATTEMPT_MS = 400

interface Inspected {
  id: number
  role: string
  established: boolean
  delivered: LogEntry[]
}

type Answer = { ok: boolean; leader?: number | null; indeterminate?: boolean; zxid?: Zxid; value?: string | null }

export default {
  summary: '3 servers, 4 clients writing 3 shared keys through the leader and reading after sync; writes and sync-reads linearizable, every acknowledged write delivered by a quorum, delivered sequences agreeing',
  model: 'kv',
  faults: leaderClusterFaults,
  bugs: ['commit-on-minority', 'skip-sync', 'ack-before-log'],
  start: (options) =>
    startInScratchFolder('zab', async (dir) => {
      const ports = await freePorts(SERVERS)
      const processes = await ProcessCluster.launch(
        ports.map((port, i) => ({
          name: servable.nodeName(i),
          script: servable.script,
          port,
          args: [...servable.args(i, dir, ports), ...(options.bug ? ['--bug', options.bug] : [])],
        })),
      )
      return new ZabTarget(processes, dir)
    }),
} satisfies NemesisSystem

class ZabTarget implements NemesisCluster {
  readonly nodeNames = Array.from({ length: SERVERS }, (_, i) => servable.nodeName(i))
  private readonly acknowledged: string[] = []

  constructor(private readonly processes: ProcessCluster, private readonly dir: string) {}

  private get ports() {
    return this.processes.ports
  }

  private inspect(server: number): Promise<Inspected | undefined> {
    return request(this.ports[server], { type: 'Inspect' }, 1000).then((r) => r as Inspected, () => undefined)
  }

  private async leader(): Promise<number | undefined> {
    const all = await Promise.all(this.ports.map((_, i) => this.inspect(i)))
    return all.find((s) => s?.role === 'leading' && s.established)?.id
  }

  async ready() {
    return (await until(8000, () => this.leader())) !== undefined
  }

  async resolve(target: string, next: () => number) {
    const any = Math.floor(next() * SERVERS)
    if (target === 'any') return any
    const leader = (await this.leader()) ?? any
    if (target === 'leader') return leader
    return (leader + 1 + Math.floor(next() * (SERVERS - 1))) % SERVERS
  }

  async inflict(kind: string, node: number) {
    if (kind !== 'partition') return inflictOnProcess(this.processes, kind as 'kill' | 'pause', node)
    const others = this.ports.map((_, i) => i).filter((i) => i !== node)
    await Promise.all(this.ports.map((port, i) => request(port, { type: 'Partition', blocked: i === node ? others : [node] }, 1000).catch(() => undefined)))
  }

  async undo(kind: string, node: number) {
    if (kind !== 'partition') return undoOnProcess(this.processes, kind as 'kill' | 'pause', node)
    // Every server must hear the heal (a loaded machine may drop a request's answer): one left
    // cut off would look like a server that lost acknowledged writes.
    const healed = await until(5000, async () => {
      const answers = await Promise.all(this.ports.map((port) => request(port, { type: 'Partition', blocked: [] }, 1000).then(() => true, () => false)))
      return answers.every(Boolean) ? true : undefined
    })
    if (!healed) throw new Error('the partition could not be healed: a server did not answer')
  }

  /** Ask the leader (starting from `home`, following the leader named in a refusal). A
   * definite refusal until the deadline is undefined; a lost answer or a leader that stepped
   * down with the request in flight is 'unknown'. */
  private async throughLeader(home: number, message: object, deadline: number): Promise<Answer | 'unknown' | undefined> {
    let server = home
    let unknown = false
    while (Date.now() < deadline) {
      try {
        const answer = (await request(this.ports[server], message, Math.max(50, Math.min(ATTEMPT_MS, deadline - Date.now())))) as Answer
        if (answer.ok) return answer
        if (answer.indeterminate) unknown = true
        if (typeof answer.leader === 'number' && answer.leader !== server) {
          server = answer.leader
          continue
        }
      } catch {
        unknown = true // it may have arrived and be proposed
      }
      server = (server + 1) % SERVERS
      await sleep(20)
    }
    return unknown ? 'unknown' : undefined
  }

  async runClients(history: HistoryRecorder, deadline: number, next: () => number) {
    await clientLoops(CLIENTS, deadline, (c, process, n) => {
      const home = c % SERVERS
      const key = KEYS[Math.floor(next() * KEYS.length)]
      if (next() < 0.5) {
        const value = `p${process}-${n}`
        return history.operation(process, 'write', key, value, async (): Promise<Outcome> => {
          const answer = await this.throughLeader(home, { type: 'Write', key, value }, Date.now() + OPERATION_MS)
          if (answer === undefined) return { status: 'fail' }
          if (answer === 'unknown') return { status: 'info' }
          this.acknowledged.push(value)
          return { status: 'ok' }
        })
      }
      return history.operation(process, 'read', key, null, async (): Promise<Outcome> => {
        const began = Date.now()
        const synced = await this.throughLeader(home, { type: 'Sync' }, began + OPERATION_MS)
        if (synced === undefined || synced === 'unknown') return { status: 'fail' }
        try {
          const answer = (await request(this.ports[home], { type: 'Read', key, after: synced.zxid }, Math.max(50, began + OPERATION_MS - Date.now()))) as Answer
          return answer.ok ? { status: 'ok', value: answer.value ?? null } : { status: 'fail' }
        } catch {
          return { status: 'fail' }
        }
      })
    })
  }

  /** A server still behind once the wait is over, one line each (set by finalCheck). */
  notes: string[] = []

  /** Once whole again (waiting up to 8 s for servers to catch up): the delivered sequences
   * agree (each a prefix of the longest), and every acknowledged write is delivered by a
   * quorum, or it is lost. A write a quorum delivered but some server has not is that
   * server behind, a note rather than a failure: a follower restarted under the same leader
   * comes back in the leader's epoch, which the leader's invitation (the model's Join) does
   * not take in, so it waits for the next election. */
  async finalCheck() {
    let problems: string[] = []
    const deadline = Date.now() + 8000
    while (Date.now() < deadline) {
      const all = await Promise.all(this.ports.map((_, i) => this.inspect(i)))
      problems = []
      this.notes = []
      const deliveredBy = (v: string) => all.filter((s) => s?.delivered.some((z) => z.txn?.kind === 'write' && z.txn.value === v)).length
      const quorum = Math.floor(this.ports.length / 2) + 1
      const sequences = all.map((s) => s?.delivered.map((z) => `${z.epoch}.${z.counter}${z.txn?.kind === 'write' ? `:${z.txn.value}` : ''}`) ?? [])
      const longest = sequences.reduce((a, b) => (b.length > a.length ? b : a))
      sequences.forEach((seq, i) => {
        const at = seq.findIndex((z, k) => z !== longest[k])
        if (at >= 0) problems.push(`server${i + 1} delivered ${seq[at]} where another server delivered ${longest[at]} (position ${at + 1})`)
      })
      all.forEach((s, i) => {
        const values = new Set(s?.delivered.map((z) => (z.txn?.kind === 'write' ? z.txn.value : '')))
        const missing = this.acknowledged.filter((v) => !values.has(v))
        const lost = missing.filter((v) => deliveredBy(v) < quorum)
        const behind = missing.filter((v) => deliveredBy(v) >= quorum)
        if (lost.length) problems.push(`server${i + 1} has not delivered ${lost.length} acknowledged writes, which no quorum delivered: ${lost.slice(0, 5).join(', ')}${lost.length > 5 ? ', ...' : ''}`)
        if (behind.length) this.notes.push(`server${i + 1} is behind: ${behind.length} acknowledged writes a quorum delivered are not delivered there yet`)
      })
      if (problems.length === 0 && this.notes.length === 0) return []
      await sleep(200)
    }
    return problems
  }

  async stop() {
    resumeAll(this.processes)
    await this.processes.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
