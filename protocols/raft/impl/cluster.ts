// The replicated key-value store as a cluster of server processes on 127.0.0.1 (server.ts),
// each with its own storage directory, and a client that finds the leader. Used by
// `protocheck serve raft` and by the fault test.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ProcessCluster, freePorts } from '../../../runtime/launcher.js'
import { request } from '../../../runtime/tcp.js'
import { mergeEventLogs, parseEventLog } from '../../../conformance/event-log.js'
import { raftLogHeader } from './event-log.js'

const SERVER_SCRIPT = fileURLToPath(new URL('./server-node.js', import.meta.url))

export interface ServerStatus {
  id: number
  role: string
  term: number
  commitIndex: number
  /** Command ids of the committed entries, in log order. */
  committed: string[]
  log: string[]
}

export interface RaftClusterOptions {
  /** First port (0: chosen free ports). */
  basePort?: number
  /** Storage directory (default: a temporary one, removed by stop). */
  dir?: string
  /** Build the servers with one of the raft model's bug switches. */
  bug?: string
  /** Every server logs its events (eventLogFile(i)), for `validate`; eventLog() merges them. */
  logEvents?: boolean
  /** Leaders answer reads from their own state, without a read-index round (stale reads). */
  noReadIndex?: boolean
}

export class RaftKvCluster {
  private constructor(
    readonly processes: ProcessCluster,
    readonly ports: number[],
    readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly options: RaftClusterOptions,
  ) {}

  /** Start `nodes` servers; ports from `basePort` up, or chosen free ports when it is 0. */
  static async start(nodes: number, basePortOrOptions: number | RaftClusterOptions = 0, dir?: string): Promise<RaftKvCluster> {
    const options = typeof basePortOrOptions === 'number' ? { basePort: basePortOrOptions, dir } : basePortOrOptions
    const basePort = options.basePort ?? 0
    const ports = basePort > 0 ? Array.from({ length: nodes }, (_, i) => basePort + i) : await freePorts(nodes)
    const storageDir = options.dir ?? mkdtempSync(join(tmpdir(), 'protocheck-raft-'))
    const processes = await ProcessCluster.launch(
      ports.map((port, id) => ({
        name: `server${id + 1}`,
        script: SERVER_SCRIPT,
        args: [
          '--id', String(id), '--peers', ports.join(','), '--dir', storageDir,
          ...(options.bug ? ['--bug', options.bug] : []),
          ...(options.logEvents ? ['--events', eventLogFile(storageDir, id)] : []),
          ...(options.noReadIndex ? ['--no-read-index'] : []),
        ],
        port,
      })),
    )
    return new RaftKvCluster(processes, ports, storageDir, options.dir === undefined, options)
  }

  /** The servers' event logs merged into one (header with params big enough for the run).
   * Read after stop(): logs read while the servers run can hold a receive whose send is
   * not written yet (the files are read one after the other). */
  eventLog(): string {
    if (this.mergedLog !== undefined) return this.mergedLog
    const parts = this.ports.map((_, id) => eventLogFile(this.dir, id)).map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : ''))
    const merged = mergeEventLogs({}, parts)
    const { events } = parseEventLog(merged)
    return mergeEventLogs(raftLogHeader(this.ports.length, events, this.options.bug), parts)
  }

  kill(id: number) {
    return this.processes.kill(id)
  }

  restart(id: number) {
    return this.processes.restart(id)
  }

  /** Freeze server `id` (SIGSTOP): alive, holding its sockets, answering nothing. */
  pause(id: number) {
    this.signal(id, 'SIGSTOP')
  }

  /** Thaw a paused server (SIGCONT). */
  resume(id: number) {
    this.signal(id, 'SIGCONT')
  }

  private signal(id: number, signal: NodeJS.Signals) {
    const pid = this.processes.nodes[id]?.pid
    if (pid === undefined) return
    try {
      process.kill(pid, signal)
    } catch {
      // already gone (killed by a fault): nothing to pause or resume
    }
  }

  /** Cut `id` off from every other server (each side drops the other's traffic). */
  async partition(id: number) {
    await Promise.all(this.ports.map((port, k) => request(port, { kind: 'partition', blocked: k === id ? this.others(id) : [id] })))
  }

  async heal() {
    await Promise.all(this.ports.map((port) => request(port, { kind: 'partition', blocked: [] })))
  }

  async status(id: number): Promise<ServerStatus | undefined> {
    try {
      return (await request(this.ports[id], { kind: 'status' }, 1000)) as ServerStatus
    } catch {
      return undefined
    }
  }

  async leader(): Promise<number | undefined> {
    const all = await Promise.all(this.ports.map((_, id) => this.status(id)))
    const leaders = all.filter((s): s is ServerStatus => s?.role === 'Leader').sort((a, b) => b.term - a.term)
    return leaders[0]?.id
  }

  /** Put through whichever server leads, retrying until `deadline` (ms since epoch). */
  async put(id: string, key: string, value: string, deadline: number): Promise<boolean> {
    return (await this.ask({ kind: 'put', id, key, value }, deadline)) !== undefined
  }

  async get(key: string, deadline: number): Promise<string | null | undefined> {
    const answer = await this.ask({ kind: 'get', key }, deadline)
    return answer === undefined ? undefined : ((answer as { value: string | null }).value ?? null)
  }

  async stop() {
    await this.processes.stop()
    if (this.options.logEvents && this.mergedLog === undefined) this.mergedLog = this.eventLog()
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true })
  }

  private mergedLog: string | undefined

  private others(id: number) {
    return this.ports.map((_, k) => k).filter((k) => k !== id)
  }

  private async ask(message: object, deadline: number): Promise<unknown> {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const port = this.ports[attempt % this.ports.length]
      try {
        const answer = (await request(port, message, 1500)) as { ok: boolean }
        if (answer.ok) return answer
      } catch {
        // down, partitioned away or slow: try the next server
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return undefined
  }
}

/** Where server `id` appends its events. */
export function eventLogFile(dir: string, id: number): string {
  return join(dir, `server${id + 1}.events.ndjson`)
}
