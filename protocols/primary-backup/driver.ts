// Replay/conformance driver for primary-backup: an in-process cluster of the view service
// core (impl/viewservice.ts) and n server cores (impl/server.ts), a network that holds every
// message sent between servers until it is received (the model's msgs: unordered, a receive
// removes it), and the one sequential client. Each model action is one event on one node:
//
//   Ping(s)                 the view service takes s's ping, acknowledging pingView(s)
//   Suspect(s)              the view service gives up on s
//   Learn(s)                s takes the view service's current view (a ping's answer)
//   ReceiveTransfer(s),     s receives a Transfer, a TransferOk or a Forward addressed to it
//   ReceiveTransferOk(s),   (the first one its core takes)
//   Apply(s)
//   Write, Read             the client starts its next operation
//   Forward(s)              the client's operation reaches s, which forwards it to its backup
//   Serve(s)                s answers the client: at once, or with a ForwardOk addressed to it
//
// observe() reads the cores back into the model's variables.

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused } from '../../conformance/transition.js'
import type { ClientReply, ClientRequest, PrimaryBackupBug, ServerId, ServerMessage } from './impl/messages.js'
import { initialServer, pingView, stepServer, type ServerEvent, type ServerState } from './impl/server.js'
import { initialViewService, stepViewService, type ViewServiceEvent, type ViewServiceState } from './impl/viewservice.js'

/** The reducers the cluster runs; replaceable so that tests can build a mutant. */
export interface PrimaryBackupCores {
  readonly stepServer: typeof stepServer
  readonly stepViewService: typeof stepViewService
}

interface InFlight {
  readonly to: ServerId
  readonly message: ServerMessage
}

interface Client {
  op: 'idle' | 'write' | 'read'
  seq: number
  acked: number
  lastRead: number
  lastReadFloor: number
}

const RECEIVES: Readonly<Record<string, ServerMessage['type']>> = { ReceiveTransfer: 'Transfer', ReceiveTransferOk: 'TransferOk', Apply: 'Forward' }
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

class PrimaryBackupCluster implements Driver {
  private vs: ViewServiceState = initialViewService()
  private servers: ServerState[] = []
  private network: InFlight[] = []
  private client: Client = { op: 'idle', seq: 0, acked: 0, lastRead: 0, lastReadFloor: 0 }

  constructor(private readonly n: number, private readonly bug: PrimaryBackupBug, private readonly cores: PrimaryBackupCores) {
    this.restart()
  }

  async reset() {
    this.restart()
  }

  private restart() {
    this.vs = initialViewService()
    this.servers = Array.from({ length: this.n }, (_, s) => initialServer(s))
    this.network = []
    this.client = { op: 'idle', seq: 0, acked: 0, lastRead: 0, lastReadFloor: 0 }
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    switch (action) {
      case 'Write':
      case 'Read':
        if (this.client.op !== 'idle') throw new NotEnabledError(`the client's operation ${this.client.seq} is not answered yet`)
        this.client.op = action === 'Write' ? 'write' : 'read'
        this.client.seq += 1
        return
      case 'Ping': {
        const s = this.index(picks.s)
        this.stepViewService({ type: 'Ping', from: s, view: pingView({ bug: this.bug }, this.servers[s]) })
        return
      }
      case 'Suspect':
        this.stepViewService({ type: 'Suspect', server: this.index(picks.s) })
        return
      case 'Learn': {
        const { view, primary, backup } = this.vs
        this.stepServer(this.index(picks.s), { type: 'Learn', view: { view, primary, backup } })
        return
      }
      case 'ReceiveTransfer':
      case 'ReceiveTransferOk':
      case 'Apply': {
        const s = this.index(picks.s)
        const candidates = this.network.filter((m) => m.to === s && m.message.type === RECEIVES[action])
        if (candidates.length === 0) throw new NotEnabledError(`no ${RECEIVES[action]} is on its way to s${s + 1}`)
        this.firstTaken(s, candidates, (m) => ({ type: 'Receive', message: m.message }))
        return
      }
      case 'Forward':
        this.stepServer(this.index(picks.s), { type: 'Request', request: this.request() })
        return
      case 'Serve': {
        const s = this.index(picks.s)
        const request = this.request()
        const direct = this.cores.stepServer({ bug: this.bug }, this.servers[s], { type: 'Serve', request, ok: null })
        if (!isRefused(direct)) return this.take(s, direct)
        const oks = this.network.filter((m) => m.to === s && m.message.type === 'ForwardOk')
        if (oks.length === 0) throw new NotEnabledError(direct.refused)
        this.firstTaken(s, oks, (m) => ({ type: 'Serve', request, ok: m.message }))
        return
      }
      default:
        throw new NotEnabledError(`primary-backup has no action ${action}`)
    }
  }

