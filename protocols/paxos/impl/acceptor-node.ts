// An acceptor as a node process: `node acceptor-node.js --id I [--state FILE] [--bug NAME] --port P`.
// Each message received on a connection is one event for the acceptor core; the reply goes
// back on that connection. A message may name a Paxos instance (`key`): the acceptor keeps
// one core state per instance (a write-once register per key), the single decree under no
// key. The state is written to FILE (and flushed to disk) before any reply leaves, so an
// acceptor that crashes and restarts keeps its promises and votes, as Paxos requires.

import { readJsonFile, writeFileDurably } from '../../../runtime/json-file.js'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { initialAcceptor, stepAcceptor, type AcceptorState } from './acceptor.js'
import type { PaxosBug } from './messages.js'
import { instanceKey, parseMessage } from './wire.js'

const id = Number(argument('id'))
if (!Number.isInteger(id) || id < 0) {
  process.stderr.write(`acceptor: --id needs a whole number, got '${argument('id')}'\n`)
  process.exit(2)
}
const bug = argument('bug') as PaxosBug
if (bug !== undefined && bug !== 'vote-below-promise') {
  process.stderr.write(`acceptor: --bug takes vote-below-promise (the acceptor's bug), got '${bug}'\n`)
  process.exit(2)
}
const stateFile = argument('state')

/** On disk: the single decree's state as it always was, and the keyed instances beside it. */
type OnDisk = AcceptorState & { instances?: Record<string, AcceptorState> }
const loaded = stateFile ? readJsonFile<OnDisk>(stateFile) : undefined
/** Every instance's state, by key ('' is the single decree). */
const instances = new Map<string, AcceptorState>(Object.entries(loaded?.instances ?? {}))
if (loaded) instances.set('', { id: loaded.id, maxBal: loaded.maxBal, maxVBal: loaded.maxVBal, maxVal: loaded.maxVal })

function persist() {
  if (!stateFile) return
  const keyed = Object.fromEntries([...instances].filter(([key]) => key !== ''))
  writeFileDurably(stateFile, JSON.stringify({ ...(instances.get('') ?? initialAcceptor(id)), instances: keyed } satisfies OnDisk))
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const message = parseMessage(raw)
    const key = instanceKey(raw)
    const state = instances.get(key ?? '') ?? initialAcceptor(id)
    // Replies name the instance they are for, when the request did.
    const reply = (m: object) => connection.send(key ? { ...m, key } : m)
    if (message === null || message.type === 'refused' || key === null) {
      reply({ type: 'refused', reason: 'not a Paxos message for an acceptor', maxBal: state.maxBal })
      return
    }
    const t = stepAcceptor({ bug }, state, { type: 'Receive', message })
    if (isRefused(t)) {
      reply({ type: 'refused', reason: t.refused, maxBal: state.maxBal })
      return
    }
    instances.set(key, t.state)
    persist()
    for (const effect of t.effects) reply(effect.message)
  })
})
onShutdown(() => server.close())
announceListening(server.port)
