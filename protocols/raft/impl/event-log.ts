// What a running Raft server writes to its event log (docs/log-format.md) for `protocheck
// validate raft`: each event its core takes, as the model action it stands for, with the
// picks as ITF values and the server's own variables after it as observed state.
//
//   core event                    model action
//   Timeout, or a Tick that times out          Timeout(i)
//   RequestVote(to)               RequestVote(i, j)
//   BecomeLeader                  BecomeLeader(i)
//   Propose(command)              ClientRequest(i, v): every command is the model's value1
//   AdvanceCommitIndex            AdvanceCommitIndex(i)
//   AppendEntries(to), and each heartbeat a leader's Tick sends     AppendEntries(i, j)
//   Receive(m)                    the handler the core took (`handled`), picking m
//   a restart from storage        Restart(i)
//   a message lost (partition, dead peer, refused)                  DropMessage(m)
//
// A Tick that only counts time changes nothing the model has, and is not logged. Picked
// messages leave out raft.tla's history field mlog (docs/log-format.md: partial picks), so
// the log validates against raft with history=0 (and with history=1 for short runs).

import type { EventLogHeader, LoggedEvent } from '../../../conformance/event-log.js'
import type { RaftEvent, RaftState, RaftTaken } from './core.js'
import type { Entry, RaftMessage, ServerId } from './messages.js'

type Picks = Record<string, unknown>
export interface ModelStep {
  action: string
  picks: Picks
}

const server = (id: ServerId) => `server${id + 1}`
/** Commands are abstracted to the model's one value: what validate checks is where entries go, by term. */
const VALUE = 'value1'
const entries = <V>(log: readonly Entry<V>[]) => log.map((e) => ({ term: e.term, value: VALUE }))

/** A message as the model's ITF message record (without the history field mlog). */
export function messageItf<V>(m: RaftMessage<V>): Record<string, unknown> {
  const base = { mterm: m.term, msource: server(m.from), mdest: server(m.to) }
  switch (m.type) {
    case 'RequestVoteRequest':
      return { mtype: m.type, ...base, mlastLogTerm: m.lastLogTerm, mlastLogIndex: m.lastLogIndex }
    case 'RequestVoteResponse':
      return { mtype: m.type, ...base, mvoteGranted: m.voteGranted }
    case 'AppendEntriesRequest':
      return { mtype: m.type, ...base, mprevLogIndex: m.prevLogIndex, mprevLogTerm: m.prevLogTerm, mentries: entries(m.entries), mcommitIndex: m.commitIndex }
    case 'AppendEntriesResponse':
      return { mtype: m.type, ...base, msuccess: m.success, mmatchIndex: m.matchIndex }
  }
}

/** The model steps one taken core event stands for (none for a Tick that only counts). */
export function modelSteps<V>(id: ServerId, event: RaftEvent<V>, before: RaftState<V>, t: RaftTaken<V>): ModelStep[] {
  const i = server(id)
  switch (event.type) {
    case 'Timeout':
      return [{ action: 'Timeout', picks: { i } }]
    case 'RequestVote':
      return [{ action: 'RequestVote', picks: { i, j: server(event.to) } }]
    case 'BecomeLeader':
      return [{ action: 'BecomeLeader', picks: { i } }]
    case 'Propose':
      return [{ action: 'ClientRequest', picks: { i, v: VALUE } }]
    case 'AdvanceCommitIndex':
      return [{ action: 'AdvanceCommitIndex', picks: { i } }]
    case 'AppendEntries':
      return [{ action: 'AppendEntries', picks: { i, j: server(event.to) } }]
    case 'Receive':
      return [{ action: t.handled!, picks: { m: messageItf(event.message) } }]
    case 'Tick':
      if (before.role === 'Leader') return t.effects.map((e) => ({ action: 'AppendEntries', picks: { i, j: server(e.to) } }))
      if (t.state.role === 'Candidate' && t.state.currentTerm === before.currentTerm + 1) return [{ action: 'Timeout', picks: { i } }]
      return []
  }
}

