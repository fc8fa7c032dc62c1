// Starting, crashing, restarting and stopping node processes on 127.0.0.1 (the parent's side
// of node-process.ts). Fault injection is process-level: `kill` is a crash (SIGKILL, no
// cleanup: whatever the node did not persist is lost), `restart` brings it back on the same
// port. `stop` is the clean shutdown (SIGTERM, then SIGKILL if it hangs) and leaves no
// process and no listening port behind.

import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { EXIT_WITH_PARENT, LISTENING_PREFIX } from './node-process.js'
import { LOOPBACK } from './tcp.js'

export interface NodeSpec {
  /** Absolute path of the compiled module the node process runs. */
  readonly script: string
  /** Arguments before the `--port P` that the launcher appends. */
  readonly args?: readonly string[]
  /** Port to bind; 0 (the default) lets the OS choose, and restarts reuse what it chose. */
  readonly port?: number
  /** How long the node may take to announce that it listens. */
  readonly startTimeoutMs?: number
  /** Receives the node's log lines (stdout after the announcement, and stderr). */
  readonly onLog?: (line: string) => void
  /** Called whenever the process ends (crash, kill, stop), with its exit code or signal. */
  readonly onExit?: (code: number | null, signal: NodeJS.Signals | null) => void
}

const STOP_GRACE_MS = 3000
const STDERR_KEPT_LINES = 20

export class NodeProcess {
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private boundPort: number
  private recentStderr: string[] = []

  constructor(readonly name: string, private readonly spec: NodeSpec) {
    this.boundPort = spec.port ?? 0
  }

  /** The port the node listens on (0 before its first start when the OS chooses). */
  get port(): number {
    return this.boundPort
  }

  get running(): boolean {
    return this.child !== undefined
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Spawn the node and wait until it listens; resolves with its port. */
  start(): Promise<number> {
    if (this.child) return Promise.reject(new Error(`${this.name} is already running`))
    const child = spawn(process.execPath, [this.spec.script, ...(this.spec.args ?? []), '--port', String(this.boundPort)], {
      // A pipe on stdin that is never written: its end tells the node that this process died,
      // even by SIGKILL, and the node then shuts down (onShutdown) instead of running on.
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, [EXIT_WITH_PARENT]: '1' },
    })
    this.child = child
    this.recentStderr = []
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined
      this.spec.onExit?.(code, signal)
    })
    lines(child.stderr!, (line) => {
      this.recentStderr = [...this.recentStderr.slice(-(STDERR_KEPT_LINES - 1)), line]
      this.spec.onLog?.(line)
    })
    return new Promise((resolve, reject) => {
      let announced = false
      const fail = (why: string) => {
        if (announced) return
        announced = true
        clearTimeout(timer)
        child.kill('SIGKILL')
        const stderr = this.recentStderr.length ? `: ${this.recentStderr.join(' | ')}` : ''
        reject(new Error(`${this.name} ${why}${stderr}`))
      }
      const timeoutMs = this.spec.startTimeoutMs ?? 10_000
      const timer = setTimeout(() => fail(`did not announce a port within ${timeoutMs} ms`), timeoutMs)
      // stderr may still be arriving when the exit is seen; read it before failing.
      child.once('exit', (code, signal) => setImmediate(() => fail(`exited before listening (${signal ?? `code ${code}`})`)))
      lines(child.stdout!, (line) => {
        if (!announced && line.startsWith(LISTENING_PREFIX)) {
          announced = true
          clearTimeout(timer)
          this.boundPort = Number(line.slice(LISTENING_PREFIX.length))
          resolve(this.boundPort)
        } else {
          this.spec.onLog?.(line)
        }
      })
    })
  }

  /** Crash the node: SIGKILL, no cleanup. Resolves once the process is gone. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL')
    await this.exited
  }

  /** Start a crashed or stopped node again, on the port it had. */
  async restart(): Promise<number> {
    await this.kill()
    return this.start()
  }

  /** Clean shutdown: SIGTERM, and SIGKILL if it has not exited after a grace period. */
  async stop(): Promise<void> {
    const child = this.child
    if (!child) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    await this.exited
    clearTimeout(timer)
  }
}

/** A group of node processes started together and stopped together. */
export class ProcessCluster {
  private constructor(readonly nodes: readonly NodeProcess[]) {}

  /** Start every node (in parallel); if one fails, stop the others and reject. */
  static async launch(specs: readonly (NodeSpec & { name?: string })[]): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(specs.map((spec, i) => new NodeProcess(spec.name ?? `node${i + 1}`, spec)))
    const started = await Promise.allSettled(cluster.nodes.map((n) => n.start()))
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) {
      await cluster.stop()
      throw failed.reason
    }
    return cluster
  }

  get ports(): number[] {
    return this.nodes.map((n) => n.port)
  }

  kill(index: number): Promise<void> {
    return this.node(index).kill()
  }

  restart(index: number): Promise<number> {
    return this.node(index).restart()
  }

  /** Stop every node that is still running. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()))
  }

  private node(index: number): NodeProcess {
    const node = this.nodes[index]
    if (!node) throw new Error(`no node ${index} in a cluster of ${this.nodes.length}`)
    return node
  }
}

/** `count` distinct ports that were free a moment ago, for nodes that must know each other's
 * ports before any of them starts (a peer list). Another process could take one in between;
 * a node that then fails to bind makes `launch` fail loudly rather than silently misroute. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer()
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ port: 0, host: LOOPBACK, exclusive: true }, () => resolve())
      })
      servers.push(server)
    }
    return servers.map((s) => (s.address() as { port: number }).port)
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void) {
  let partial = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) onLine(line)
  })
  stream.on('end', () => {
    if (partial) onLine(partial)
    partial = ''
  })
}
