// Clock synchronisation: clients estimate a time server's clock from NTP's four timestamps
// (RFC 5905, section 8: offset = ((t2 - t1) + (t3 - t4)) / 2, delay = (t4 - t1) - (t3 - t2))
// over links whose delay is bounded but may differ in each direction, with oscillators of
// bounded drift; every node also keeps a hybrid logical clock (Kulkarni, Demirbas et al.,
// "Logical Physical Clocks", OPODIS 2014), following muratdem/HLC's hlc.tla where it fits:
//
//   hlc.tla                                     here
//   pt[j] (physical clock, +1 per event)         the server's clock is true time (`now`, it is
//                                                 the reference); a client's clock is `clock[c]`,
//                                                 advanced by its oscillator's ticks (ClockTick)
//   \A k: pt[self] < pt[k] + EPS (NTP sync)      oscillators stay within a window of `drift`
//                                                 ticks of true time: skew[c] = osc - now in 0..drift
//   l, c                                         hlc: { l, c } of the server and of each client
//   Send(self): l := max(l, pt), c := c+1 or 0   ClientSend(c) (request), ServerReply(c) (response)
//   Recv(self): l := max(l, l.m, pt), c by cases ServerRecv(c) (request), ClientRecv(c) (response)
//   msg[k] (one slot per receiver)               req[c], rep[c]: one slot per client and direction
//   Boundedl: l < pt + EPS; Boundedc             LogicalBounded: l never exceeds the highest
//                                                 physical clock; c stays within cBound
//
// and for NTP (the protocol around the HLC timestamps):
//
//   t1 client's clock at ClientSend      t2 server's clock at ServerRecv
//   t3 server's clock at ServerReply      t4 client's clock at ClientRecv
//   a message takes minDelay..maxDelay ticks of true time, each direction on its own
//   (asymmetric); Tick cannot pass a message's maxDelay, a delivery waits for its minDelay
//   the client corrects its clock by the offset: forward by stepping, backward by slewing
//   (its clock stays put on the next |offset| oscillator ticks) so that it never runs back
//
// Boot(c, o): client c starts with its clock o ticks off true time (o in -offset..offset), its
// HLC at (clock, 0); time starts once every client is up, so all boot at true time 0.
//
// Time: `now` is true time and the server's clock. Tick advances it (each skew drops by one,
// so every oscillator must have ticked since the last Tick: skew > 0); ClockTick(c) is one tick
// of client c's oscillator (skew < drift). drift >= 1 because a perfect oscillator still ticks
// just before or just after the true tick. A client's clock is its oscillator plus the
// corrections it applied; its error is clock[c] - now, so the true offset (server minus client)
// is now - clock[c].
//
// History in the state, so that the properties are state predicates:
//   lastEvent     the HLC event the last step was (none for Tick, ClockTick): the node's HLC
//                 after it, before it (its process-order predecessor), and for a receive the
//                 sender's HLC (its message predecessor). happened-before is the transitive
//                 closure of these two edges, so "hlc rises along every edge, on every step"
//                 is "e -> f implies hlc(e) < hlc(f)".
//   lastEstimate  after ClientRecv: the doubled offset estimate 2θ, the delay δ, and the
//                 doubled true offset 2(now - clock) at t4 (integers: θ may be a half tick).
//   shown[c]      the highest reading client c's clock has shown.
//
// Properties:
//   OffsetWithinBound  |θ - truth| <= δ/2 + drift: within half the measured round trip plus
//                      the most the oscillator can wander during the exchange
//   ClockMonotonic     a client's clock never shows less than it has shown
//   HappenedBefore     every HLC event is above its predecessors (hence e -> f => hlc(e) < hlc(f))
//   LogicalBounded     every l is at most the highest physical clock; every c at most cBound
// Bounds: `within` keeps now <= maxTime (TLC's CONSTRAINT); message delays and drift are the
// environment's assumptions, so they are guards of Tick and ClockTick, which the driver's
// simulated network and oscillators also enforce.
//
// No public TLA+ spec covers NTP's estimate with HLC, so this model is its own; a TLA+
// transcription of it, variable for variable, gives TLC 2.20 the same counts: 4,427 distinct
// states (7,071 generated, depth 23) at the defaults, 34,900 at maxTime=10, 4,725 with two
// clients (offset 0, maxDelay 1, maxTime 2), and the same shortest counterexamples.

import { InputError } from '../../checker/errors.js'
import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bool, enumOf, int, mapOf, nodeId, record, union } from '../../checker/schema.js'

