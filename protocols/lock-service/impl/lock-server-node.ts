// The lock server as a process on 127.0.0.1 (launched by runtime/launcher.ts):
//   node lock-server-node.js --lease TICKS --tick-ms MS [--clock-rate R] [--state FILE] [--bug NAME] --port P
// Its clock is a timer that feeds the core a Tick every `tick-ms` / R (R > 1: a clock running
// fast, which lets leases lapse early), followed by the lease timer; each request on a
// connection is answered on that connection. { type: 'Clock', rate?, jump? } skews the clock
// while it runs (a new rate; `jump` ticks at once, as a clock stepped forward), for fault runs.
// With --state the lock's state is on disk before a grant or release is answered, so a
// restarted server never hands out a generation again (its clock resumes from the last
// grant, release or expiry: a lease then lasts longer, never shorter).

import { readJsonFile, writeFileDurably } from '../../../runtime/json-file.js'
import { argument, announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { initialLockServer, stepLockServer, type LockServerEvent, type LockServerState } from './lock-server.js'
import type { LockServiceBug, ServerRequest } from './messages.js'
import { numberArgument } from './node-arguments.js'

const config = { lease: numberArgument('lease'), bug: argument('bug') as LockServiceBug }
const tickMs = numberArgument('tick-ms')
const stateFile = argument('state')
let state: LockServerState = (stateFile && readJsonFile<LockServerState>(stateFile)) || initialLockServer

const step = (event: LockServerEvent) => {
  const t = stepLockServer(config, state, event)
  if (isRefused(t)) return []
  // Ticks alone are not written: only what a client was or will be told.
  if (stateFile && event.type !== 'Tick') writeFileDurably(stateFile, JSON.stringify(t.state))
  state = t.state
  return t.effects
}

const tick = () => {
  step({ type: 'Tick' })
  step({ type: 'LeaseTimer' })
}

let clock: NodeJS.Timeout
function runClock(rate: number) {
  clearInterval(clock)
  clock = setInterval(tick, tickMs / rate)
}
runClock(clockRate(argument('clock-rate') ?? '1'))

function clockRate(raw: unknown): number {
  const rate = Number(raw)
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100) throw new Error(`a clock rate is a number in (0, 100], got '${raw}'`)
  return rate
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((message) => {
    const request = message as ServerRequest | { type: 'Clock'; rate?: unknown; jump?: unknown }
    if (request?.type === 'Clock') {
      try {
        if (request.rate !== undefined) runClock(clockRate(request.rate))
        const jump = Number(request.jump ?? 0)
        if (!Number.isInteger(jump) || jump < 0 || jump > 1_000_000) throw new Error(`a clock jump is a whole number of ticks, got '${request.jump}'`)
        for (let i = 0; i < jump; i++) tick()
        connection.send({ ok: true, now: state.now })
      } catch (e) {
        connection.send({ ok: false, reason: (e as Error).message })
      }
      return
    }
    if (request?.type !== 'Acquire' && request?.type !== 'Release') return
    for (const effect of step({ type: 'Receive', message: request })) connection.send(effect.message)
  })
})
onShutdown(async () => {
  clearInterval(clock)
  await server.close()
})
announceListening(server.port)
