// Replay/conformance driver for Raft: `servers` RaftNodes, each with in-memory storage, over a
// network that is raft.tla's bag (message -> count). Each model action is one event at one
// node:
//
//   Restart(i)                     node i is rebuilt from its storage (a crash and restart)
//   Timeout(i), BecomeLeader(i), AdvanceCommitIndex(i)      that event at node i
//   RequestVote(i, j), AppendEntries(i, j)                  node i's send to j
//   ClientRequest(i, v)            Propose(v) at node i
//   UpdateTerm(m) ... HandleAppendEntriesResponse(m)        m delivered to m.mdest; the handler the
//                                  node took must be the action's, or the replay diverges
//   DuplicateMessage(m), DropMessage(m)                     the network copies or loses m
//
// After every event the driver does what a runner does with the node's Ready: saves the hard
// state to storage, puts the messages into the network, and advances.
//
// The model's history variables are kept here, the way raft.tla defines them, by watching the
// steps go by: allLogs (the logs before each step), elections (at each BecomeLeader), voterLog
// (the voter's log when it granted a vote) and the mlog field of vote responses and
// AppendEntries requests. The nodes know nothing of them.

import { canonicalJson } from '../../checker/canonical-json.js'
import { isRefused } from '../../conformance/transition.js'
import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import type { Entry, RaftBug, RaftMessage, ServerId } from './impl/messages.js'
import type { RaftEvent, RaftTransition } from './impl/core.js'
import { RaftNode } from './impl/ready.js'
import { MemoryStorage } from './impl/storage.js'

type Value = number
type Log = readonly Entry<Value>[]

/** A message as the model writes it (field names of raft.tla, history field mlog included). */
type ModelMessage = Record<string, unknown> & { mtype: string; mterm: number; msource: number; mdest: number }

interface VoterLog {
  voted: boolean
  log: Log
}

const HANDLERS = new Set([
  'UpdateTerm',
  'HandleRequestVoteRequest',
  'DropStaleResponse',
  'HandleRequestVoteResponse',
  'RejectAppendEntriesRequest',
  'ReturnToFollower',
  'AcceptAppendEntriesRequest',
  'ConflictAppendEntriesRequest',
  'AppendEntriesRequestAppend',
  'HandleAppendEntriesResponse',
])

const plainLog = (log: Log) => log.map((e) => ({ term: e.term, value: e.value }))

class RaftCluster implements Driver {
  private readonly nodes: RaftNode<Value>[]
  private readonly storages: MemoryStorage<Value>[]
  /** raft.tla's messages: canonical JSON of the model message -> [message, count]. */
  private readonly bag = new Map<string, [ModelMessage, number]>()
  private readonly elections: unknown[] = []
  private readonly allLogs = new Map<string, Log>()
  private readonly voterLog: VoterLog[][]

  constructor(private readonly servers: number, private readonly bug: RaftBug, private readonly history = true) {
    this.storages = Array.from({ length: servers }, () => new MemoryStorage<Value>())
    this.nodes = this.storages.map((storage, i) => new RaftNode<Value>({ servers, bug }, i, storage))
    this.voterLog = this.nodes.map(() => this.noVoterLog())
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const logsBefore = this.nodes.map((n) => n.state.log)
    this.applyStep(action, picks)
    // Next's history conjunct: allLogs' = allLogs \cup {log[i] : i \in Server}.
    if (this.history) for (const log of logsBefore) this.allLogs.set(canonicalJson(plainLog(log)), log)
  }

