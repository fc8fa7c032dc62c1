// An acceptor as a node process: `node acceptor-node.js --id I [--state FILE] --port P`.
// Each message received on a connection is one event for the acceptor core; the reply goes
// back on that connection. The state is written to FILE (and flushed to disk) before any
// reply leaves, so an acceptor that crashes and restarts keeps its promises and votes, as
// Paxos requires.

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

function persist(next: AcceptorState) {
  if (stateFile) writeFileDurably(stateFile, JSON.stringify(next))
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const message = parseMessage(raw)
    if (message === null || message.type === 'refused') {
      connection.send({ type: 'refused', reason: 'not a Paxos message for an acceptor', maxBal: state.maxBal })
      return
    }
    const t = stepAcceptor({}, state, { type: 'Receive', message })
    if (isRefused(t)) {
      connection.send({ type: 'refused', reason: t.refused, maxBal: state.maxBal })
      return
    }
    persist(t.state)
    state = t.state
    for (const effect of t.effects) connection.send(effect.message)
  })
})
onShutdown(() => server.close())
announceListening(server.port)
