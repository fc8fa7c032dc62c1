// One nemesis run: a 3-node RaftKvCluster, concurrent clients recording a history while the
// fault schedule plays, then everything undone, and two verdicts: is the history linearizable
// (model kv), and is every acknowledged write committed at the end?

import { RaftKvCluster } from '../protocols/raft/impl/cluster.js'
import { checkLinearizable, type LinearizabilityReport } from '../linearizability/check.js'
import type { HistoryEvent } from '../linearizability/history.js'
import { HistoryRecorder, KvClient, runClients } from './client.js'
import { describeFault, faultSchedule, random, type Fault, type ScheduleName, type ScheduledFault, type Target } from './schedule.js'

const SERVERS = 3
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface RunOptions {
  readonly seed: number
  readonly run: number
  readonly schedule: ScheduleName
  readonly noReadIndex: boolean
  /** Ms of client load. */
  readonly durationMs: number
}

export interface RunResult {
  readonly run: number
  readonly faults: string[]
  readonly history: HistoryEvent[]
  readonly operations: number
  readonly linearizable: LinearizabilityReport['result']
  readonly report: LinearizabilityReport
  /** Acknowledged writes not committed on the leader at the end. */
  readonly lostWrites: string[]
  readonly ok: boolean
  readonly seconds: number
}

export async function nemesisRun(options: RunOptions): Promise<RunResult> {
  const began = Date.now()
  const next = random(options.seed, options.run)
  const schedule = faultSchedule(options.schedule, options.durationMs, next)
  const cluster = await RaftKvCluster.start(SERVERS, { noReadIndex: options.noReadIndex })
  const history = new HistoryRecorder()
  const faults: string[] = []
  try {
    await until(5000, () => cluster.leader())
    const start = Date.now()
    const clients = runClients(cluster.ports, { clients: 4, keys: ['k0', 'k1', 'k2'], writeShare: 0.5 }, history, start + options.durationMs, next)
    const nemesis = (async () => {
      for (const step of schedule) {
        await sleep(Math.max(0, start + step.at - Date.now()))
        faults.push(await play(cluster, step, history, next))
      }
    })()
    const [acknowledged] = await Promise.all([clients, nemesis])
    const lostWrites = await missingAtEnd(cluster, [...acknowledged.keys()])
    const report = checkLinearizable(history.events, { model: 'kv', timeLimitSeconds: 30 })
    return {
      run: options.run,
      faults,
      history: history.events,
      operations: report.operations,
      linearizable: report.result,
      report,
      lostWrites,
      ok: report.result === 'linearizable' && lostWrites.length === 0,
      seconds: (Date.now() - began) / 1000,
    }
  } finally {
    for (let id = 0; id < SERVERS; id++) cluster.resume(id)
    await cluster.stop()
  }
}

/** Inflict one fault, wait while it lasts, undo it; returns what was done. */
async function play(cluster: RaftKvCluster, step: ScheduledFault, history: HistoryRecorder, next: () => number): Promise<string> {
  const fault = step.fault
  if (fault.kind === 'stale-read-probe') return staleReadProbe(cluster, history)
  const target = await pick(cluster, fault.target, next)
  const label = `${describeFault(fault)} (server${target + 1}) at ${step.at} ms for ${step.lasts} ms`
  switch (fault.kind) {
    case 'kill':
      await cluster.kill(target)
      await sleep(step.lasts)
      await cluster.restart(target)
      break
    case 'partition':
      await cluster.partition(target).catch(() => undefined)
      await sleep(step.lasts)
      await cluster.heal().catch(() => undefined)
      break
    case 'pause':
      cluster.pause(target)
      await sleep(step.lasts)
      cluster.resume(target)
      break
  }
  return label
}

async function pick(cluster: RaftKvCluster, target: Target, next: () => number): Promise<number> {
  const any = Math.floor(next() * SERVERS)
  if (target === 'any') return any
  const leader = (await cluster.leader()) ?? any
  if (target === 'leader') return leader
  return (leader + 1 + Math.floor(next() * (SERVERS - 1))) % SERVERS
}

/** Partition the leader, write through the leader the others elect, then read from the old
 * one: with read-index it cannot confirm its leadership and refuses (the read fails); without
 * it answers from its own, now stale, state. Its operations are process "probe". */
async function staleReadProbe(cluster: RaftKvCluster, history: HistoryRecorder): Promise<string> {
  const client = new KvClient(cluster.ports)
  const process = 'probe'
  const write = async (value: string) => {
    history.record({ process, type: 'invoke', f: 'write', key: 'probe', value })
    const ok = await client.put(value, 'probe', value, Date.now() + 3000)
    history.record({ process, type: ok ? 'ok' : 'info', f: 'write', key: 'probe', value })
    return ok
  }
  const old = await until(3000, () => cluster.leader())
  if (old === undefined || !(await write('before'))) return 'stale-read probe: no leader to start from'
  // Until the old leader has applied the first write, a read from it proves nothing.
  await sleep(100)
  await cluster.partition(old)
  const successor = await until(3000, async () => {
    const l = await cluster.leader()
    const status = l === undefined ? undefined : await cluster.status(l)
    return l !== undefined && l !== old && status ? l : undefined
  })
  const wrote = successor !== undefined && (await write('after'))
  history.record({ process: `${process}-old-leader`, type: 'invoke', f: 'read', key: 'probe', value: null })
  const value = await client.getFrom(old, 'probe', 1500)
  if (value === undefined) history.record({ process: `${process}-old-leader`, type: 'fail', f: 'read', key: 'probe', value: null })
  else history.record({ process: `${process}-old-leader`, type: 'ok', f: 'read', key: 'probe', value })
  await cluster.heal()
  return `stale-read probe: partitioned server${old + 1}, ${wrote ? `wrote through server${successor! + 1}` : 'no new leader'}, read from server${old + 1}: ${value === undefined ? 'refused' : JSON.stringify(value)}`
}

/** Acknowledged writes the leader has not committed, once the cluster is whole again (waits
 * up to 5 s for them to show up). */
async function missingAtEnd(cluster: RaftKvCluster, acknowledged: string[]): Promise<string[]> {
  let missing = acknowledged
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    const leader = await cluster.leader()
    const status = leader === undefined ? undefined : await cluster.status(leader)
    if (status) {
      const committed = new Set(status.committed)
      missing = acknowledged.filter((id) => !committed.has(id))
      if (missing.length === 0) return []
    }
    await sleep(100)
  }
  return missing
}

async function until<T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await sleep(50)
  }
  return undefined
}
