// The storage service as a process on 127.0.0.1:
//   node storage-node.js [--bug NAME] --port P
// Each Write on a connection is answered with its WriteResult on that connection.

import { argument, announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import type { LockServiceBug, WriteRequest } from './messages.js'
import { initialStorage, stepStorage } from './storage.js'

const config = { bug: argument('bug') as LockServiceBug }
let state = initialStorage

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((message) => {
    const write = message as WriteRequest
    if (write?.type !== 'Write' || !Number.isInteger(write.token) || !Number.isInteger(write.client)) return
    const t = stepStorage(config, state, { type: 'Receive', message: write })
    if (isRefused(t)) return
    state = t.state
    for (const effect of t.effects) connection.send(effect.message)
  })
})
onShutdown(() => server.close())
announceListening(server.port)
