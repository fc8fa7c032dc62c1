// A process of Lamport's mutual exclusion on 127.0.0.1, running the same core as the driver:
//   node process-node.js --id I --peers P1,P2,...,PN [--bug NAME] --port P
// (--peers lists every process's port, its own included, in id order.)
//
// Peers: each process opens one TCP connection to every other process and sends it all its
// messages, in order, on that connection, so every channel p -> q is FIFO as the algorithm
// (and the spec's network) requires. A connection that fails is retried with the messages
// kept, until the peer is up.
//
// Clients: a client connection sends { type: 'Acquire' } and gets { type: 'Granted', clock }
// when this process has entered the critical section for it; it sends { type: 'Release' }
// and gets { type: 'Released' } once the process has left and told its peers. Clients queue
// at their process, one holder at a time; a holder that hangs up releases. { type: 'Inspect' }
// answers the process's state. Frames that are not one of these are dropped and logged.

import { InputError } from '../../../checker/errors.js'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { PeerLinks } from '../../../runtime/peer-links.js'
import { listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { BUGS, processName, type MutexBug, type MutexMessage, type ProcessId } from './messages.js'
import { initialProcess, stepProcess, whyNotEnter, type ProcessEvent, type ProcessState } from './process.js'
import { parseClientRequest, parsePeerMessage } from './wire.js'

const id = Number(argument('id'))
const peers = (argument('peers') ?? '').split(',').map(Number)
const bug = argument('bug') as MutexBug
if (!Number.isInteger(id) || id < 0 || id >= peers.length || peers.length < 2 || peers.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) {
  throw new InputError('usage: process-node --id I --peers P1,P2,... [--bug NAME] --port P')
}
if (bug !== undefined && !BUGS.includes(bug)) throw new InputError(`unknown bug '${bug}' (known: ${BUGS.join(', ')})`)
const config = { processes: peers.length, bug }
const name = processName(id)

let state: ProcessState = initialProcess(id, peers.length)

// ---- peers (runtime/peer-links.ts) ----
const peerLinks = new PeerLinks<ProcessId, MutexMessage>((to) => peers[to], (m) => ({ from: id, ...m }))

// ---- the core ----

function step(event: ProcessEvent): boolean {
  const t = stepProcess(config, state, event)
  if (isRefused(t)) return false
  state = t.state
  for (const effect of t.effects) peerLinks.send(effect.to, effect.message)
  return true
}

// ---- clients ----

/** Clients waiting for the critical section, in arrival order; while the process is in the
 * critical section, the first one holds it. */
const queue: Connection[] = []

/** Take every step the clients' wishes allow: enter when the algorithm lets the pending
 * request in (granting the first client, or leaving at once if every client has gone), and
 * request again when clients wait and no request is pending. */
function pump() {
  for (let progress = true; progress; ) {
    progress = false
    if (!state.inCritical && state.req[id] !== 0 && whyNotEnter(config, state) === null) {
      step({ type: 'Enter' })
      const holder = queue[0]
      if (holder) holder.send({ type: 'Granted', clock: state.req[id] })
      else step({ type: 'Exit' })
      progress = true
    }
    if (!state.inCritical && state.req[id] === 0 && queue.length > 0) progress = step({ type: 'Request' }) || progress
  }
}

/** `client` is done: it leaves the queue, and if it held the critical section the process exits. */
function leave(client: Connection) {
  const at = queue.indexOf(client)
  if (at < 0) return
  queue.splice(at, 1)
  if (at === 0 && state.inCritical) step({ type: 'Exit' })
  pump()
}

function answerClient(connection: Connection, raw: unknown) {
  const request = parseClientRequest(raw)
  if (request === null) {
    process.stderr.write(`${name}: dropped a frame that is neither a peer message nor a client request\n`)
    return
  }
  switch (request.type) {
    case 'Inspect': {
      const { clock, req, ack, inCritical } = state
      connection.send({ id, clock, req, ack, inCritical, queued: queue.length })
      return
    }
    case 'Acquire':
      if (queue.includes(connection)) return
      queue.push(connection)
      connection.onClose(() => leave(connection))
      pump()
      return
    case 'Release':
      if (queue[0] !== connection || !state.inCritical) {
        connection.send({ type: 'Refused', reason: `this client does not hold ${name}'s critical section` })
        return
      }
      leave(connection)
      connection.send({ type: 'Released' })
      return
  }
}

// ---- serving ----

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    if (raw !== null && typeof raw === 'object' && 'from' in raw) {
      const received = parsePeerMessage(raw, id, peers.length)
      if (received === null) {
        process.stderr.write(`${name}: dropped a malformed peer message\n`)
        return
      }
      step({ type: 'Receive', from: received.from, message: received.message })
      pump()
      return
    }
    answerClient(connection, raw)
  })
})
onShutdown(async () => {
  peerLinks.close()
  await server.close()
})
announceListening(server.port)
