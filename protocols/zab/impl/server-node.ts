// A Zab server as a process on 127.0.0.1, running the same core as the replay driver:
//   node server-node.js --id I --peers P1,P2,P3 --data DIR --tick-ms MS [--bug NAME] --port P
// (--peers lists every server's port, its own included, in id order.)
//
// What the core leaves to the process: timers and failure detection. Every tick a looking
// server sends its vote and leads if its vote is the highest of a quorum of fresh votes; a
// follower pulls proposals and the commit point and steps down (Restart) when its leader has
// been silent too long; a leader commits what it can and steps down when it has not heard a
// quorum. The disk is a JSON file holding the epochs, the logged prefix of the history and
// the delivered transactions, written (atomically, by rename) whenever they change, read back
// on start: a SIGKILL loses exactly what the core had not made durable.
//
// Clients talk to any server over the same port: { type: 'ClientRequest' } (a leader
// proposes and answers { ok, zxid }) and { type: 'Inspect' } (the server's state). The
// ZooKeeper client API over a key-value state machine (client-api.ts): Write, Sync, Read.
// { type: 'Partition', blocked: [ids] } drops all traffic with those servers (fault tests).

import { join } from 'node:path'
import { InputError } from '../../../checker/errors.js'
import { readJsonFile, writeFileDurably } from '../../../runtime/json-file.js'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused, type Send } from '../../../conformance/transition.js'
import { lastZxid, type ServerId, type Vote, type ZabBug, type ZabMessage } from './messages.js'
import { ClientApi, type ClientApiRequest } from './client-api.js'
import { established, initialServer, stepServer, voteBeats, voteOf, type ZabEvent, type ZabServerState } from './server.js'

const id = Number(argument('id'))
const peers = (argument('peers') ?? '').split(',').map(Number)
const dataDir = argument('data')
const tickMs = Number(argument('tick-ms') ?? '20')
if (!Number.isInteger(id) || id < 0 || id >= peers.length || peers.some((p) => !Number.isInteger(p) || p <= 0) || !dataDir) {
  throw new InputError('usage: server-node --id I --peers P1,P2,... --data DIR --tick-ms MS [--bug NAME] --port P')
}
const config = { servers: peers.length, bug: argument('bug') as ZabBug }
const quorum = Math.floor(peers.length / 2) + 1
/** A silent leader, or a leader without a quorum of followers heard, is given up after this. */
const TIMEOUT_MS = tickMs * 10
/** Votes older than this no longer count: their sender may have moved on. */
const VOTE_FRESH_MS = tickMs * 5

// ---- the disk ----

const file = join(dataDir, `server${id + 1}.json`)
type OnDisk = Pick<ZabServerState, 'acceptedEpoch' | 'currentEpoch' | 'delivered'> & { log: ZabServerState['history'] }
const persisted = (s: ZabServerState) =>
  JSON.stringify({ acceptedEpoch: s.acceptedEpoch, currentEpoch: s.currentEpoch, log: s.history.slice(0, s.durable), delivered: s.delivered } satisfies OnDisk)

function load(): ZabServerState {
  const fresh = initialServer(id, peers.length)
  const disk = readJsonFile<OnDisk>(file)
  if (!disk) return fresh
  return { ...fresh, acceptedEpoch: disk.acceptedEpoch, currentEpoch: disk.currentEpoch, history: disk.log, durable: disk.log.length, delivered: disk.delivered }
}

let state = load()
let onDisk = persisted(state)

function save() {
  const now = persisted(state)
  if (now === onDisk) return
  writeFileDurably(file, now)
  onDisk = now
}

// ---- the network ----

const outbound = new Map<ServerId, { connection?: Connection; waiting: ZabMessage[] }>()

/** Servers cut off by a Partition request: nothing goes to them or is taken from them. */
let blocked = new Set<ServerId>()

function send({ to, message }: Send<ServerId, ZabMessage>) {
  if (blocked.has(to)) return
  let link = outbound.get(to)
  if (!link) outbound.set(to, (link = { waiting: [] }))
  if (link.connection && !link.connection.closed) {
    link.connection.send(message)
    return
  }
  link.waiting.push(message)
  if (link.waiting.length > 1) return // already connecting
  const current = link
  connect(peers[to], TIMEOUT_MS).then(
    (connection) => {
      current.connection = connection
      for (const m of current.waiting.splice(0)) connection.send(m)
    },
    // The peer is down: what was waiting is lost, as on a real network.
    () => void current.waiting.splice(0),
  )
}

