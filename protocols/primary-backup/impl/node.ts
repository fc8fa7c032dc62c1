// A node of the primary/backup service on 127.0.0.1, running the same cores as the driver:
//   node node.js --index I --ports P0,P1,...,Pn [--bug NAME] --port P
// Index 0 is the view service; index i >= 1 is server s_i (id i-1). --ports lists every
// node's port in index order, its own included.
//
// View service: answers every { type: 'Ping', from, view } and { type: 'GetView' } with the
// current view { type: 'View', view, primary, backup, acked }; a primary or backup that has not
// pinged for DEAD_MS is suspected (the core refuses while the view is not acknowledged).
//
// Server: pings the view service every TICK_MS with the view it acknowledges (pingView) and
// learns newer views from the answers; talks to its peers over one TCP connection each way,
// messages kept and retried until the peer is up. Clients send { type: 'Put', value } or
// { type: 'Get' }: the primary serves them one at a time, forwarding each to its backup (the
// core), and answers { type: 'Ok', op, value }; a server that is not primary answers
// { type: 'NotPrimary', view }. { type: 'Inspect' } answers the server's state. Frames that
// are none of these are dropped and logged.

import { InputError } from '../../../checker/errors.js'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { PeerLinks } from '../../../runtime/peer-links.js'
import { listen, request, type Connection } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { BUGS, NIL, serverName, type ClientReply, type ClientRequest, type PrimaryBackupBug, type ServerId, type ServerMessage } from './messages.js'
import { initialServer, isPrimary, pingView, stepServer, type ServerEvent, type ServerState } from './server.js'
import { initialViewService, stepViewService, type ViewServiceState } from './viewservice.js'
import { parseClientRequest, parsePeerMessage, parseViewServiceRequest } from './wire.js'

const TICK_MS = 100
const DEAD_MS = 500

const index = Number(argument('index'))
const ports = (argument('ports') ?? '').split(',').map(Number)
const bug = argument('bug') as PrimaryBackupBug
if (!Number.isInteger(index) || index < 0 || index >= ports.length || ports.length < 3 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) {
  throw new InputError('usage: node --index I --ports P0,P1,...,Pn (n >= 2 servers) [--bug NAME] --port P')
}
if (bug !== undefined && !BUGS.includes(bug)) throw new InputError(`unknown bug '${bug}' (known: ${BUGS.join(', ')})`)
const servers = ports.length - 1
// (serve and the launcher put the node's name before each log line)
const log = (line: string) => process.stderr.write(`${line}\n`)

if (index === 0) await runViewService()
else await runServer(index - 1)

async function runViewService() {
  let vs: ViewServiceState = initialViewService()
  const lastPing = new Map<ServerId, number>()
  const current = () => ({ type: 'View', view: vs.view, primary: vs.primary, backup: vs.backup, acked: vs.acked })

  const server = await listen(portArgument(), (connection) => {
    connection.onMessage((raw) => {
      const r = parseViewServiceRequest(raw, servers)
      if (r === null) return log('dropped a frame that is neither a ping nor a view request')
      if (r.type === 'Ping') {
        lastPing.set(r.from, Date.now())
        const t = stepViewService(vs, { type: 'Ping', from: r.from, view: r.view })
        if (!isRefused(t)) {
          vs = t.state
          log(`view ${vs.view}: primary ${serverName(vs.primary)}, backup ${serverName(vs.backup)}${vs.acked ? ' (acknowledged)' : ''}`)
        }
      }
      connection.send(current())
    })
  })
  const timer = setInterval(() => {
    const now = Date.now()
    for (const s of [vs.primary, vs.backup]) {
      if (s === NIL || now - (lastPing.get(s) ?? now) <= DEAD_MS) continue
      const t = stepViewService(vs, { type: 'Suspect', server: s })
      if (isRefused(t)) continue
      vs = t.state
      log(`${serverName(s)} missed its pings: view ${vs.view}, primary ${serverName(vs.primary)}, backup ${serverName(vs.backup)}`)
    }
  }, TICK_MS)
  onShutdown(async () => {
    clearInterval(timer)
    await server.close()
  })
  announceListening(server.port)
}