/** Doubled estimate error allowed: |2θ - 2·truth| <= δ + 2·drift. */
export const withinBound = (theta2: number, truth2: number, delta: number, drift: number) => Math.abs(theta2 - truth2) <= delta + 2 * drift

/** The HLC comparison: (l, c) pairs in lexicographic order. */
export const hlcBelow = (a: { l: number; c: number }, b: { l: number; c: number }) => a.l < b.l || (a.l === b.l && a.c < b.c)

/** The bound on the logical part claimed by LogicalBounded, in the form of hlc.tla's Boundedc
 * (c < N·(EPS+1)): here c <= N·(EPS+1) with N = clients + 1 nodes and EPS = offset + 2·drift - 1.
 * Checked, not derived: at the shipped size c reaches 3 against this bound of 8; with drift 2
 * it reaches 8 against 12. */
export const logicalBound = (clients: number, drift: number, offset: number) => (clients + 1) * (offset + 2 * drift)

export default defineModel({
  name: 'clock-sync',
  summary: 'NTP-style clock synchronisation (four timestamps, asymmetric bounded delay, bounded drift, slewing) with hybrid logical clocks',
  params: {
    clients: { description: 'number of clients of the time server', default: 1, minimum: 1, maximum: 3 },
    drift: { description: "window (ticks) an oscillator may wander from true time; 1 is a perfect oscillator's tick phase", default: 1, minimum: 1, maximum: 3 },
    offset: { description: "a client's clock starts up to this many ticks off the server's, either way", default: 2, minimum: 0, maximum: 3 },
    minDelay: { description: 'fewest ticks a message takes, each direction', default: 1, minimum: 1, maximum: 3 },
    maxDelay: { description: 'most ticks a message takes, each direction', default: 3, minimum: 1, maximum: 5 },
    maxTime: { description: 'true-time ticks explored (state constraint)', default: 5, minimum: 1, maximum: 12 },
  },
  bugs: {
    'step-back': 'the client applies a negative offset by stepping its clock back instead of slewing',
    'ignore-delay': "the client takes the server's transmit time t3 as its time at t4, ignoring the network delay (offset = t3 - t4)",
    'hlc-no-max': "on receive, the HLC ignores the message's timestamp (l := max(l, pt)) instead of taking the max with it",
  },
  build({ clients, drift, offset, minDelay, maxDelay, maxTime }, bug) {
    if (maxDelay < minDelay) throw new InputError(`clock-sync needs minDelay <= maxDelay, got minDelay=${minDelay} maxDelay=${maxDelay}`)
    const Client = nodeId('client', clients)
    const cs = range(clients)
    const cBound = logicalBound(clients, drift, offset)
    // Generous ranges: a value out of its range is a model error, never a wrap-around.
    const span = offset + 2 * maxDelay + 2 * drift + 2
    const Time = int(0, maxTime + 1)
    const Clock = int(-2 * span, maxTime + 2 * span)
    const Hlc = record({ l: Clock, c: int(0, cBound + 8) })
    const Diff = int(-4 * span - 2 * maxTime, 4 * span + 2 * maxTime)

    const state = record({
      now: Time,
      skew: mapOf(Client, int(0, drift)),
      client: mapOf(Client, record({ phase: enumOf('off', 'idle', 'waiting'), clock: Clock, slew: int(-2 * span, 0), t1: Clock, hlc: Hlc })),
      shown: mapOf(Client, Clock),
      req: mapOf(Client, record({ inFlight: bool, sentAt: Time, t1: Clock, hlc: Hlc })),
      held: mapOf(Client, record({ held: bool, t1: Clock, t2: Clock })),
      rep: mapOf(Client, record({ inFlight: bool, sentAt: Time, t1: Clock, t2: Clock, t3: Clock, hlc: Hlc })),
      serverHlc: Hlc,
      lastEvent: union('kind', { none: {}, send: { hlc: Hlc, prev: Hlc }, receive: { hlc: Hlc, prev: Hlc, sent: Hlc } }),
      lastEstimate: union('kind', { none: {}, estimate: { theta2: Diff, delta: Diff, truth2: Diff } }),
    })

    type Stamp = { l: number; c: number }
    // Kulkarni et al., Figure 5. A send (or local) event:
    const hlcSend = (h: Stamp, pt: number): Stamp => {
      const l = Math.max(h.l, pt)
      return { l, c: l === h.l ? h.c + 1 : 0 }
    }
    // ... and a receive of m. The bug drops m from the max: a receive is treated like a send.
    const hlcReceive = (h: Stamp, m: Stamp, pt: number): Stamp => {
      if (bug === 'hlc-no-max') return hlcSend(h, pt)
      const l = Math.max(h.l, m.l, pt)
      if (l === h.l && l === m.l) return { l, c: Math.max(h.c, m.c) + 1 }
      if (l === h.l) return { l, c: h.c + 1 }
      if (l === m.l) return { l, c: m.c + 1 }
      return { l, c: 0 }
    }
    const NONE = { kind: 'none' } as const
    const ZERO = { l: 0, c: 0 } as const
        const EMPTY_REQUEST = { inFlight: false, sentAt: 0, t1: 0, hlc: ZERO } as const
    const NOT_HELD = { held: false, t1: 0, t2: 0 } as const
    const EMPTY_REPLY = { inFlight: false, sentAt: 0, t1: 0, t2: 0, t3: 0, hlc: ZERO } as const

    return protocol({
      state,
      actions: {
        Boot: { client: Client, offset: int(-offset, offset) },
        Tick: {},
        ClockTick: { client: Client },
        ClientSend: { client: Client },
        ServerRecv: { client: Client },
        ServerReply: { client: Client },
        ClientRecv: { client: Client },
      },

      // True time 0, the server's HLC at (0, 0); clients are off, their oscillators in phase
      // with true time. Each client boots (Boot) with its clock up to `offset` off.
      init(emit) {
        emit((d) => {
          d.now = 0
          d.serverHlc.l = 0
          d.serverHlc.c = 0
          for (const c of cs) {
            d.skew.set(c, 0)
            d.client.set(c, { phase: 'off', clock: 0, slew: 0, t1: 0, hlc: ZERO })
            d.shown.set(c, 0)
            d.req.set(c, EMPTY_REQUEST)
            d.held.set(c, NOT_HELD)
            d.rep.set(c, EMPTY_REPLY)
          }
          d.lastEvent = NONE
          d.lastEstimate = NONE
        })
      },

      next(s, emit) {
        const now = s.now
        const inFlightTooLong = cs.some(
          (c) => (s.req.get(c).inFlight && now + 1 - s.req.get(c).sentAt > maxDelay) || (s.rep.get(c).inFlight && now + 1 - s.rep.get(c).sentAt > maxDelay),
        )
        // A client boots with its clock `o` ticks off true time, its HLC at its clock.
        for (const c of cs) {
          if (s.client.get(c).phase !== 'off') continue
          for (let o = -offset; o <= offset; o++) {
            emit('Boot', { client: c, offset: o }, (d) => {
              d.client.set(c, { phase: 'idle', clock: now + o, slew: 0, t1: 0, hlc: { l: now + o, c: 0 } })
              d.shown.set(c, now + o)
              d.lastEvent = NONE
              d.lastEstimate = NONE
            })
          }
        }
        // True time passes once every client is up, every oscillator has ticked since the last
        // Tick (skew > 0) and no message would outstay maxDelay.
        if (!inFlightTooLong && cs.every((c) => s.skew.get(c) > 0 && s.client.get(c).phase !== 'off')) {
          emit('Tick', {}, (d) => {
            d.now = now + 1
            for (const c of cs) d.skew.set(c, s.skew.get(c) - 1)
            d.lastEvent = NONE
            d.lastEstimate = NONE
          })
        }
        for (const c of cs) {
          const me = s.client.get(c)
          if (s.skew.get(c) >= drift || me.phase === 'off') continue
          emit('ClockTick', { client: c }, (d) => {
            d.skew.set(c, s.skew.get(c) + 1)
            const mine = d.client.get(c)
            // Slewing back: the clock stays put on this tick instead of running back.
            if (me.slew < 0) mine.slew = me.slew + 1
            else {
              mine.clock = me.clock + 1
              d.shown.set(c, Math.max(s.shown.get(c), me.clock + 1))
            }
            d.lastEvent = NONE
            d.lastEstimate = NONE
          })
        }
        for (const c of cs) {
          const me = s.client.get(c)
          if (me.phase !== 'idle' || me.slew !== 0) continue
          const prev = { l: me.hlc.l, c: me.hlc.c }
          const hlc = hlcSend(prev, me.clock)
          emit('ClientSend', { client: c }, (d) => {
            const mine = d.client.get(c)
            mine.phase = 'waiting'
            mine.t1 = me.clock
            mine.hlc.l = hlc.l
            mine.hlc.c = hlc.c
            d.req.set(c, { inFlight: true, sentAt: now, t1: me.clock, hlc })
            d.lastEvent = { kind: 'send', hlc, prev }
            d.lastEstimate = NONE
          })
        }
        for (const c of cs) {
          const m = s.req.get(c)
          if (!m.inFlight || now - m.sentAt < minDelay) continue
          const prev = { l: s.serverHlc.l, c: s.serverHlc.c }
          const sent = { l: m.hlc.l, c: m.hlc.c }
          const hlc = hlcReceive(prev, sent, now)
          emit('ServerRecv', { client: c }, (d) => {
            d.req.set(c, EMPTY_REQUEST)
            d.held.set(c, { held: true, t1: m.t1, t2: now })
            d.serverHlc.l = hlc.l
            d.serverHlc.c = hlc.c
            d.lastEvent = { kind: 'receive', hlc, prev, sent }
            d.lastEstimate = NONE
          })
        }
        for (const c of cs) {
          const h = s.held.get(c)
          if (!h.held) continue
          const prev = { l: s.serverHlc.l, c: s.serverHlc.c }
          const hlc = hlcSend(prev, now)
          emit('ServerReply', { client: c }, (d) => {
            d.held.set(c, NOT_HELD)
            d.rep.set(c, { inFlight: true, sentAt: now, t1: h.t1, t2: h.t2, t3: now, hlc })
            d.serverHlc.l = hlc.l
            d.serverHlc.c = hlc.c
            d.lastEvent = { kind: 'send', hlc, prev }
            d.lastEstimate = NONE
          })
        }
        for (const c of cs) {
          const m = s.rep.get(c)
          const me = s.client.get(c)
          if (!m.inFlight || now - m.sentAt < minDelay) continue
          const t4 = me.clock
          const theta2 = bug === 'ignore-delay' ? 2 * (m.t3 - t4) : m.t2 - m.t1 + (m.t3 - t4)
          const delta = t4 - m.t1 - (m.t3 - m.t2)
          const truth2 = 2 * (now - t4)
          // The correction, rounded toward zero (never past the estimate).
          const correction = Math.trunc(theta2 / 2)
          const prev = { l: me.hlc.l, c: me.hlc.c }
          const sent = { l: m.hlc.l, c: m.hlc.c }
          const hlc = hlcReceive(prev, sent, t4)
          emit('ClientRecv', { client: c }, (d) => {
            d.rep.set(c, EMPTY_REPLY)
            const mine = d.client.get(c)
            mine.phase = 'idle'
            mine.t1 = 0
            mine.hlc.l = hlc.l
            mine.hlc.c = hlc.c
            if (correction > 0 || bug === 'step-back') {
              mine.clock = t4 + correction
              d.shown.set(c, Math.max(s.shown.get(c), t4 + correction))
            } else {
              mine.slew = correction
            }
            d.lastEvent = { kind: 'receive', hlc, prev, sent }
            d.lastEstimate = { kind: 'estimate', theta2, delta, truth2 }
          })
        }
      },

      always: {
        TypeOK: wellTyped,
        OffsetWithinBound: (s) => {
          const e = s.lastEstimate
          return e.kind !== 'estimate' || withinBound(e.theta2, e.truth2, e.delta, drift)
        },
        ClockMonotonic: (s) => s.client.every((me, c) => me.clock >= s.shown.get(c)),
        HappenedBefore: (s) => {
          const e = s.lastEvent
          if (e.kind === 'none') return true
          return hlcBelow(e.prev, e.hlc) && (e.kind !== 'receive' || hlcBelow(e.sent, e.hlc))
        },
        LogicalBounded: (s) => {
          const highest = Math.max(s.now, ...cs.map((c) => s.client.get(c).clock))
          return s.serverHlc.l <= highest && s.serverHlc.c <= cBound && s.client.every((me) => me.hlc.l <= highest && me.hlc.c <= cBound)
        },
      },
      sometimes: {
        // The estimate is off (asymmetric delays or drift), yet within its bound.
        InexactEstimate: (s) => s.lastEstimate.kind === 'estimate' && s.lastEstimate.theta2 !== s.lastEstimate.truth2,
        SteppedForward: (s) => s.lastEstimate.kind === 'estimate' && s.lastEstimate.theta2 >= 2,
        SlewingBack: (s) => s.client.some((me) => me.slew < 0),
        // The HLC runs ahead of its node's physical clock, its logical part counting.
        HlcAheadOfClock: (s) => s.client.some((me) => me.hlc.l > me.clock && me.hlc.c > 0) || (s.serverHlc.l > s.now && s.serverHlc.c > 0),
      },
      within: (s) => s.now <= maxTime,
      // Clients are interchangeable: --symmetry checks one state per renaming of them.
      symmetric: ['client'],
    })
  },
})
