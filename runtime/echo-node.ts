// The smallest node process: it answers every message with `{ echo: message, pid }`. It shows
// the node side of the launcher's protocol in a dozen lines and is what the runtime's own
// tests launch, crash and restart.

import { announceListening, onShutdown, portArgument } from './node-process.js'
import { listen } from './tcp.js'

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((message) => connection.send({ echo: message, pid: process.pid }))
})
onShutdown(() => server.close())
announceListening(server.port)
