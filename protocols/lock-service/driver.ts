// Replay/conformance driver for the lock service: an in-process lock server, storage and
// `clients` clients. Acquire and Release are request/reply exchanges that the model takes as
// one atomic step, so the driver runs the client's request, the server's handling and the
// client's handling of the reply for one action; a write is two steps, as in the model:
//
//   Tick                       every clock advances one tick (server's and clients')
//   ClockDrift(client, dir)    that client's clock gains or loses a tick
//   Acquire(client)            WantLock -> server Acquire -> client Granted (Busy: not enabled)
//   Release(client)            WantRelease -> server Release -> client Released
//   ExpireLease                the server's lease timer
//   SendWrite(client)          WantWrite: the lease check, the write goes into the network
//   StorageWrite(client)       storage receives that write, the client its answer
//
// The model's ghost variables (lease numbers, and which lease each write and each accepted
// write came from) are kept here, by watching the grants go by: the nodes know nothing of them.
// With a finite workload (param acquires > 0) the driver also plays the workload and the clock
// as the model does: each client takes the lock at most `acquires` times (counted, the
// model's `acquired`), and time passes only while the server's lease runs.

import { NIL } from '../../checker/schema.js'
import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused, type Taken, type Transition } from '../../conformance/transition.js'
import { initialClient, stepClient, type ClientEvent, type ClientState } from './impl/client.js'
import { initialLockServer, stepLockServer, type LockServerEvent, type LockServerState } from './impl/lock-server.js'
import type { Address, ClientId, LockServiceBug, Message, WriteRequest } from './impl/messages.js'
import { initialStorage, stepStorage, type StorageState } from './impl/storage.js'

/** The node reducers; replaceable so that tests can build a mutant. */
export interface LockServiceCores {
  readonly stepLockServer: typeof stepLockServer
  readonly stepClient: typeof stepClient
  readonly stepStorage: typeof stepStorage
}

interface InFlight {
  readonly write: WriteRequest
  /** Ghost: the lease the write was made under. */
  readonly lease: number
}

class LockServiceCluster implements Driver {
  private server: LockServerState = initialLockServer
  private storage: StorageState = initialStorage
  private readonly clients: ClientState[]
  private readonly inflight: (InFlight | undefined)[]
  // Ghosts, as the model names them.
  private leases = 0
  private readonly clientLease: number[]
  private newestLease = 0
  private lastLease = 0
  /** acquired[c]: how many times client c has taken the lock (kept with a finite workload). */
  private readonly acquired: number[]
  private readonly acquires: number

  constructor(
    private readonly params: Readonly<Record<string, number>>,
    private readonly bug: LockServiceBug,
    private readonly cores: LockServiceCores,
  ) {
    this.clients = Array.from({ length: params.clients }, (_, c) => initialClient(c))
    this.inflight = this.clients.map(() => undefined)
    this.clientLease = this.clients.map(() => 0)
    this.acquired = this.clients.map(() => 0)
    this.acquires = params.acquires ?? 0
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    switch (action) {
      case 'Tick':
        if (this.acquires > 0 && !(this.server.held && this.server.now < this.server.expires)) {
          throw new NotEnabledError('with a finite workload, time passes only while a lease runs')
        }
        this.toServer({ type: 'Tick' })
        for (const c of this.clients.keys()) this.toClient(c, { type: 'Tick' })
        return
      case 'ClockDrift': {
        const dir = picks.dir
        if (dir !== 'ahead' && dir !== 'behind') throw new NotEnabledError(`pick dir=${JSON.stringify(dir)} is neither ahead nor behind`)
        // Bounded drift is an assumption about the environment, which this driver plays: a
        // clock never strays more than `drift` ticks from the server's.
        const c = this.client(picks)
        const skew = this.skewOf(c) + (dir === 'ahead' ? 1 : -1)
        if (Math.abs(skew) > this.params.drift) throw new NotEnabledError(`client${c + 1}'s clock would be ${skew} ticks off, past drift=${this.params.drift}`)
        this.toClient(c, { type: 'Drift', dir })
        return
      }
      case 'Acquire': {
        const c = this.client(picks)
        if (this.acquires > 0 && this.acquired[c] >= this.acquires) throw new NotEnabledError(`client${c + 1} has taken the lock its ${this.acquires} times`)
        const reply = this.exchange(c, { type: 'WantLock' })
        if (reply.type !== 'Granted') throw new NotEnabledError(`the lock server answered client${c + 1} ${reply.type}`)
        if (this.acquires > 0) this.acquired[c]++
        this.leases++
        this.clientLease[c] = this.leases
        return
      }
      case 'Release': {
        const c = this.client(picks)
        this.exchange(c, { type: 'WantRelease' })
        this.clientLease[c] = 0
        return
      }
      case 'ExpireLease':
        this.toServer({ type: 'LeaseTimer' })
        return
      case 'SendWrite': {
        const c = this.client(picks)
        const [send] = this.toClient(c, { type: 'WantWrite' })
        this.inflight[c] = { write: send.message as WriteRequest, lease: this.clientLease[c] }
        return
      }
      case 'StorageWrite': {
        const c = this.client(picks)
        const flight = this.inflight[c]
        if (!flight) throw new NotEnabledError(`client${c + 1} has no write in flight`)
        this.inflight[c] = undefined
        const t = this.taken(this.cores.stepStorage({ bug: this.bug }, this.storage, { type: 'Receive', message: flight.write }))
        this.storage = t.state
        const answer = t.effects[0].message
        if (answer.type === 'WriteResult' && answer.accepted) {
          this.newestLease = Math.max(this.newestLease, flight.lease)
          this.lastLease = flight.lease
        }
        this.toClient(c, { type: 'Receive', message: answer as never })
        return
      }
      default:
        throw new NotEnabledError(`lock-service has no action ${action}`)
    }
  }

