// The idempotency store as a process: `node store-node.js --port P`. Each backend keeps one
// connection to it, its session: the claims made on a connection are freed when that
// connection closes (a crashed backend's kernel closes it), as advisory locks die with their
// database session. `{ type: 'Stats' }` on any connection answers the completions per key.

import { isRefused } from '../../../conformance/transition.js'
import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { initialStore, stepStore, type StoreEvent, type StoreState } from './store.js'
import { parseStoreRequest } from './wire.js'

let state: StoreState = initialStore

const step = (event: StoreEvent) => {
  const t = stepStore(state, event)
  if (isRefused(t)) return []
  state = t.state
  return t.effects
}

const server = await listen(portArgument(), (connection) => {
  let session: number | undefined
  connection.onMessage((raw) => {
    if ((raw as { type?: unknown })?.type === 'Stats') {
      connection.send({ type: 'Stats', completions: state.completions })
      return
    }
    const request = parseStoreRequest(raw)
    if (request === null) return
    session ??= request.backend
    // One session speaks for one backend only.
    if (request.backend !== session) return
    for (const effect of step({ type: 'Receive', message: request })) connection.send(effect.message)
  })
  connection.onClose(() => {
    if (session !== undefined) step({ type: 'SessionEnded', backend: session })
  })
})
onShutdown(() => server.close())
announceListening(server.port)