  private applyStep(action: string, picks: Readonly<Record<string, unknown>>) {
    if (HANDLERS.has(action)) return this.deliver(action, this.message(picks))
    switch (action) {
      case 'Restart': {
        const i = this.server(picks.i)
        this.nodes[i] = new RaftNode<Value>({ servers: this.servers, bug: this.bug }, i, this.storages[i])
        this.voterLog[i] = this.noVoterLog()
        return
      }
      case 'Timeout': {
        const i = this.server(picks.i)
        this.step(i, { type: 'Timeout' })
        this.voterLog[i] = this.noVoterLog()
        return
      }
      case 'RequestVote':
        return this.step(this.server(picks.i), { type: 'RequestVote', to: this.server(picks.j) })
      case 'BecomeLeader': {
        const i = this.server(picks.i)
        const before = this.nodes[i].state
        this.step(i, { type: 'BecomeLeader' })
        if (this.history) this.elections.push({
          eterm: before.currentTerm,
          eleader: i,
          elog: plainLog(before.log),
          evotes: [...before.votesGranted],
          evoterLog: this.voterLog[i].map((v) => ({ voted: v.voted, log: plainLog(v.log) })),
        })
        return
      }
      case 'ClientRequest':
        return this.step(this.server(picks.i), { type: 'Propose', value: this.value(picks.v) })
      case 'AdvanceCommitIndex':
        return this.step(this.server(picks.i), { type: 'AdvanceCommitIndex' })
      case 'AppendEntries':
        return this.step(this.server(picks.i), { type: 'AppendEntries', to: this.server(picks.j) })
      case 'DuplicateMessage': {
        const m = this.message(picks)
        this.inBag(m)
        return this.add(m)
      }
      case 'DropMessage':
        return this.remove(this.message(picks))
      default:
        throw new NotEnabledError(`raft has no action ${action}`)
    }
  }

  async observe() {
    const states = this.nodes.map((n) => n.state)
    return {
      messages: [...this.bag.values()].map(([m, count]) => [m, count]),
      elections: this.elections,
      allLogs: [...this.allLogs.values()].map(plainLog),
      currentTerm: states.map((s) => s.currentTerm),
      state: states.map((s) => s.role),
      votedFor: states.map((s) => (s.votedFor === null ? -1 : s.votedFor)),
      log: states.map((s) => plainLog(s.log)),
      commitIndex: states.map((s) => s.commitIndex),
      votesResponded: states.map((s) => [...s.votesResponded]),
      votesGranted: states.map((s) => [...s.votesGranted]),
      voterLog: this.voterLog.map((row) => row.map((v) => ({ voted: v.voted, log: plainLog(v.log) }))),
      nextIndex: states.map((s) => [...s.nextIndex]),
      matchIndex: states.map((s) => [...s.matchIndex]),
    }
  }

  /** Deliver m to its destination; the node must take it with the handler the model names. */
  private deliver(action: string, m: ModelMessage) {
    this.inBag(m)
    const i = m.mdest
    const logBefore = this.nodes[i].state.log
    const t = this.stepNode(i, { type: 'Receive', message: toRaft(m) })
    if (t.handled !== action) throw new NotEnabledError(`server${i + 1} handled the message with ${t.handled}, not ${action}`)
    if (!t.retained) this.remove(m)
    if (this.history && action === 'HandleRequestVoteResponse' && m.mvoteGranted === true && !this.voterLog[i][m.msource].voted) {
      // voterLog[i] @@ (j :> m.mlog): the first log recorded for a voter stays.
      this.voterLog[i][m.msource] = { voted: true, log: m.mlog as Log }
    }
    this.flush(i, logBefore)
  }

  private step(i: ServerId, event: RaftEvent<Value>) {
    const logBefore = this.nodes[i].state.log
    this.stepNode(i, event)
    this.flush(i, logBefore)
  }

  private stepNode(i: ServerId, event: RaftEvent<Value>) {
    const t: RaftTransition<Value> = this.nodes[i].step(event)
    if (isRefused(t)) throw new NotEnabledError(`server${i + 1}: ${t.refused}`)
    return t
  }

  /** What a runner does with the node's Ready: save, send (into the bag, with the history
   * field mlog: the sender's log when it sent), advance. */
  private flush(i: ServerId, senderLog: Log) {
    const node = this.nodes[i]
    const ready = node.ready()
    if (ready.hardState) this.storages[i].save(ready.hardState)
    for (const { message } of ready.messages) this.add(toModel(message, this.history ? senderLog : []))
    node.advance(ready)
  }

  private inBag(m: ModelMessage) {
    if (!this.bag.has(canonicalJson(m))) throw new NotEnabledError(`no such message in the network: ${canonicalJson(m)}`)
  }

