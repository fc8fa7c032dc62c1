// One server of the replicated key-value store, as a process: the Raft core (node.ts) run by a
// RaftNode over storage in a file, peers over TCP on 127.0.0.1, and a client API on the same
// port. Started by the launcher as
//
//   node server.js --id I --peers P1,P2,P3 --dir D [--bug NAME] [--events FILE] [--no-read-index] --port P
//
// where P = P(I+1) is this server's own port. --bug builds the core with one of the raft
// model's bug switches; --events appends every event the core takes to FILE as the model
// action it stands for (event-log.ts), for `protocheck validate raft`. Messages on the port (framed JSON):
//   { kind: 'raft', message }                  from a peer; no answer
//   { kind: 'put', id, key, value }            answered { ok: true } once committed and applied,
//                                              or { ok: false, leader } (not the leader: retry)
//   { kind: 'get', key }                       answered { ok: true, value } by the leader once an
//                                              entry of its term has committed and a read-index
//                                              round confirmed it still leads (below), or
//                                              { ok: false, leader } (retry). With
//                                              --no-read-index it answers from its applied state at
//                                              once: a leader cut off and unaware it was replaced
//                                              then serves stale reads (kept to show the bug)
//   { kind: 'status' }                         { id, role, term, commitIndex, committed: ids }
//   { kind: 'partition', blocked: [ids] }      drop all traffic to and from these servers
//                                              (fault injection; [] heals)
//
// ReadIndex (etcd raft's, the dissertation's section 6.4): a read records the commit index and
// a new heartbeat round number; every AppendEntries the leader sends from then on carries the
// round in its frame ({ kind: 'raft', message, round }), and a follower echoes the round of
// the request it answers. Once a majority (the leader included) has answered in the leader's
// term with a round at least the read's, nobody else led when the read arrived; the read is
// answered once the applied index reaches the recorded commit index, or refused after
// READ_TIMEOUT_MS. This bookkeeping lives here: the sans-IO core is untouched.
//
// The runner's loop is etcd raft's: feed an event, then take the Ready: save the hard state
// (fsync'd, before any message leaves), send, apply committed entries, advance.

