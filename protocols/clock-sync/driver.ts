// Replay/conformance driver for clock-sync: an in-process time server and `clients` clients
// (the sans-IO cores of impl/), inside a simulated world that the driver owns: true time, each
// client's oscillator (within `drift` ticks of true time), and a network of one slot per client
// and direction whose messages take minDelay..maxDelay ticks. The world refuses what its
// assumptions forbid (time passing a message's maxDelay or an oscillator's window, a delivery
// before minDelay); the cores refuse what the protocol forbids. Each model action is one event:
//
//   Boot(c, o)         client c boots with its clock at true time + o
//   Tick               true time passes: one tick of the server's clock
//   ClockTick(c)       one tick of client c's oscillator
//   ClientSend(c)      client c sends a request (t1)
//   ServerRecv(c)      the server receives c's request (t2)
//   ServerReply(c)     the server answers c (t3)
//   ClientRecv(c)      client c receives the response (t4), estimates and corrects
//
// observe() reads the cores' states; the model's history variables (shown, lastEvent,
// lastEstimate) are kept here from what the cores did: the HLC before and after each event and
// the HLC the received message carried, the core's own estimate beside the true offset.

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused, type Transition } from '../../conformance/transition.js'
import { initialClient, stepClient, type ClientState } from './impl/client.js'
import type { Hlc } from './impl/hlc.js'
import type { Address, ClockSyncBug, ClockSyncMessage, TimeRequest, TimeResponse } from './impl/messages.js'
import { initialServer, stepServer, type ServerState } from './impl/server.js'

/** The node reducers the cluster runs; replaceable so that tests can build a mutant. */
export interface ClockSyncCores {
  readonly stepServer: typeof stepServer
  readonly stepClient: typeof stepClient
}

type InFlight<M> = { readonly sentAt: number; readonly message: M } | null
type LastEvent = { kind: 'none' } | { kind: 'send'; hlc: Hlc; prev: Hlc } | { kind: 'receive'; hlc: Hlc; prev: Hlc; sent: Hlc }
type LastEstimate = { kind: 'none' } | { kind: 'estimate'; theta2: number; delta: number; truth2: number }

const ZERO: Hlc = { l: 0, c: 0 }
const NONE = { kind: 'none' } as const

class ClockSyncWorld implements Driver {
  private now = 0
  private skew: number[] = []
  private server: ServerState = initialServer(0)
  private clients: ClientState[] = []
  private shown: number[] = []
  private requests: InFlight<TimeRequest>[] = []
  private responses: InFlight<TimeResponse>[] = []
  private lastEvent: LastEvent = NONE
  private lastEstimate: LastEstimate = NONE

  constructor(private readonly params: Readonly<Record<string, number>>, private readonly bug: ClockSyncBug, private readonly cores: ClockSyncCores) {
    this.init()
  }

  private init() {
    const n = this.params.clients
    this.now = 0
    this.skew = Array(n).fill(0)
    this.server = initialServer(0)
    this.clients = Array.from({ length: n }, (_, c) => initialClient(c))
    this.shown = Array(n).fill(0)
    this.requests = Array(n).fill(null)
    this.responses = Array(n).fill(null)
    this.lastEvent = NONE
    this.lastEstimate = NONE
  }

