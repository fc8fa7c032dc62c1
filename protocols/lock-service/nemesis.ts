// `protocheck nemesis lock-service`: the lock server and the storage it protects as processes
// (impl/*-node.ts, state on disk), 4 clients (impl/client-runtime.ts) that take the lock, write
// to storage with their lease's fencing token and release it, or read storage while the lock
// is busy. Faults: kill -9 and restart of the lock server or of storage, pause of either
// (SIGSTOP), a GC pause of the client holding the lock between its lease check and its write,
// and clock skew: the lock server's clock running 4 times fast (leases lapse early on the
// server) or a client's running at a quarter speed (it believes in its lease too long).
// Checked: storage never accepted a stale token, by its own log (tokens never go down, each
// token written by one client) and by the clients' view (no write accepted with a token below
// that of a write acknowledged before it began), and the history of storage writes and reads
// is linearizable (model kv, one key). The paused-holder probe plays Kleppmann's scenario on
// purpose: a fifth client takes the lock, checks its lease and stalls for three leases; a
// sixth takes the lock after it and writes; then the stalled write reaches storage.

import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { clientLoops, sleep, type HistoryRecorder, type Outcome } from '../../nemesis/client.js'
import { inflictOnProcess, resumeAll, startInScratchFolder, undoOnProcess } from '../../nemesis/processes.js'
import type { NemesisCluster, NemesisSystem } from '../../nemesis/system.js'
import { ProcessCluster } from '../../runtime/launcher.js'
import { request } from '../../runtime/tcp.js'
import { fileURLToPath } from 'node:url'
import { LockClient } from './impl/client-runtime.js'
import type { LockServiceBug } from './impl/messages.js'

const CLIENTS = 4
const TICK_MS = 10
/** 200 ms: shorter than every pause, so a paused holder's write lands after its lease. */
const LEASE_TICKS = 20
const DRIFT_TICKS = 2
const REQUEST_MS = 400
const KEY = 'storage'
/** Writes a client makes under one lease before releasing it, with a pause to think before
 * each but the first, so that its writes spread over its lease. */
const WRITES_PER_LEASE = 3
const THINK_MS = [10, 50] as const

const LOCK_SERVER = 0
const STORAGE = 1
const script = (name: string) => fileURLToPath(new URL(`./impl/${name}.js`, import.meta.url))

interface AcknowledgedWrite {
  readonly client: number
  readonly token: number
  readonly value: string
  readonly invoked: number
  readonly completed: number
}

export default {
  summary: 'lock server, storage and 4 clients writing with fencing tokens; storage never accepts a stale token, its history linearizable',
  model: 'kv',
  faults: [
    { kind: 'kill', target: 'lock-server' },
    { kind: 'kill', target: 'storage' },
    { kind: 'pause', target: 'lock-server' },
    { kind: 'pause', target: 'storage' },
    { kind: 'pause', target: 'holder' },
    { kind: 'skew', target: 'lock-server' },
    { kind: 'skew', target: 'holder' },
  ],
  probes: ['paused-holder'],
  bugs: ['no-fencing', 'unbounded-drift', 'release-without-bump'],
  start: (options) =>
    startInScratchFolder('lock-service', async (dir) => {
      const bugArgs = options.bug ? ['--bug', options.bug] : []
      const processes = await ProcessCluster.launch([
        { name: 'lock-server', script: script('lock-server-node'), args: ['--lease', String(LEASE_TICKS), '--tick-ms', String(TICK_MS), '--state', join(dir, 'lock-server.json'), ...bugArgs] },
        { name: 'storage', script: script('storage-node'), args: ['--state', join(dir, 'storage.json'), ...bugArgs] },
      ])
      return new LockServiceTarget(processes, dir, options.bug as LockServiceBug)
    }),
} satisfies NemesisSystem

class LockServiceTarget implements NemesisCluster {
  readonly nodeNames = ['lock-server', 'storage', ...Array.from({ length: CLIENTS }, (_, c) => `client${c + 1}`)]
  private readonly clients: (LockClient | undefined)[] = Array.from({ length: CLIENTS }, () => undefined)
  private readonly clockRates: number[] = Array.from({ length: CLIENTS }, () => 1)
  private readonly paused = new Set<number>()
  private readonly acknowledged: AcknowledgedWrite[] = []

