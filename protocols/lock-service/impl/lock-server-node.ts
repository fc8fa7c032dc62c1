// The lock server as a process on 127.0.0.1 (launched by runtime/launcher.ts):
//   node lock-server-node.js --lease TICKS --tick-ms MS [--bug NAME] --port P
// Its clock is a timer that feeds the core a Tick every `tick-ms`, followed by the lease timer;
// each request on a connection is answered on that connection.

import { argument, announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { initialLockServer, stepLockServer, type LockServerEvent } from './lock-server.js'
import type { LockServiceBug, ServerRequest } from './messages.js'
import { numberArgument } from './node-arguments.js'

const config = { lease: numberArgument('lease'), bug: argument('bug') as LockServiceBug }
const tickMs = numberArgument('tick-ms')
let state = initialLockServer

const step = (event: LockServerEvent) => {
  const t = stepLockServer(config, state, event)
  if (isRefused(t)) return []
  state = t.state
  return t.effects
}

const clock = setInterval(() => {
  step({ type: 'Tick' })
  step({ type: 'LeaseTimer' })
}, tickMs)

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((message) => {
    const request = message as ServerRequest
    if (request?.type !== 'Acquire' && request?.type !== 'Release') return
    for (const effect of step({ type: 'Receive', message: request })) connection.send(effect.message)
  })
})
onShutdown(async () => {
  clearInterval(clock)
  await server.close()
})
announceListening(server.port)