/** Server id's variables in the model, as observed state (maps given at this server only).
 * The log is included only when it changed (withLog), to keep lines short. */
export function observedOf<V>(state: RaftState<V>, withLog: boolean): Record<string, unknown> {
  const at = (value: unknown) => ({ '#map': [[server(state.id), value]] })
  const observed: Record<string, unknown> = {
    currentTerm: at(state.currentTerm),
    state: at(state.role),
    votedFor: at(state.votedFor === null ? 'Nil' : server(state.votedFor)),
    commitIndex: at(state.commitIndex),
  }
  if (withLog) observed.log = at(entries(state.log))
  return observed
}

/** Appends a server's events to its own NDJSON file, stamped with CLOCK_MONOTONIC (shared by
 * every process on the machine) and a sequence number, so that `mergeEventLogs` can order a
 * cluster's logs causally. Lines are buffered per Ready and written before its messages go out. */
export class RaftEventLogger {
  private seq = 0
  private pending: LoggedEvent[] = []
  constructor(private readonly id: ServerId, private readonly write: (text: string) => void) {}

  record<V>(step: ModelStep, after: RaftState<V>, withLog: boolean) {
    this.pending.push({ node: server(this.id), time: process.hrtime.bigint().toString(), seq: this.seq++, ...step, observed: observedOf(after, withLog) })
  }

  /** A message lost; written with the next Ready's events (stamped now, so the merge puts it in its place). */
  dropped<V>(m: RaftMessage<V>) {
    this.pending.push({ node: server(this.id), time: process.hrtime.bigint().toString(), seq: this.seq++, action: 'DropMessage', picks: { m: messageItf(m) } })
  }

  flush() {
    if (this.pending.length === 0) return
    this.write(this.pending.map((e) => JSON.stringify(e) + '\n').join(''))
    this.pending = []
  }
}

const SENDS = new Set(['RequestVote', 'AppendEntries', 'HandleRequestVoteRequest', 'RejectAppendEntriesRequest', 'AcceptAppendEntriesRequest'])
const CONSUMES = new Set([
  'HandleRequestVoteRequest', 'HandleRequestVoteResponse', 'DropStaleResponse', 'RejectAppendEntriesRequest',
  'AcceptAppendEntriesRequest', 'HandleAppendEntriesResponse', 'DropMessage',
])

/** The header of a merged Raft log: raft's params big enough for the run (history=0, values=1,
 * and the largest term, log and number of messages in flight the events show). */
export function raftLogHeader(servers: number, events: readonly LoggedEvent[], bug?: string): Omit<EventLogHeader, 'format' | 'version'> {
  let maxTerm = 1
  let maxLog = 0
  let inFlight = 0
  let maxInFlight = 1
  for (const e of events) {
    const observed = e.observed as Record<string, { '#map': [string, unknown][] }> | undefined
    for (const [, t] of observed?.currentTerm?.['#map'] ?? []) maxTerm = Math.max(maxTerm, t as number)
    for (const [, l] of observed?.log?.['#map'] ?? []) maxLog = Math.max(maxLog, (l as unknown[]).length)
    const m = (e.picks as { m?: { mterm?: number; mprevLogIndex?: number } } | undefined)?.m
    if (m?.mterm !== undefined) maxTerm = Math.max(maxTerm, m.mterm)
    if (m?.mprevLogIndex !== undefined) maxLog = Math.max(maxLog, m.mprevLogIndex + 1)
    if (SENDS.has(e.action)) inFlight++
    if (CONSUMES.has(e.action)) inFlight--
    maxInFlight = Math.max(maxInFlight, inFlight)
  }
  return {
    model: 'raft',
    params: { servers, values: 1, history: 0, maxTerm: Math.min(1000, maxTerm), maxLogLength: Math.min(1000, maxLog), maxMessages: Math.min(1000, maxInFlight) },
    bug: bug ?? null,
    description: `a real run of ${servers} Raft servers (protocheck serve raft --log-events)`,
    nodes: Array.from({ length: servers }, (_, i) => server(i)),
  }
}
