// A lock-service client running its core against the real lock server and storage over TCP.
// Its clock is its own timer; `checkLease()` and `send()` split a write in two so that a
// caller can put a pause (a GC pause, a slow network) between the lease check and the write
// reaching storage, which is exactly where fencing matters.

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
}

export class LockClient {
  private state: ClientState
  private readonly clock: NodeJS.Timeout

  private constructor(private readonly options: ClientRuntimeOptions, private readonly lockServer: Connection, private readonly storage: Connection) {
    this.state = initialClient(options.id)
    this.clock = setInterval(() => this.step({ type: 'Tick' }), options.tickMs)
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
    const reply = (await this.ask(this.lockServer, request)) as ServerReply
    this.step({ type: 'Receive', message: reply })
    return reply.type === 'Granted'
  }

  async release(): Promise<void> {
    const [request] = this.step({ type: 'WantRelease' })
    this.step({ type: 'Receive', message: (await this.ask(this.lockServer, request)) as ServerReply })
  }

  /** The lease check: the write it returns carries this lease's sequencer. Throws if the client
   * does not believe it holds the lock. */
  checkLease(): WriteRequest {
    const [write] = this.step({ type: 'WantWrite' })
    return write.message as WriteRequest
  }

  /** Deliver a checked write to storage; resolves with whether storage accepted it. */
  async send(write: WriteRequest): Promise<boolean> {
    const reply = (await this.ask(this.storage, { to: 'storage', message: write })) as WriteReply
    this.step({ type: 'Receive', message: reply })
    return reply.accepted
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

  /** Send on a connection and wait for its next message (one request at a time per connection). */
  private ask(connection: Connection, send: Send<Address, Message>, timeoutMs = 2000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${send.message.type} within ${timeoutMs} ms`)), timeoutMs)
      connection.onMessage((reply) => {
        clearTimeout(timer)
        resolve(reply)
      })
      if (!connection.send(send.message)) {
        clearTimeout(timer)
        reject(new Error(`the connection for ${send.message.type} is closed`))
      }
    })
  }
}