  async observe() {
    return {
      now: this.server.now,
      skew: this.clients.map((_, c) => this.skewOf(c)),
      // The server keeps client 0 as the holder of a free lock; the model says no one (Nil).
      lock: { held: this.server.held, holder: this.server.held ? this.server.holder : NIL, expires: this.server.expires, gen: this.server.gen },
      leases: this.leases,
      client: this.clients.map((c, i) => ({ pc: c.pc, token: c.token, lease: this.clientLease[i], expires: c.expires })),
      inflight: this.inflight.map((f) => (f ? { pending: true, token: f.write.token, lease: f.lease } : { pending: false, token: 0, lease: 0 })),
      storage: { maxToken: this.storage.maxToken, newestLease: this.newestLease, lastLease: this.lastLease, rejected: this.storage.rejectedAny },
      ...(this.acquires > 0 ? { acquired: [...this.acquired] } : {}),
    }
  }

  /** A client's request to the lock server and the server's answer back to the client. */
  /** How far client c's clock is from the server's, in ticks (the model's skew[c]). */
  private skewOf(c: ClientId): number {
    return this.clients[c].clock - this.server.now
  }

  private exchange(c: ClientId, event: ClientEvent) {
    const [request] = this.toClient(c, event)
    const t = this.taken(this.cores.stepLockServer({ lease: this.params.lease, bug: this.bug }, this.server, { type: 'Receive', message: request.message as never }))
    this.server = t.state
    const reply = t.effects[0].message
    this.toClient(c, { type: 'Receive', message: reply as never })
    return reply
  }

  private toServer(event: LockServerEvent) {
    this.server = this.taken(this.cores.stepLockServer({ lease: this.params.lease, bug: this.bug }, this.server, event)).state
  }

  private toClient(c: ClientId, event: ClientEvent) {
    const t = this.taken(this.cores.stepClient({ drift: this.params.drift, bug: this.bug }, this.clients[c], event))
    this.clients[c] = t.state
    return t.effects
  }

  /** A refusal is a step the implementation cannot take: a divergence, not a crash. */
  private taken<S>(t: Transition<S, Address, Message>): Taken<S, Address, Message> {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    return t
  }

  private client(picks: Readonly<Record<string, unknown>>): ClientId {
    const c = picks.client
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= this.clients.length) {
      throw new NotEnabledError(`pick client=${JSON.stringify(c)} is not a client of ${this.clients.length}`)
    }
    return c
  }
}

export function lockServiceDriverOf(cores: LockServiceCores): DriverFactory {
  return {
    model: 'lock-service',
    start: async (params, bug) => new LockServiceCluster(params, bug as LockServiceBug, cores),
  }
}

export const lockServiceDriver = lockServiceDriverOf({ stepLockServer, stepClient, stepStorage })

export default lockServiceDriver