import { appendFileSync, existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { readJsonFile, writeFileDurably } from '../../../runtime/json-file.js'
import { argument, announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { KvStore, type PutCommand } from './kv.js'
import { parseRequest } from './wire.js'
import type { RaftBug, RaftMessage, ServerId } from './messages.js'
import type { RaftEvent } from './core.js'
import { modelSteps, RaftEventLogger } from './event-log.js'
import { RaftNode } from './ready.js'
import type { HardState, RaftStorage } from './storage.js'

const TICK_MS = 25
const READ_TIMEOUT_MS = 1000

/** The hard state in one JSON file, replaced atomically. */
export class FileStorage<V> implements RaftStorage<V> {
  constructor(private readonly path: string) {}
  load(): HardState<V> | undefined {
    return readJsonFile<HardState<V>>(this.path)
  }
  save(state: HardState<V>) {
    writeFileDurably(this.path, JSON.stringify(state))
  }
}

const id = Number(argument('id'))
const peerPorts = (argument('peers') ?? '').split(',').map(Number)
const dir = argument('dir') ?? '.'
const bug = argument('bug') as RaftBug
const eventsFile = argument('events')
const readIndexEnabled = !process.argv.includes('--no-read-index')
if (!Number.isInteger(id) || id < 0 || id >= peerPorts.length || peerPorts.some((p) => !Number.isInteger(p) || p <= 0)) {
  process.stderr.write('usage: server.js --id I --peers P1,P2,... --dir D --port P\n')
  process.exit(2)
}
const servers = peerPorts.length
const BUGS = ['vote-without-log-check', 'vote-not-persisted', 'truncate-on-stale-append', 'commit-earlier-term']
if (bug !== undefined && !BUGS.includes(bug)) {
  process.stderr.write(`unknown bug '${bug}' (raft's bugs: ${BUGS.join(', ')})\n`)
  process.exit(2)
}
const config = {
  servers,
  bug,
  // Randomised per process so that candidates rarely collide.
  electionTicks: 8 + Math.floor(Math.random() * 8),
  heartbeatTicks: 2,
}
const storage = new FileStorage<PutCommand>(join(dir, `server${id + 1}.json`))
// A server whose event log already has lines has run before: this start is a restart.
const restarted = eventsFile !== undefined && existsSync(eventsFile) && statSync(eventsFile).size > 0
const node = new RaftNode<PutCommand>(config, id, storage)
const events = eventsFile === undefined ? undefined : new RaftEventLogger(id, (text) => appendFileSync(eventsFile, text))
if (events && restarted) {
  events.record({ action: 'Restart', picks: { i: `server${id + 1}` } }, node.state, true)
  events.flush()
}
const kv = new KvStore()
let blocked = new Set<ServerId>()
/** Clients waiting for their put to be applied, by command id. */
const waiting = new Map<string, Connection[]>()
const peers = new Map<ServerId, Promise<Connection | undefined>>()

/** A read waiting for its read-index round. */
interface PendingRead {
  readonly key: string
  readonly connection: Connection
  readonly term: number
  readonly commitIndex: number
  readonly round: number
  readonly startedAt: number
}
/** The leader's heartbeat round: raised by each read, carried by every AppendEntries sent. */
let heartbeatRound = 0
/** While answering a peer's AppendEntries: the round its frame carried, echoed in the response. */
let echoRound: number | undefined
/** Per peer, the highest round it echoed, and in which term. */
const echoed = new Map<ServerId, { term: number; round: number }>()
let pendingReads: PendingRead[] = []
let appliedIndex = 0

function peer(to: ServerId): Promise<Connection | undefined> {
  let connection = peers.get(to)
  if (!connection) {
    connection = connect(peerPorts[to], 500).then(
      (c) => {
        c.onClose(() => peers.delete(to))
        return c
      },
      () => {
        peers.delete(to)
        return undefined
      },
    )
    peers.set(to, connection)
  }
  return connection
}

function sendTo(message: RaftMessage<PutCommand>) {
  if (message.to === id) {
    queueMicrotask(() => deliver(message))
    return
  }
  // A message that cannot leave is lost, and the log says so (raft.tla's DropMessage).
  if (blocked.has(message.to)) return events?.dropped(message)
  const round = message.type === 'AppendEntriesRequest' ? heartbeatRound : message.type === 'AppendEntriesResponse' ? echoRound : undefined
  const frame = round === undefined ? { kind: 'raft', message } : { kind: 'raft', message, round }
  void peer(message.to).then((c) => {
    if (!c?.send(frame)) events?.dropped(message)
  })
}

/** Feed one event; refusals are normal here (a duty that is not due yet). A taken event is
 * logged as the model steps it stands for, with this server's variables after it. */
function step(event: RaftEvent<PutCommand>) {
  const before = node.state
  const t = node.step(event)
  if (events && !isRefused(t)) {
    for (const s of modelSteps(id, event, before, t)) events.record(s, node.state, node.state.log !== before.log)
  }
  return t
}

function deliver(message: RaftMessage<PutCommand>, round?: number) {
  if (message.from !== id && blocked.has(message.from)) return events?.dropped(message)
  if (message.type === 'AppendEntriesRequest') echoRound = round
  try {
    receive(message)
  } finally {
    echoRound = undefined
  }
  // An answer in the leader's own term, to a request sent at or after `round`: that peer
  // still followed this leader then.
  if (message.type === 'AppendEntriesResponse' && round !== undefined && node.state.role === 'Leader' && message.term === node.state.currentTerm) {
    const before = echoed.get(message.from)
    if (!before || before.term !== message.term || before.round < round) echoed.set(message.from, { term: message.term, round })
    answerReads()
  }
}

function receive(message: RaftMessage<PutCommand>) {
  // A message the spec leaves in the network (a term update, an entry appended) is handled again.
  let used = false
  for (let rounds = 0; rounds < 4; rounds++) {
    const t = step({ type: 'Receive', message })
    if (isRefused(t) || !t.retained) {
      used = !isRefused(t)
      break
    }
  }
  // Refused, or still not used up: this server drops it.
  if (!used) events?.dropped(message)
  // A follower that refused an entry gets the one before it at once, not at the next heartbeat.
  if (message.type === 'AppendEntriesResponse' && !message.success && node.state.role === 'Leader') step({ type: 'AppendEntries', to: message.from })
  duties()
}

/** What a running server does on its own after each event: ask for votes right after timing
 * out, take leadership when it has a majority, commit, and keep followers fed. */
function duties() {
  const before = node.state
  if (before.role === 'Candidate') {
    for (let to = 0; to < servers; to++) if (!before.votesResponded.includes(to)) step({ type: 'RequestVote', to })
    const t = step({ type: 'BecomeLeader' })
    if (!isRefused(t)) {
      // A no-op of the new term: once it commits, every entry committed before is known
      // committed here too, and reads may be served (the dissertation's section 6.4).
      step({ type: 'Propose', value: { id: `noop-${node.state.currentTerm}-${id}`, key: '', value: '' } })
      for (let to = 0; to < servers; to++) if (to !== id) step({ type: 'AppendEntries', to })
    }
  }
  if (node.state.role === 'Leader') step({ type: 'AdvanceCommitIndex' })
  flush()
}

function flush() {
  const ready = node.ready()
  if (ready.hardState) storage.save(ready.hardState)
  // Logged once saved (a crash before the save loses the events with the state) and before any
  // message leaves, so that every receive is stamped later than its send.
  events?.flush()
  for (const { message } of ready.messages) sendTo(message)
  for (const entry of ready.committed) {
    kv.apply(entry.value)
    for (const client of waiting.get(entry.value.id) ?? []) client.send({ ok: true })
    waiting.delete(entry.value.id)
  }
  node.advance(ready)
  appliedIndex = ready.appliedIndex
  answerReads()
}

/** Answer every pending read whose round is confirmed and applied, refuse those that can no
 * longer be (leadership lost, or timed out), keep the rest waiting. */
function answerReads() {
  if (pendingReads.length === 0) return
  const s = node.state
  const now = Date.now()
  pendingReads = pendingReads.filter((read) => {
    if (s.role !== 'Leader' || s.currentTerm !== read.term) return void read.connection.send({ ok: false, leader: leaderHint() })
    let acknowledged = 1
    for (const [, e] of echoed) if (e.term === read.term && e.round >= read.round) acknowledged++
    if (2 * acknowledged > servers && appliedIndex >= read.commitIndex) return void read.connection.send({ ok: true, value: kv.get(read.key) ?? null })
    if (now - read.startedAt >= READ_TIMEOUT_MS) return void read.connection.send({ ok: false, leader: id })
    return true
  })
}

function tick() {
  const state = node.state
  step({ type: 'Tick' })
  // A leader streams the next entry to every follower that is behind.
  if (state.role === 'Leader') {
    for (let to = 0; to < servers; to++) if (to !== id && node.state.nextIndex[to] <= node.state.log.length) step({ type: 'AppendEntries', to })
  }
  duties()
  answerReads() // timeouts
}

function leaderHint(): ServerId | null {
  return node.state.role === 'Leader' ? id : null
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const request = parseRequest(raw, servers)
    if (!request) {
      // A peer's frame gets no answer (peers never read one); anything else learns why.
      if ((raw as { kind?: unknown } | null)?.kind !== 'raft') connection.send({ ok: false, error: 'malformed request' })
      return
    }
    switch (request.kind) {
      case 'raft':
        deliver(request.message, request.round)
        return
      case 'put': {
        const command = { id: request.id, key: request.key, value: request.value }
        if (kv.has(command.id)) return void connection.send({ ok: true })
        if (node.state.role !== 'Leader') return void connection.send({ ok: false, leader: leaderHint() })
        waiting.set(command.id, [...(waiting.get(command.id) ?? []), connection])
        step({ type: 'Propose', value: command })
        for (let to = 0; to < servers; to++) if (to !== id) step({ type: 'AppendEntries', to })
        duties()
        return
      }
      case 'get': {
        if (node.state.role !== 'Leader') return void connection.send({ ok: false, leader: leaderHint() })
        // Until an entry of its own term commits, a new leader may not know what is committed.
        const s = node.state
        const settled = s.commitIndex > 0 && s.commitIndex <= s.log.length && s.log[s.commitIndex - 1].term === s.currentTerm
        if (!settled) return void connection.send({ ok: false, leader: id })
        if (!readIndexEnabled) return void connection.send({ ok: true, value: kv.get(request.key) ?? null })
        heartbeatRound++
        pendingReads.push({ key: request.key, connection, term: s.currentTerm, commitIndex: s.commitIndex, round: heartbeatRound, startedAt: Date.now() })
        for (let to = 0; to < servers; to++) if (to !== id) step({ type: 'AppendEntries', to })
        duties() // sends the round, and answers at once when this server alone is a majority
        return
      }
      case 'status': {
        const s = node.state
        const committed = s.log.slice(0, Math.min(s.commitIndex, s.log.length)).map((e) => e.value.id)
        return void connection.send({ id, role: s.role, term: s.currentTerm, commitIndex: s.commitIndex, committed, log: s.log.map((e) => e.value.id) })
      }
      case 'partition':
        blocked = new Set(request.blocked)
        for (const b of blocked) void peers.get(b)?.then((c) => c?.close())
        return void connection.send({ ok: true })
    }
  })
})

const timer = setInterval(tick, TICK_MS)
onShutdown(async () => {
  clearInterval(timer)
  for (const c of peers.values()) (await c)?.close()
  await server.close()
})
announceListening(server.port)