  async reset() {
    this.init()
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const { drift, minDelay, maxDelay } = this.params
    const config = { bug: this.bug }
    let event: LastEvent = NONE
    let estimate: LastEstimate = NONE
    switch (action) {
      case 'Boot': {
        const c = this.client(picks)
        const o = picks.offset
        if (typeof o !== 'number' || !Number.isInteger(o)) throw new NotEnabledError(`pick offset=${JSON.stringify(o)} is not a whole number`)
        this.clients[c] = this.taken(this.cores.stepClient(config, this.clients[c], { type: 'Boot', clock: this.now + o }))
        this.shown[c] = this.clients[c].clock
        break
      }
      case 'Tick': {
        if (this.clients.some((cl) => cl.phase === 'off')) throw new NotEnabledError('time starts once every client is up')
        if (this.skew.some((s) => s <= 0)) throw new NotEnabledError('an oscillator would fall outside its drift window')
        const late = [...this.requests, ...this.responses].some((m) => m !== null && this.now + 1 - m.sentAt > maxDelay)
        if (late) throw new NotEnabledError(`a message in flight would outstay maxDelay=${maxDelay}`)
        this.server = this.taken(this.cores.stepServer(config, this.server, { type: 'Tick', ticks: 1 }))
        this.now += 1
        this.skew = this.skew.map((s) => s - 1)
        break
      }
      case 'ClockTick': {
        const c = this.client(picks)
        if (this.skew[c] >= drift) throw new NotEnabledError(`client${c + 1}'s oscillator would run more than drift=${drift} ahead`)
        this.clients[c] = this.taken(this.cores.stepClient(config, this.clients[c], { type: 'Tick', ticks: 1 }))
        this.skew[c] += 1
        break
      }
      case 'ClientSend': {
        const c = this.client(picks)
        const prev = this.clients[c].hlc
        this.clients[c] = this.taken(this.cores.stepClient(config, this.clients[c], { type: 'Send' }))
        event = { kind: 'send', hlc: this.clients[c].hlc, prev }
        break
      }
      case 'ServerRecv': {
        const c = this.client(picks)
        const m = this.requests[c]
        if (!m) throw new NotEnabledError(`no request from client${c + 1} is in flight`)
        if (this.now - m.sentAt < minDelay) throw new NotEnabledError(`client${c + 1}'s request has not been in flight minDelay=${minDelay} ticks`)
        const prev = this.server.hlc
        this.server = this.taken(this.cores.stepServer(config, this.server, { type: 'Receive', request: m.message }))
        this.requests[c] = null
        event = { kind: 'receive', hlc: this.server.hlc, prev, sent: m.message.hlc }
        break
      }
      case 'ServerReply': {
        const c = this.client(picks)
        const prev = this.server.hlc
        this.server = this.taken(this.cores.stepServer(config, this.server, { type: 'Reply', client: c }))
        event = { kind: 'send', hlc: this.server.hlc, prev }
        break
      }
      case 'ClientRecv': {
        const c = this.client(picks)
        const m = this.responses[c]
        if (!m) throw new NotEnabledError(`no response to client${c + 1} is in flight`)
        if (this.now - m.sentAt < minDelay) throw new NotEnabledError(`the response to client${c + 1} has not been in flight minDelay=${minDelay} ticks`)
        const before = this.clients[c]
        this.clients[c] = this.taken(this.cores.stepClient(config, before, { type: 'Receive', response: m.message }))
        this.responses[c] = null
        event = { kind: 'receive', hlc: this.clients[c].hlc, prev: before.hlc, sent: m.message.hlc }
        const e = this.clients[c].estimate
        if (e) estimate = { kind: 'estimate', theta2: e.offset2, delta: e.delay, truth2: 2 * (this.now - before.clock) }
        break
      }
      default:
        throw new NotEnabledError(`clock-sync has no action ${action}`)
    }
    if (action !== 'Boot') this.shown = this.shown.map((s, c) => Math.max(s, this.clients[c].clock))
    this.lastEvent = event
    this.lastEstimate = estimate
  }

  async observe() {
    const hlc = (h: Hlc) => ({ l: h.l, c: h.c })
    return {
      now: this.server.clock,
      skew: [...this.skew],
      client: this.clients.map((cl) => ({ phase: cl.phase, clock: cl.clock, slew: cl.slew, t1: cl.t1, hlc: hlc(cl.hlc) })),
      shown: [...this.shown],
      req: this.requests.map((m) => (m ? { inFlight: true, sentAt: m.sentAt, t1: m.message.t1, hlc: hlc(m.message.hlc) } : { inFlight: false, sentAt: 0, t1: 0, hlc: ZERO })),
      held: this.clients.map((_, c) => {
        const h = this.server.held[c]
        return h ? { held: true, t1: h.t1, t2: h.t2 } : { held: false, t1: 0, t2: 0 }
      }),
      rep: this.responses.map((m) =>
        m
          ? { inFlight: true, sentAt: m.sentAt, t1: m.message.t1, t2: m.message.t2, t3: m.message.t3, hlc: hlc(m.message.hlc) }
          : { inFlight: false, sentAt: 0, t1: 0, t2: 0, t3: 0, hlc: ZERO },
      ),
      serverHlc: hlc(this.server.hlc),
      lastEvent: this.lastEvent,
      lastEstimate: this.lastEstimate,
    }
  }

  /** Take a core's transition: refused is a step the implementation cannot take; its messages
   * enter the network, stamped with the true time they leave. */
  private taken<S>(t: Transition<S, Address, ClockSyncMessage>): S {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    for (const { to, message } of t.effects) {
      if (to === 'server' && message.type === 'request') this.requests[message.client] = { sentAt: this.now, message }
      else if (to !== 'server' && message.type === 'response') this.responses[to.client] = { sentAt: this.now, message }
    }
    return t.state
  }

  private client(picks: Readonly<Record<string, unknown>>): number {
    const c = picks.client
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= this.clients.length) {
      throw new NotEnabledError(`pick client=${JSON.stringify(c)} is outside 0..${this.clients.length - 1}`)
    }
    return c
  }
}

/** A driver factory over the given cores (the real ones unless a test swaps one). */
export function clockSyncDriverOf(cores: ClockSyncCores): DriverFactory {
  return { model: 'clock-sync', start: async (params, bug) => new ClockSyncWorld(params, bug as ClockSyncBug, cores) }
}

export const clockSyncDriver = clockSyncDriverOf({ stepServer, stepClient })

export default clockSyncDriver
