// The load balancer as a process: `node balancer-node.js --backends P1,P2,... [--policy 0|1]
// [--timeout-ms MS] [--health-ms MS] [--bug B] --port P`. Clients send requests on their own
// connections and get the answer or a failure back on them. Each dispatched attempt opens a
// connection to its backend, closed when the answer comes, when it times out (or cannot be
// opened: the backend is gone), or when the health checks mark its backend down. Every
// `health-ms` each backend is probed; a probe unanswered within the period marks it down.
// Ties under least connections are broken at random.

import { isRefused } from '../../../conformance/transition.js'
import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, request, type Connection } from '../../../runtime/tcp.js'
import { choices, initialBalancer, stepBalancer, type BalancerEvent, type BalancerState } from './balancer.js'
import type { Policy } from './messages.js'
import { bugArgument, numberArgument, portsArgument, usage } from './node-arguments.js'
import { parseBackendReply, parseClientRequest } from './wire.js'

const backendPorts = portsArgument('backends')
const policy = numberArgument('policy', 0)
if (policy !== 0 && policy !== 1) usage(`--policy must be 0 (round robin) or 1 (least connections), got ${policy}`)
const timeoutMs = numberArgument('timeout-ms', 1000)
const healthMs = numberArgument('health-ms', 200)
const config = { backends: backendPorts.length, policy: policy as Policy, bug: bugArgument() }
let state: BalancerState = initialBalancer(backendPorts.length)

/** The connection each waiting client's answer goes back on, by key. */
const clients = new Map<string, Connection>()
/** The open upstream connection of each dispatched request, by key, with its timer. */
const upstream = new Map<string, { attempt: number; connection?: Connection; timer: NodeJS.Timeout }>()

function step(event: BalancerEvent) {
  const t = stepBalancer(config, state, event)
  if (isRefused(t)) return false
  state = t.state
  for (const { to, message } of t.effects) {
    if (typeof to === 'object' && 'client' in to) {
      clients.get(to.client)?.send(message)
      clients.delete(to.client)
    } else if (typeof to === 'object' && 'backend' in to && message.type === 'Work') {
      openUpstream(to.backend, message.key, message.attempt)
    }
  }
  // Close every upstream connection the balancer no longer holds open.
  for (const [key, up] of upstream) {
    const route = state.routes[key]
    if (route?.at === 'sent' && route.attempt === up.attempt) continue
    clearTimeout(up.timer)
    up.connection?.close()
    upstream.delete(key)
  }
  return true
}

function openUpstream(backend: number, key: string, attempt: number) {
  const entry: { attempt: number; connection?: Connection; timer: NodeJS.Timeout } = {
    attempt,
    timer: setTimeout(() => step({ type: 'Timeout', key }), timeoutMs),
  }
  upstream.set(key, entry)
  connect(backendPorts[backend], timeoutMs).then(
    (connection) => {
      if (upstream.get(key) !== entry) return connection.close()
      entry.connection = connection
      connection.onMessage((raw) => {
        const reply = parseBackendReply(raw)
        if (reply?.type === 'Reply' && reply.key === key && reply.attempt === attempt) step({ ...reply, type: 'Reply', backend })
      })
      connection.send({ type: 'Work', key, attempt })
    },
    // The backend is gone (connection refused): the attempt fails as a timeout would.
    () => {
      if (upstream.get(key) === entry) step({ type: 'Timeout', key })
    },
  )
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const req = parseClientRequest(raw)
    if (req === null) return
    if (!step({ type: 'Request', key: req.key, attempt: req.attempt })) {
      connection.send({ type: 'Failed', key: req.key, attempt: req.attempt, reason: 'a request under this key is already in progress' })
      return
    }
    clients.set(req.key, connection)
    const options = choices(config, state)
    step({ type: 'Dispatch', key: req.key, tieBreak: options[Math.floor(Math.random() * options.length)] })
  })
})

const probes = setInterval(() => {
  backendPorts.forEach((port, backend) => {
    request(port, { type: 'Probe' }, healthMs).then(
      (reply) => step({ type: 'Health', backend, up: parseBackendReply(reply)?.type === 'Healthy' }),
      () => step({ type: 'Health', backend, up: false }),
    )
  })
}, healthMs)

onShutdown(async () => {
  clearInterval(probes)
  for (const up of upstream.values()) {
    clearTimeout(up.timer)
    up.connection?.close()
  }
  await server.close()
})
announceListening(server.port)
