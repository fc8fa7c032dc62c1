// A clock-sync node as a process on 127.0.0.1, running the same cores as the replay driver:
//   node clock-node.js --role server [--bug NAME] --port P
//   node clock-node.js --role client --id I --server-port S [--offset-ms X] [--poll-ms M] [--bug NAME] --port P
//
// Clocks count milliseconds. The process reads a real clock (performance.timeOrigin +
// performance.now(): wall time at start, monotonic after) and, before each event, feeds the
// core a Tick of the milliseconds that passed since its last reading: the core's clock is
// still an explicit value, only its source is real. A client boots with its clock `--offset-ms`
// off the real time (a machine whose real-time clock is wrong), polls the server every
// `--poll-ms` when it is idle and not slewing, and corrects its clock from each response:
// forward by stepping, backward by slewing (the clock holds still for the correction).
//
// Every node answers { type: 'status' } on its port: the server with { clock, hlc }, a client
// with { clock, slew, hlc, estimate, first, exchanges, highest, ranBack }: the last and the
// first exchange's estimate, the highest reading its clock has shown, and the most it ever
// read below an earlier reading (0 unless the clock ran back). Frames that do not parse are dropped.

import { InputError } from '../../../checker/errors.js'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused, type Taken, type Transition } from '../../../conformance/transition.js'
import { initialClient, stepClient, type ClientEvent, type ClientState } from './client.js'
import type { Address, ClockSyncBug, ClockSyncMessage } from './messages.js'
import { initialServer, stepServer, type ServerEvent, type ServerState } from './server.js'
import { parseIncoming } from './wire.js'

const BUGS = ['step-back', 'ignore-delay', 'hlc-no-max']
const role = argument('role')
const bugArgument = argument('bug')
if (bugArgument !== undefined && !BUGS.includes(bugArgument)) throw new InputError(`--bug must be one of ${BUGS.join(', ')}, got '${bugArgument}'`)
const config = { bug: bugArgument as ClockSyncBug }

/** The real clock, in whole milliseconds. */
const realClock = () => Math.floor(performance.timeOrigin + performance.now())
const log = (line: string) => process.stderr.write(`${line}\n`)

/** A core's transition, or null (logged) when the core refused the event. */
function taken<S>(t: Transition<S, Address, ClockSyncMessage>, what: string): Taken<S, Address, ClockSyncMessage> | null {
  if (isRefused(t)) {
    log(`dropped ${what}: ${t.refused}`)
    return null
  }
  return t
}

if (role === 'server') {
  let state: ServerState = initialServer(realClock())
  let lastReading = state.clock
  const step = (event: ServerEvent) => {
    const t = taken(stepServer(config, state, event), event.type)
    if (t) state = t.state
    return t
  }
  /** Bring the core's clock up to the real clock. */
  const tick = () => {
    const reading = realClock()
    if (reading > lastReading) step({ type: 'Tick', ticks: reading - lastReading })
    lastReading = Math.max(lastReading, reading)
  }
  const server = await listen(portArgument(), (connection) => {
    connection.onMessage((raw) => {
      const m = parseIncoming(raw)
      if (m === null || m.type === 'response') return log('dropped a frame that is not a request')
      tick()
      if (m.type === 'status') return void connection.send({ type: 'status', clock: state.clock, hlc: state.hlc })
      if (!step({ type: 'Receive', request: m })) return
      tick()
      const reply = step({ type: 'Reply', client: m.client })
      for (const effect of reply?.effects ?? []) connection.send(effect.message)
    })
  })
  onShutdown(() => server.close())
  announceListening(server.port)
} else if (role === 'client') {
  const id = Number(argument('id'))
  const serverPort = Number(argument('server-port'))
  const offsetMs = Number(argument('offset-ms') ?? '0')
  const pollMs = Number(argument('poll-ms') ?? '200')
  if (!Number.isInteger(id) || id < 0 || !Number.isInteger(serverPort) || serverPort <= 0 || !Number.isSafeInteger(offsetMs) || !(pollMs > 0)) {
    throw new InputError('usage: clock-node --role client --id I --server-port S [--offset-ms X] [--poll-ms M] [--bug NAME] --port P')
  }
  let state: ClientState = initialClient(id)
  let lastReading = realClock()
  let exchanges = 0
  /** The highest reading the clock has shown, and the first exchange's estimate. */
  let highest = Number.NEGATIVE_INFINITY
  /** The most the clock ever read below a reading it had shown (0 for a clock that never ran back). */
  let ranBack = 0
  let first: ClientState['estimate'] = null
  let toServer: Connection | null = null
  const step = (event: ClientEvent) => {
    const t = taken(stepClient(config, state, event), event.type)
    if (t) state = t.state
    if (event.type !== 'Boot') ranBack = Math.max(ranBack, highest - state.clock)
    highest = Math.max(highest, state.clock)
    first ??= state.estimate
    return t
  }
  const tick = () => {
    const reading = realClock()
    if (reading > lastReading) step({ type: 'Tick', ticks: reading - lastReading })
    lastReading = Math.max(lastReading, reading)
  }
  step({ type: 'Boot', clock: lastReading + offsetMs })

  async function poll() {
    tick()
    if (state.phase !== 'idle' || state.slew !== 0) return
    if (!toServer || toServer.closed) {
      try {
        toServer = await connect(serverPort, pollMs)
      } catch (e) {
        return log(`server unreachable: ${e instanceof Error ? e.message : String(e)}`)
      }
      toServer.onMessage((raw) => {
        const m = parseIncoming(raw)
        if (m === null || m.type !== 'response') return log('dropped a frame that is not a response')
        tick()
        if (step({ type: 'Receive', response: m })) exchanges += 1
      })
      // A lost connection loses the request in flight: start over on the next poll.
      toServer.onClose(() => {
        if (state.phase === 'waiting') step({ type: 'Abandon' })
      })
    }
    const sent = step({ type: 'Send' })
    for (const effect of sent?.effects ?? []) toServer.send(effect.message)
  }
  const timer = setInterval(() => void poll(), pollMs)
  const status = await listen(portArgument(), (connection) => {
    connection.onMessage((raw) => {
      const m = parseIncoming(raw)
      if (m === null || m.type !== 'status') return log('dropped a frame that is not a status query')
      tick()
      connection.send({ type: 'status', clock: state.clock, slew: state.slew, hlc: state.hlc, estimate: state.estimate, first, exchanges, highest, ranBack })
    })
  })
  onShutdown(async () => {
    clearInterval(timer)
    toServer?.close()
    await status.close()
  })
  announceListening(status.port)
} else {
  throw new InputError(`--role must be server or client, got '${role}'`)
}
