// A node of the cluster resource manager on 127.0.0.1, running the same core as the driver:
//   node cluster-node.js --id I --peers P1,...,PN --storage FILE [--bug NAME]
//     [--token-ms T] [--fence-timeout-ms F] --port P
// (--peers lists every node's port, its own included, in id order.)
//
// A simplified corosync: every node sends a heartbeat { from, rsc } to every peer each
// HEARTBEAT_MS; the nodes it heard from within T ms (and itself) are what it can reach. When
// that set has been stable for SETTLE_MS and differs from the node's ring, the core gets the
// new Membership: without quorum it resets, which here means the process exits at once
// (code 75), as a watchdog reset would. A node that boots joins no ring until it can reach a
// quorate one (rather than resetting in a loop). A node outside the ring for F ms (the
// stonith-watchdog-timeout, chosen well above T + SETTLE_MS) is counted as fenced.
//
// Placement: when its ring is intact (stable and equal to what it reaches), the lowest-id
// member starts the group if no member's heartbeat shows it active: it mounts the shared
// storage, then starts the database. While the group is not stopped here, the node appends
// a line `nodeI <seq>` to the storage file every HEARTBEAT_MS: the storage's writers over
// time, which tests read to see that writers never interleave.
//
// { type: 'Inspect' } answers the node's state; { type: 'Isolate', from } cuts it off from
// those nodes (both directions, if sent to both sides). Other frames are dropped and logged.

import { appendFileSync } from 'node:fs'
import { InputError } from '../../../checker/errors.js'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { BUGS, nodeName, type FencingBug, type GroupState, type NodeId } from './messages.js'
import { quorate, stepNode, type NodeEvent, type NodeState } from './node.js'
import { parseControl, parseHeartbeat } from './wire.js'

const id = Number(argument('id'))
const peers = (argument('peers') ?? '').split(',').map(Number)
const storage = argument('storage')
const bug = argument('bug') as FencingBug
const tokenMs = Number(argument('token-ms') ?? 400)
const fenceTimeoutMs = Number(argument('fence-timeout-ms') ?? 2500)
if (!Number.isInteger(id) || id < 0 || id >= peers.length || peers.length < 2 || peers.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535) || !storage) {
  throw new InputError('usage: cluster-node --id I --peers P1,P2,... --storage FILE [--bug NAME] [--token-ms T] [--fence-timeout-ms F] --port P')
}
if (bug !== undefined && !BUGS.includes(bug)) throw new InputError(`unknown bug '${bug}' (known: ${BUGS.join(', ')})`)
if (!(tokenMs > 0 && fenceTimeoutMs > tokenMs)) throw new InputError('--fence-timeout-ms must exceed --token-ms, both positive')
const config = { nodes: peers.length, bug }
const name = nodeName(id)
const HEARTBEAT_MS = 50
const SETTLE_MS = 200
const others = peers.map((_, y) => y).filter((y) => y !== id)

const bootedAt = Date.now()
let state: NodeState = { id, up: true, member: [], clean: [], rsc: 'stopped' }
/** When each peer was last heard from, and the group's state it reported. */
const heard = new Map<NodeId, { at: number; rsc: GroupState }>()
/** When each node left this node's ring (or the boot, for a node never seen in it). */
const leftAt = new Map<NodeId, number>(others.map((y) => [y, bootedAt]))
const isolated = new Set<NodeId>()
let reachable: NodeId[] = [id]
let reachableSince = bootedAt
let writes = 0
let stopping = false

function step(event: NodeEvent): boolean {
  const t = stepNode(config, state, event)
  if (isRefused(t)) return false
  state = t.state
  if (!state.up) {
    process.stderr.write(`${name}: watchdog reset (${event.type} left it without quorum)\n`)
    process.exit(75)
  }
  return true
}

// ---- heartbeats ----

const links = new Map<NodeId, { connection?: Connection; connecting: boolean }>()

function heartbeat(to: NodeId) {
  let link = links.get(to)
  if (!link) links.set(to, (link = { connecting: false }))
  if (link.connection && !link.connection.closed) {
    link.connection.send({ from: id, rsc: state.rsc })
    return
  }
  if (link.connecting || stopping) return
  link.connecting = true
  const l = link
  connect(peers[to], 500).then(
    (connection) => {
      l.connecting = false
      l.connection = connection
    },
    () => void (l.connecting = false),
  )
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i])

function tick() {
  const now = Date.now()
  for (const y of others) if (!isolated.has(y)) heartbeat(y)
  const seen = [id, ...others.filter((y) => !isolated.has(y) && (heard.get(y)?.at ?? -Infinity) > now - tokenMs)].sort((a, b) => a - b)
  if (!same(seen, reachable)) {
    reachable = seen
    reachableSince = now
  }
  const settled = now - reachableSince >= SETTLE_MS
  if (settled && !same(reachable, state.member) && (state.member.length > 0 || quorate(config, reachable.length))) {
    for (const y of state.member) if (!reachable.includes(y)) leftAt.set(y, now)
    step({ type: 'Membership', members: reachable })
  }
  const intact = settled && same(reachable, state.member)
  if (intact) {
    for (const y of others) {
      if (!state.member.includes(y) && !state.clean.includes(y) && now - (leftAt.get(y) ?? now) >= fenceTimeoutMs) {
        if (step({ type: 'FenceTimeout', target: y })) process.stderr.write(`${name}: ${nodeName(y)} counted as fenced (stonith-watchdog-timeout)\n`)
      }
    }
    const active = others.filter((y) => state.member.includes(y) && heard.get(y)?.rsc !== 'stopped')
    if (state.rsc === 'stopped' && state.member[0] === id && active.length === 0) {
      if (step({ type: 'Start', active })) process.stderr.write(`${name}: group placed here (storage mounted)\n`)
    }
  }
  if (state.rsc === 'mounted') step({ type: 'StartDb' })
  if (state.rsc !== 'stopped') appendFileSync(storage!, `${name} ${++writes}\n`)
}

// ---- serving ----

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    if (raw !== null && typeof raw === 'object' && 'from' in raw && !Array.isArray(raw) && !('type' in raw)) {
      const beat = parseHeartbeat(raw, id, peers.length)
      if (beat === null) {
        process.stderr.write(`${name}: dropped a malformed heartbeat\n`)
        return
      }
      if (!isolated.has(beat.from)) heard.set(beat.from, { at: Date.now(), rsc: beat.rsc })
      return
    }
    const control = parseControl(raw, peers.length)
    if (control === null) {
      process.stderr.write(`${name}: dropped a frame that is neither a heartbeat nor a request\n`)
      return
    }
    if (control.type === 'Isolate') {
      for (const y of control.from) if (y !== id) isolated.add(y)
      connection.send({ type: 'Isolated', from: [...isolated].sort((a, b) => a - b) })
      return
    }
    const { up, member, clean, rsc } = state
    connection.send({ id, up, member, clean, rsc })
  })
})
const timer = setInterval(tick, HEARTBEAT_MS)
onShutdown(async () => {
  stopping = true
  clearInterval(timer)
  for (const link of links.values()) link.connection?.close()
  await server.close()
})
announceListening(server.port)
