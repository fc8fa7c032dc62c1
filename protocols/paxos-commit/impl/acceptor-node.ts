// A Paxos Commit acceptor as a node process: `node acceptor-node.js --id I [--state FILE] --port P`.
// Each message received on a connection is one event for the acceptor core; its reply (a
// phase 1b or 2b message for the leader) goes back on that connection. The state is written
// to FILE (and flushed to disk) before any reply leaves, so an acceptor that crashes and
// restarts keeps its promises and votes. A frame that is not a phase 1a or 2a message is
// answered `refused` and changes nothing.

import { readJsonFile, writeFileDurably } from '../../../runtime/json-file.js'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { initialAcceptor, stepAcceptor, type AcceptorState } from './acceptor.js'
import { parseMessage } from './wire.js'

const id = Number(argument('id'))
if (!Number.isInteger(id) || id < 0) {
  process.stderr.write(`acceptor: --id needs a whole number, got '${argument('id')}'\n`)
  process.exit(2)
}
const stateFile = argument('state')
let state: AcceptorState = (stateFile && readJsonFile<AcceptorState>(stateFile)) || initialAcceptor(id)

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const message = parseMessage(raw)
    if (message === null || (message.type !== 'phase1a' && message.type !== 'phase2a')) {
      connection.send({ type: 'refused', reason: 'not a phase 1a or 2a message' })
      return
    }
    const t = stepAcceptor({}, state, { type: 'Receive', message })
    if (isRefused(t)) {
      connection.send({ type: 'refused', reason: t.refused })
      return
    }
    if (stateFile) writeFileDurably(stateFile, JSON.stringify(t.state))
    state = t.state
    for (const effect of t.effects) connection.send(effect.message)
  })
})
onShutdown(() => server.close())
announceListening(server.port)