  private add(m: ModelMessage) {
    const key = canonicalJson(m)
    const entry = this.bag.get(key)
    this.bag.set(key, [m, (entry?.[1] ?? 0) + 1])
  }

  /** raft.tla's WithoutMessage: a message whose last copy goes leaves the bag. */
  private remove(m: ModelMessage) {
    const key = canonicalJson(m)
    const entry = this.bag.get(key)
    if (!entry) throw new NotEnabledError(`no such message in the network: ${key}`)
    if (entry[1] <= 1) this.bag.delete(key)
    else this.bag.set(key, [entry[0], entry[1] - 1])
  }

  private noVoterLog(): VoterLog[] {
    return Array.from({ length: this.servers }, () => ({ voted: false, log: [] }))
  }

  private server(pick: unknown): ServerId {
    if (!Number.isInteger(pick) || (pick as number) < 0 || (pick as number) >= this.servers) throw new NotEnabledError(`${JSON.stringify(pick)} is not a server id`)
    return pick as number
  }

  private value(pick: unknown): Value {
    if (!Number.isInteger(pick) || (pick as number) < 0) throw new NotEnabledError(`${JSON.stringify(pick)} is not a value id`)
    return pick as number
  }

  private message(picks: Readonly<Record<string, unknown>>): ModelMessage {
    const m = picks.m as ModelMessage | undefined
    if (!m || typeof m !== 'object' || typeof m.mtype !== 'string') throw new NotEnabledError(`pick m=${JSON.stringify(m)} is not a message`)
    return m
  }
}

/** The node's message in the model's terms; mlog is the sender's log at sending (history). */
function toModel(m: RaftMessage<Value>, senderLog: Log): ModelMessage {
  switch (m.type) {
    case 'RequestVoteRequest':
      return { mtype: m.type, mterm: m.term, mlastLogTerm: m.lastLogTerm, mlastLogIndex: m.lastLogIndex, msource: m.from, mdest: m.to }
    case 'RequestVoteResponse':
      return { mtype: m.type, mterm: m.term, mvoteGranted: m.voteGranted, mlog: plainLog(senderLog), msource: m.from, mdest: m.to }
    case 'AppendEntriesRequest':
      return {
        mtype: m.type,
        mterm: m.term,
        mprevLogIndex: m.prevLogIndex,
        mprevLogTerm: m.prevLogTerm,
        mentries: plainLog(m.entries),
        mlog: plainLog(senderLog),
        mcommitIndex: m.commitIndex,
        msource: m.from,
        mdest: m.to,
      }
    case 'AppendEntriesResponse':
      return { mtype: m.type, mterm: m.term, msuccess: m.success, mmatchIndex: m.matchIndex, msource: m.from, mdest: m.to }
  }
}

/** A model message as the node's (history fields dropped). */
function toRaft(m: ModelMessage): RaftMessage<Value> {
  const base = { term: m.mterm, from: m.msource, to: m.mdest }
  switch (m.mtype) {
    case 'RequestVoteRequest':
      return { type: m.mtype, ...base, lastLogTerm: m.mlastLogTerm as number, lastLogIndex: m.mlastLogIndex as number }
    case 'RequestVoteResponse':
      return { type: m.mtype, ...base, voteGranted: m.mvoteGranted as boolean }
    case 'AppendEntriesRequest':
      return { type: m.mtype, ...base, prevLogIndex: m.mprevLogIndex as number, prevLogTerm: m.mprevLogTerm as number, entries: m.mentries as Log, commitIndex: m.mcommitIndex as number }
    case 'AppendEntriesResponse':
      return { type: m.mtype, ...base, success: m.msuccess as boolean, matchIndex: m.mmatchIndex as number }
    default:
      throw new NotEnabledError(`unknown message type ${JSON.stringify(m.mtype)}`)
  }
}

export const raftDriver: DriverFactory = {
  model: 'raft',
  async start(params, bug) {
    return new RaftCluster(params.servers ?? 2, bug as RaftBug, params.history !== 0)
  },
}

export default raftDriver