// ---- the core ----

const heardAt = new Map<ServerId, number>()
const votes = new Map<ServerId, { vote: Vote; at: number }>()
let roleSince = Date.now()
/** Since when this looking server's vote has been the highest of a quorum of fresh votes. */
let winningSince: number | undefined

function step(event: ZabEvent): boolean {
  const t = stepServer(config, state, event)
  if (isRefused(t)) return false
  if (t.state.role !== state.role) roleSince = Date.now()
  state = t.state
  save()
  for (const effect of t.effects) send(effect)
  clients.changed(state, established(config, state))
  return true
}

function restart() {
  heardAt.clear()
  votes.clear()
  step({ type: 'Restart' })
}

function receive(message: ZabMessage) {
  if (blocked.has(message.from)) return
  // A vote says its sender is looking: it is not evidence of a live leader or follower.
  if (message.type !== 'Vote') heardAt.set(message.from, Date.now())
  if (message.type === 'Vote' && state.role === 'looking') {
    votes.set(message.from, { vote: message, at: Date.now() })
    return
  }
  step({ type: 'Receive', message })
}

function tick() {
  clients.changed(state, established(config, state))
  const now = Date.now()
  const fresh = (from: ServerId) => now - (heardAt.get(from) ?? 0) < TIMEOUT_MS
  switch (state.role) {
    case 'looking': {
      step({ type: 'Nominate' })
      const mine = voteOf(state)
      const others = [...votes.values()].filter((v) => now - v.at < VOTE_FRESH_MS).map((v) => v.vote)
      const highest = others.length + 1 >= quorum && others.every((v) => voteBeats(mine, v))
      if (!highest) winningSince = undefined
      else winningSince ??= now
      // Lead at once when every server's vote is in; with only a quorum's, first give the
      // missing votes time to arrive, so that two servers rarely lead the same epoch (only one
      // of them can be established, but the other has spent that epoch number).
      if (highest && (others.length === peers.length - 1 || now - winningSince! >= VOTE_FRESH_MS)) {
        winningSince = undefined
        step({ type: 'Lead', votes: [mine, ...others] })
      }
      break
    }
    case 'following':
      if (now - roleSince > TIMEOUT_MS && !fresh(state.leader)) return restart()
      if (state.synced) {
        step({ type: 'Fetch' })
        step({ type: 'PollCommit' })
        if (config.bug === 'ack-before-log') step({ type: 'Fsync' })
      }
      break
    case 'leading': {
      const heard = peers.filter((_, f) => f !== id && fresh(f)).length
      if (now - roleSince > TIMEOUT_MS && (heard + 1 < quorum || !established(config, state))) return restart()
      while (step({ type: 'CommitNext' }));
      break
    }
  }
}

// ---- serving ----

const clients = new ClientApi((txn) => (step({ type: 'Request', txn }) ? lastZxid(state.history) : null))

function answerClient(connection: Connection, request: { type: string }) {
  if (request.type === 'Partition') {
    const ids = (request as { blocked?: unknown }).blocked
    blocked = new Set(Array.isArray(ids) ? ids.filter((x): x is number => Number.isInteger(x)) : [])
    connection.send({ ok: true })
  } else if (clients.handles(request)) {
    clients.handle(connection, request as ClientApiRequest, state, established(config, state))
  } else if (request.type === 'Inspect') {
    const { role, leader, acceptedEpoch, currentEpoch, history, delivered } = state
    connection.send({ id, role, leader, acceptedEpoch, currentEpoch, established: established(config, state), history, delivered })
  } else if (request.type === 'ClientRequest') {
    const ok = step({ type: 'Request' })
    connection.send(ok ? { ok, zxid: lastZxid(state.history) } : { ok, reason: `server${id + 1} is not a leader that may propose` })
  }
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((message) => {
    const m = message as { type?: string; from?: unknown }
    if (typeof m?.type !== 'string') return
    if (typeof m.from === 'number') receive(message as ZabMessage)
    else answerClient(connection, m as { type: string })
  })
})
const timer = setInterval(tick, tickMs)
onShutdown(async () => {
  clearInterval(timer)
  for (const link of outbound.values()) link.connection?.close()
  await server.close()
})
announceListening(server.port)
