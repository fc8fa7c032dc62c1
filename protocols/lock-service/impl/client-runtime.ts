// A lock-service client running its core against the real lock server and storage over TCP.
// Its clock is its own timer; `checkLease()` and `send()` split a write in two so that a
// caller can put a pause (a GC pause, a slow network) between the lease check and the write
// reaching storage, which is exactly where fencing matters. A connection that closes (its
// server was killed) or times out is opened again on the next request; setClockRate skews
// the client's clock (a rate below 1 runs slow: the client believes in its lease too long).

import { connect, type Connection } from '../../../runtime/tcp.js'
import { isRefused, type Send } from '../../../conformance/transition.js'
import { believesItHolds, initialClient, stepClient, type ClientEvent, type ClientState } from './client.js'
import type { Address, ClientId, LockServiceBug, Message, ServerReply, WriteReply, WriteRequest } from './messages.js'

export interface ClientRuntimeOptions {
  readonly id: ClientId
  readonly lockServerPort: number
  readonly storagePort: number
  readonly tickMs: number
  readonly drift: number
  readonly bug?: LockServiceBug
  /** How long a request waits for its answer (default 2000 ms). */
  readonly timeoutMs?: number
}

export class LockClient {
  private state: ClientState
  private clock: NodeJS.Timeout | undefined

  private constructor(private readonly options: ClientRuntimeOptions, private lockServer: Connection, private storage: Connection) {
    this.state = initialClient(options.id)
    this.setClockRate(1)
  }

  /** The client's clock ticks `rate` times as fast as it should. */
  setClockRate(rate: number) {
    clearInterval(this.clock)
    this.clock = setInterval(() => this.step({ type: 'Tick' }), this.options.tickMs / rate)
  }

  static async start(options: ClientRuntimeOptions): Promise<LockClient> {
    const lockServer = await connect(options.lockServerPort)
    const storage = await connect(options.storagePort).catch((e) => {
      lockServer.close()
      throw e
    })
    return new LockClient(options, lockServer, storage)
  }

  get believesItHolds(): boolean {
    return believesItHolds(this.state)
  }

  get token(): number {
    return this.state.token
  }

  /** Ask for the lock; resolves with whether it was granted. */
  async acquire(): Promise<boolean> {
    const [request] = this.step({ type: 'WantLock' })
    const reply = (await this.ask('lockServer', request)) as ServerReply
    this.step({ type: 'Receive', message: reply })
    return reply.type === 'Granted'
  }

  async release(): Promise<void> {
    const [request] = this.step({ type: 'WantRelease' })
    this.step({ type: 'Receive', message: (await this.ask('lockServer', request)) as ServerReply })
  }

  /** The lease check: the write it returns carries this lease's sequencer. Throws if the client
   * does not believe it holds the lock. */
  checkLease(): WriteRequest {
    const [write] = this.step({ type: 'WantWrite' })
    return write.message as WriteRequest
  }

  /** Deliver a checked write to storage, with `value` as its content if given; resolves with
   * whether storage accepted it. */
  async send(write: WriteRequest, value?: string): Promise<boolean> {
    const message = value === undefined ? write : ({ ...write, value } as WriteRequest)
    const reply = (await this.ask('storage', { to: 'storage', message })) as WriteReply
    this.step({ type: 'Receive', message: reply })
    return reply.accepted
  }

  /** The value storage holds (its last accepted write's), outside the lock protocol. */
  async read(): Promise<string | null> {
    const reply = (await this.ask('storage', { to: 'storage', message: { type: 'Read' } as unknown as Message })) as { value?: string | null }
    return reply.value ?? null
  }

  stop() {
    clearInterval(this.clock)
    this.lockServer.close()
    this.storage.close()
  }

  private step(event: ClientEvent): readonly Send<Address, Message>[] {
    const t = stepClient({ drift: this.options.drift, bug: this.options.bug }, this.state, event)
    if (isRefused(t)) throw new Error(t.refused)
    this.state = t.state
    return t.effects
  }

  /** Send on a connection (opened again if it closed) and wait for its next message (one
   * request at a time per connection). A request that times out closes the connection, so
   * that its late answer is never taken for the next request's. */
  private async ask(which: 'lockServer' | 'storage', send: Send<Address, Message>): Promise<unknown> {
    const timeoutMs = this.options.timeoutMs ?? 2000
    if (this[which].closed) this[which] = await connect(which === 'storage' ? this.options.storagePort : this.options.lockServerPort, timeoutMs)
    const connection = this[which]
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        connection.close()
        reject(new Error(`no answer to ${send.message.type} within ${timeoutMs} ms`))
      }, timeoutMs)
      connection.onMessage((reply) => {
        clearTimeout(timer)
        resolve(reply)
      })
      connection.onClose(() => {
        clearTimeout(timer)
        reject(new Error(`the connection for ${send.message.type} closed`))
      })
      if (!connection.send(send.message)) {
        clearTimeout(timer)
        reject(new Error(`the connection for ${send.message.type} is closed`))
      }
    })
  }
}