  constructor(private readonly processes: ProcessCluster, private readonly dir: string, private readonly bug: LockServiceBug) {}

  async ready() {
    return true
  }

  async resolve(target: string, next: () => number) {
    if (target === 'lock-server') return LOCK_SERVER
    if (target === 'storage') return STORAGE
    const holder = this.clients.findIndex((c) => c?.believesItHolds)
    return 2 + (holder >= 0 ? holder : Math.floor(next() * CLIENTS))
  }

  async inflict(kind: string, node: number) {
    const client = node - 2
    if (kind === 'skew' && node === LOCK_SERVER) await request(this.processes.ports[LOCK_SERVER], { type: 'Clock', rate: 4 }, 1000).catch(() => undefined)
    else if (kind === 'skew') this.setClockRate(client, 0.25)
    else if (kind === 'pause' && client >= 0) this.paused.add(client)
    else await inflictOnProcess(this.processes, kind as 'kill' | 'pause', node)
  }

  async undo(kind: string, node: number) {
    const client = node - 2
    if (kind === 'skew' && node === LOCK_SERVER) await request(this.processes.ports[LOCK_SERVER], { type: 'Clock', rate: 1 }, 1000).catch(() => undefined)
    else if (kind === 'skew') this.setClockRate(client, 1)
    else if (kind === 'pause' && client >= 0) this.paused.delete(client)
    else await undoOnProcess(this.processes, kind as 'kill' | 'pause', node)
  }

  private setClockRate(client: number, rate: number) {
    this.clockRates[client] = rate
    this.clients[client]?.setClockRate(rate)
  }

  /** The client's runtime, started afresh after an indeterminate write (its core waits for
   * that write's answer forever) or when its servers could not be reached. */
  private async client(c: number): Promise<LockClient | undefined> {
    if (this.clients[c]) return this.clients[c]
    const [lockServerPort, storagePort] = this.processes.ports
    try {
      const client = await LockClient.start({ id: c, lockServerPort, storagePort, tickMs: TICK_MS, drift: DRIFT_TICKS, bug: this.bug, timeoutMs: REQUEST_MS })
      client.setClockRate(this.clockRates[c])
      return (this.clients[c] = client)
    } catch {
      return undefined // a server is down: try again on the next operation
    }
  }

  private drop(c: number) {
    this.clients[c]?.stop()
    this.clients[c] = undefined
  }

  async runClients(history: HistoryRecorder, deadline: number, next: () => number) {
    const writes = Array.from({ length: CLIENTS }, () => 0)
    await clientLoops(CLIENTS, deadline, async (c, process, n) => {
      const client = await this.client(c)
      if (!client) {
        await sleep(50)
        return { status: 'fail' }
      }
      if (!client.believesItHolds) {
        writes[c] = 0
        const granted = await client.acquire().catch(() => false)
        if (!granted) {
          await sleep(10 + Math.floor(next() * 30))
          return this.read(history, process, client)
        }
      }
      // A client about to be paused writes on instead of releasing, so that the pause falls
      // between a lease check and its write, where fencing matters.
      if (writes[c]++ >= WRITES_PER_LEASE && !this.paused.has(c)) {
        await client.release().catch(() => this.drop(c))
        return this.read(history, process, client)
      }
      if (writes[c] > 1) await sleep(THINK_MS[0] + Math.floor(next() * (THINK_MS[1] - THINK_MS[0])))
      const value = `c${c + 1}-${n}`
      return history.operation(process, 'write', KEY, value, async (): Promise<Outcome> => {
        const invoked = Date.now()
        let write
        try {
          write = client.checkLease()
        } catch {
          return { status: 'fail' } // the lease lapsed by the client's clock: nothing sent
        }
        // A GC pause between the lease check and the write reaching storage.
        while (this.paused.has(c)) await sleep(10)
        try {
          if (!(await client.send(write, value))) return { status: 'fail' }
          this.acknowledged.push({ client: c, token: write.token, value, invoked, completed: Date.now() })
          return { status: 'ok' }
        } catch {
          this.drop(c)
          return { status: 'info' }
        }
      })
    })
  }