async function runServer(id: ServerId) {
  const config = { bug }
  let state: ServerState = initialServer(id)
  let operations = 0

  interface Waiting {
    readonly request: ClientRequest
    readonly client: Connection
  }
  /** The client operation being served, and those waiting for it. */
  let pending: Waiting | null = null
  const queue: { op: 'write' | 'read'; value: number; client: Connection }[] = []

  // ---- peers (runtime/peer-links.ts) ----
  const peerLinks = new PeerLinks<ServerId, ServerMessage>((to) => ports[to + 1], (message) => ({ from: id, message }))

  // ---- the core ----
  function step(event: ServerEvent): boolean {
    const t = stepServer(config, state, event)
    if (isRefused(t)) return false
    state = t.state
    for (const { to, message } of t.effects) {
      if (to === 'client') answer(message as ClientReply)
      else peerLinks.send(to, message as ServerMessage)
    }
    return true
  }

  function answer(reply: ClientReply) {
    if (pending === null || pending.request.seq !== reply.seq) return
    pending.client.send({ type: 'Ok', op: reply.op, value: reply.value })
    pending = null
  }

  /** Serve the clients as far as the protocol allows. */
  function pump() {
    for (let progress = true; progress; ) {
      progress = false
      if (pending === null && queue.length > 0) {
        const next = queue.shift()!
        // Number the operation after every write this server has seen (its own, or the
        // state it received), so that its backup never takes it for a late copy.
        operations = Math.max(operations, state.seen) + 1
        pending = { request: { seq: operations, op: next.op, value: next.value }, client: next.client }
      }
      if (pending === null) return
      if (!isPrimary(state)) {
        pending.client.send({ type: 'NotPrimary', view: state.view })
        pending = null
        progress = true
        continue
      }
      if (step({ type: 'Serve', request: pending.request, ok: null })) progress = true
      else step({ type: 'Request', request: pending.request })
    }
  }

  // ---- the view service ----
  const pinger = setInterval(() => {
    request(ports[0], { type: 'Ping', from: id, view: Math.max(0, pingView(config, state)) }, 1000).then(
      (raw) => {
        const v = raw as Record<string, unknown>
        if (v === null || typeof v !== 'object' || v.type !== 'View') return
        const { view, primary, backup } = v as { view: unknown; primary: unknown; backup: unknown }
        const known = (x: unknown) => x === NIL || (Number.isInteger(x) && (x as number) >= 0 && (x as number) < servers)
        if (!Number.isSafeInteger(view) || !known(primary) || !known(backup)) return
        if ((view as number) > state.view && step({ type: 'Learn', view: { view: view as number, primary: primary as number, backup: backup as number } })) {
          log(`view ${state.view}: ${isPrimary(state) ? 'primary' : state.backup === id ? 'backup' : 'idle'}`)
        }
        pump()
      },
      () => {},
    )
  }, TICK_MS)

  // ---- serving ----
  const server = await listen(portArgument(), (connection) => {
    connection.onMessage((raw) => {
      if (raw !== null && typeof raw === 'object' && 'from' in raw) {
        const received = parsePeerMessage(raw, id, servers)
        if (received === null) return log('dropped a malformed peer message')
        const m = received.message
        if (m.type === 'ForwardOk') {
          if (pending !== null && pending.request.seq === m.seq) step({ type: 'Serve', request: pending.request, ok: m })
        } else step({ type: 'Receive', message: m })
        pump()
        return
      }
      const r = parseClientRequest(raw)
      if (r === null) return log('dropped a frame that is neither a peer message nor a client request')
      if (r.type === 'Inspect') {
        const { view, primary, backup, value, seen, synced } = state
        connection.send({ id, view, primary, backup, value, seen, synced })
        return
      }
      queue.push({ op: r.type === 'Put' ? 'write' : 'read', value: r.type === 'Put' ? r.value : 0, client: connection })
      pump()
    })
  })
  onShutdown(async () => {
    clearInterval(pinger)
    peerLinks.close()
    await server.close()
  })
  announceListening(server.port)
}
