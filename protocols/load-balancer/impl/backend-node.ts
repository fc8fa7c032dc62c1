// A backend as a process: `node backend-node.js --id I --store PORT [--work-ms MS] [--bug B]
// --port P`. It holds one session with the idempotency store; every request from the balancer
// arrives on a connection of its own and is answered on it (if the balancer has closed it,
// the answer is lost). Running a request takes `work-ms`; a probe is answered at once.

import { isRefused } from '../../../conformance/transition.js'
import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, type Connection } from '../../../runtime/tcp.js'
import { initialBackend, stepBackend, type BackendEvent, type BackendState } from './backend.js'
import type { Job } from './messages.js'
import { bugArgument, numberArgument } from './node-arguments.js'
import { parseBackendRequest, parseStoreAnswer } from './wire.js'

const id = numberArgument('id')
const storePort = numberArgument('store')
const workMs = numberArgument('work-ms', 50)
const config = { bug: bugArgument() }
let state: BackendState = initialBackend(id)

const step = (event: BackendEvent) => {
  const t = stepBackend(config, state, event)
  if (isRefused(t)) return []
  state = t.state
  return t.effects
}

/** The store may still be starting: try for a few seconds. */
async function storeSession(): Promise<Connection> {
  for (let tries = 0; ; tries++) {
    try {
      return await connect(storePort)
    } catch (error) {
      if (tries >= 50) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
const store = await storeSession()
let stopping = false
// Without its store a backend cannot keep its promises: stop rather than serve.
store.onClose(() => {
  if (!stopping) process.exit(1)
})

const jobName = (job: Job) => `${job.key}#${job.attempt}`
/** Each request's connection, to answer on. */
const connections = new Map<string, Connection>()
/** The jobs whose store question is outstanding, per key, in the order asked (the store
 * answers on the session in order). */
const pendingAsks = new Map<string, Job[]>()

function perform(effects: ReturnType<typeof step>) {
  for (const { to, message } of effects) {
    if (to === 'store') {
      store.send(message)
    } else if (message.type === 'Reply') {
      const name = jobName(message)
      connections.get(name)?.send(message)
      connections.delete(name)
    }
  }
}

store.onMessage((raw) => {
  const answer = parseStoreAnswer(raw)
  if (answer === null) return
  const job = pendingAsks.get(answer.key)?.shift()
  if (!job) return
  perform(step({ type: 'StoreAnswer', job, answer }))
  if (state.working.some((j) => j.key === job.key && j.attempt === job.attempt)) {
    setTimeout(() => perform(step({ type: 'Execute', job })), workMs)
  }
})
const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const request = parseBackendRequest(raw)
    if (request === null) return
    if (request.type === 'Probe') {
      for (const { message } of step({ type: 'Probe' })) connection.send(message)
      return
    }
    const job = { key: request.key, attempt: request.attempt }
    if (isRefused(stepBackend(config, state, { type: 'Receive', job }))) return
    step({ type: 'Receive', job })
    connections.set(jobName(job), connection)
    pendingAsks.set(job.key, [...(pendingAsks.get(job.key) ?? []), job])
    perform(step({ type: 'Handle', job }))
  })
})
onShutdown(async () => {
  stopping = true
  store.close()
  await server.close()
})
announceListening(server.port)