  async observe() {
    const msgs: ServerMessage[] = []
    for (const { message } of this.network) if (!msgs.some((m) => same(m, message))) msgs.push(message)
    return {
      vs: { view: this.vs.view, primary: this.vs.primary, backup: this.vs.backup, acked: this.vs.acked ? 'yes' : 'no' },
      srv: this.servers.map((s) => ({ view: s.view, primary: s.primary, backup: s.backup, value: s.value, seen: s.seen, synced: s.synced ? 'yes' : 'no' })),
      msgs,
      client: { ...this.client },
    }
  }

  /** The client's pending operation, as it sends it to whoever claims to be primary. */
  private request(): ClientRequest {
    const { op, seq, acked } = this.client
    if (op === 'idle') throw new NotEnabledError('the client has no operation pending')
    return { seq, op, value: op === 'write' ? acked + 1 : 0 }
  }

  private stepViewService(event: ViewServiceEvent) {
    const t = this.cores.stepViewService(this.vs, event)
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    this.vs = t.state
  }

  private stepServer(s: ServerId, event: ServerEvent) {
    const t = this.cores.stepServer({ bug: this.bug }, this.servers[s], event)
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    this.take(s, t)
  }

  /** Deliver the first of `candidates` that s's core takes, removing it from the network. */
  private firstTaken(s: ServerId, candidates: InFlight[], event: (m: InFlight) => ServerEvent) {
    let reason = ''
    for (const m of candidates) {
      const t = this.cores.stepServer({ bug: this.bug }, this.servers[s], event(m))
      if (isRefused(t)) {
        reason = t.refused
        continue
      }
      this.network.splice(this.network.indexOf(m), 1)
      this.take(s, t)
      return
    }
    throw new NotEnabledError(reason)
  }

  private take(s: ServerId, t: { state: ServerState; effects: readonly { to: ServerId | 'client'; message: ServerMessage | ClientReply }[] }) {
    this.servers[s] = t.state
    for (const { to, message } of t.effects) {
      if (to === 'client') this.answer(message as ClientReply)
      else if (!this.network.some((m) => m.to === to && same(m.message, message))) this.network.push({ to, message: message as ServerMessage })
    }
  }

  private answer(reply: ClientReply) {
    if (reply.seq !== this.client.seq || this.client.op === 'idle') return
    this.client.op = 'idle'
    if (reply.op === 'write') this.client.acked = reply.value
    else {
      this.client.lastRead = reply.value
      this.client.lastReadFloor = this.client.acked
    }
  }

  private index(value: unknown): ServerId {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.n) {
      throw new NotEnabledError(`pick s=${JSON.stringify(value)} is outside 0..${this.n - 1}`)
    }
    return value
  }
}

/** A driver factory over the given cores (the real ones unless a test swaps them). */
export function primaryBackupDriverOf(cores: PrimaryBackupCores): DriverFactory {
  return { model: 'primary-backup', start: async (params, bug) => new PrimaryBackupCluster(params.n, bug as PrimaryBackupBug, cores) }
}

export const primaryBackupDriver = primaryBackupDriverOf({ stepServer, stepViewService })

export default primaryBackupDriver