  async probe(_name: string, history: HistoryRecorder) {
    const [lockServerPort, storagePort] = this.processes.ports
    // Clients of its own, beside the 4 of the workload.
    const [stalled, next] = await Promise.all([CLIENTS, CLIENTS + 1].map((id) => LockClient.start({ id, lockServerPort, storagePort, tickMs: TICK_MS, drift: DRIFT_TICKS, bug: this.bug, timeoutMs: REQUEST_MS })))
    const write = (client: LockClient, id: number, value: string, stall: () => Promise<unknown>) =>
      history.operation(`probe-${value}`, 'write', KEY, value, async (): Promise<Outcome> => {
        const invoked = Date.now()
        const request = client.checkLease()
        await stall()
        try {
          if (!(await client.send(request, value))) return { status: 'fail' }
          this.acknowledged.push({ client: id, token: request.token, value, invoked, completed: Date.now() })
          return { status: 'ok' }
        } catch {
          return { status: 'info' }
        }
      })
    const acquire = async (client: LockClient) => {
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(10)) if (await client.acquire().catch(() => false)) return true
      return false
    }
    try {
      if (!(await acquire(stalled))) return 'the lock was never granted'
      const token = stalled.token
      let newer = 'no other client got the lock'
      const late = await write(stalled, CLIENTS, 'stalled', async () => {
        await sleep(LEASE_TICKS * TICK_MS)
        if (!(await acquire(next))) return
        const ok = (await write(next, CLIENTS + 1, 'newer', async () => undefined)).status === 'ok'
        newer = `client${CLIENTS + 2} took the lock (token ${next.token})${ok ? ' and wrote' : ', its write refused'}`
      })
      const verdict = late.status === 'ok' ? 'accepted' : late.status === 'fail' ? 'refused' : 'did not answer'
      return `client${CLIENTS + 1} checked its lease (token ${token}) and stalled; ${newer}; storage ${verdict} the stalled write`
    } finally {
      stalled.stop()
      next.stop()
    }
  }

  private read(history: HistoryRecorder, process: number, client: LockClient) {
    return history.operation(process, 'read', KEY, null, async (): Promise<Outcome> => {
      try {
        return { status: 'ok', value: await client.read() }
      } catch {
        return { status: 'fail' }
      }
    })
  }

  async finalCheck() {
    const problems: string[] = []
    // The clients' view: a write acknowledged under token t, then (strictly later) one accepted under a lower token.
    for (const a of this.acknowledged) {
      const stale = this.acknowledged.find((b) => a.completed < b.invoked && b.token < a.token)
      if (stale) {
        problems.push(`storage accepted client${stale.client + 1}'s write ${stale.value} with token ${stale.token} after acknowledging client${a.client + 1}'s ${a.value} with token ${a.token}`)
        break
      }
    }
    // Storage's own log.
    try {
      const { accepted } = (await request(this.processes.ports[STORAGE], { type: 'Inspect' }, 2000)) as { accepted: { client: number; token: number; value: string | null }[] }
      const writerOf = new Map<number, number>()
      accepted.forEach((w, i) => {
        const before = accepted[i - 1]
        if (before && w.token < before.token) problems.push(`storage's log: token ${w.token} (client${w.client + 1}, ${w.value}) accepted after token ${before.token}`)
        const writer = writerOf.get(w.token)
        if (writer !== undefined && writer !== w.client) problems.push(`storage's log: token ${w.token} used by client${writer + 1} and client${w.client + 1}`)
        writerOf.set(w.token, w.client)
      })
    } catch (e) {
      problems.push(`storage could not be inspected: ${(e as Error).message}`)
    }
    return [...new Set(problems)]
  }

  async stop() {
    for (let c = 0; c < CLIENTS; c++) this.drop(c)
    resumeAll(this.processes)
    await this.processes.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
