// A Raft server as a sans-IO core: `stepRaft(config, state, event)` is an immer reducer that
// takes one event (a timer, a client proposal, a message, or one of the server's own periodic
// duties) and returns the next state and the messages to send, or refuses the event. It does
// no I/O: persisting and sending are for the code that runs it (see ready.ts, which adds
// etcd raft's Ready / Advance on top).
//
// Its rules are raft.tla's, one event per spec action at this server, so the replay driver
// can map the model's steps onto it one for one:
//
//   Timeout                       Timeout(i)
//   RequestVote(to)               RequestVote(i, to)
//   BecomeLeader                  BecomeLeader(i)
//   Propose(value)                ClientRequest(i, v)
//   AdvanceCommitIndex            AdvanceCommitIndex(i)
//   AppendEntries(to)             AppendEntries(i, to)
//   Receive(message)              Receive(m): the handler taken is named in `handled`; a message
//                                 that is not used up (UpdateTerm, ReturnToFollower, a
//                                 conflicting or appended entry) comes back with `retained`, to
//                                 be delivered again, as the spec leaves it in the network
//   restartRaft(hardState)        Restart(i): everything but term, vote and log is lost
//
// A real server runs the same events: Tick counts its election and heartbeat timers.

import { produce } from 'immer'
import { refuse, type Refused, type Send } from '../../../conformance/transition.js'
import type { Entry, RaftBug, RaftMessage, ServerId } from './messages.js'
import type { HardState } from './storage.js'

export type Role = 'Follower' | 'Candidate' | 'Leader'

export interface RaftState<V> {
  readonly id: ServerId
  readonly currentTerm: number
  readonly role: Role
  readonly votedFor: ServerId | null
  readonly log: readonly Entry<V>[]
  readonly commitIndex: number
  readonly votesResponded: readonly ServerId[]
  readonly votesGranted: readonly ServerId[]
  /** Per server, 1-based; meaningful on a leader, kept (as in the spec) otherwise. */
  readonly nextIndex: readonly number[]
  readonly matchIndex: readonly number[]
  /** Ticks since the last sign of a live leader (or since the last heartbeat, on a leader). */
  readonly elapsed: number
}

export interface RaftConfig {
  readonly servers: number
  readonly bug?: RaftBug
  /** Ticks without a leader before a follower or candidate times out (Tick only). */
  readonly electionTicks?: number
  /** Ticks between a leader's heartbeats (Tick only). */
  readonly heartbeatTicks?: number
}

export type RaftEvent<V> =
  | { readonly type: 'Timeout' }
  | { readonly type: 'RequestVote'; readonly to: ServerId }
  | { readonly type: 'BecomeLeader' }
  | { readonly type: 'Propose'; readonly value: V }
  | { readonly type: 'AdvanceCommitIndex' }
  | { readonly type: 'AppendEntries'; readonly to: ServerId }
  | { readonly type: 'Receive'; readonly message: RaftMessage<V> }
  | { readonly type: 'Tick'; readonly randomDelay?: number }

export type Handler =
  | 'UpdateTerm'
  | 'HandleRequestVoteRequest'
  | 'DropStaleResponse'
  | 'HandleRequestVoteResponse'
  | 'RejectAppendEntriesRequest'
  | 'ReturnToFollower'
  | 'AcceptAppendEntriesRequest'
  | 'ConflictAppendEntriesRequest'
  | 'AppendEntriesRequestAppend'
  | 'HandleAppendEntriesResponse'

export interface RaftTaken<V> {
  readonly state: RaftState<V>
  readonly effects: readonly Send<ServerId, RaftMessage<V>>[]
  /** For Receive: which of the spec's handlers took the message. */
  readonly handled?: Handler
  /** For Receive: the message is not used up and must be delivered again. */
  readonly retained?: boolean
}
export type RaftTransition<V> = RaftTaken<V> | Refused

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const lastTerm = <V>(log: readonly Entry<V>[]) => (log.length === 0 ? 0 : log[log.length - 1].term)
const isQuorum = (config: RaftConfig, n: number) => n * 2 > config.servers

export function initialRaft<V>(config: RaftConfig, id: ServerId): RaftState<V> {
  return restartRaft(config, id, { currentTerm: 1, votedFor: null, log: [] })
}

/** A server coming back from a crash with what its storage kept (Restart). */
export function restartRaft<V>(config: RaftConfig, id: ServerId, hard: HardState<V>): RaftState<V> {
  return {
    id,
    currentTerm: hard.currentTerm,
    role: 'Follower',
    votedFor: hard.votedFor,
    log: hard.log,
    commitIndex: 0,
    votesResponded: [],
    votesGranted: [],
    nextIndex: range(config.servers).map(() => 1),
    matchIndex: range(config.servers).map(() => 0),
    elapsed: 0,
  }
}

/** What this server must have on stable storage before it sends anything. The bug
 * vote-not-persisted leaves the vote out, as a server that kept it only in memory. */
export function hardStateOf<V>(config: RaftConfig, state: RaftState<V>): HardState<V> {
  return {
    currentTerm: state.currentTerm,
    votedFor: config.bug === 'vote-not-persisted' ? null : state.votedFor,
    log: state.log,
  }
}

const taken = <V>(state: RaftState<V>, effects: RaftTaken<V>['effects'] = [], extra: Partial<RaftTaken<V>> = {}): RaftTaken<V> => ({ state, effects, ...extra })
const send = <V>(message: RaftMessage<V>): Send<ServerId, RaftMessage<V>> => ({ to: message.to, message })

export function stepRaft<V>(config: RaftConfig, state: RaftState<V>, event: RaftEvent<V>): RaftTransition<V> {
  const me = state.id
  switch (event.type) {
    case 'Timeout':
      if (state.role === 'Leader') return refuse('a leader does not time out')
      return taken(
        produce(state, (d) => {
          d.role = 'Candidate'
          d.currentTerm = state.currentTerm + 1
          d.votedFor = null
          d.votesResponded = []
          d.votesGranted = []
          d.elapsed = 0
        }),
      )
    case 'RequestVote':
      if (state.role !== 'Candidate') return refuse(`a ${state.role} does not ask for votes`)
      if (state.votesResponded.includes(event.to)) return refuse(`server${event.to + 1} already answered`)
      return taken(state, [
        send({ type: 'RequestVoteRequest', term: state.currentTerm, lastLogTerm: lastTerm(state.log), lastLogIndex: state.log.length, from: me, to: event.to }),
      ])
    case 'BecomeLeader':
      if (state.role !== 'Candidate') return refuse(`a ${state.role} cannot become leader`)
      if (!isQuorum(config, state.votesGranted.length)) return refuse(`${state.votesGranted.length} votes are not a majority`)
      return taken(
        produce(state, (d) => {
          d.role = 'Leader'
          d.nextIndex = range(config.servers).map(() => state.log.length + 1)
          d.matchIndex = range(config.servers).map(() => 0)
          d.elapsed = 0
        }),
      )
    case 'Propose':
      if (state.role !== 'Leader') return refuse(`a ${state.role} takes no proposals`)
      return taken(produce(state, (d) => void d.log.push({ term: state.currentTerm, value: event.value } as never)))
    case 'AdvanceCommitIndex': {
      if (state.role !== 'Leader') return refuse(`a ${state.role} does not commit`)
      // The highest index a majority stores (the leader itself counted); committed only if it
      // is of the current term (an older entry commits along with it: Figure 3.7). The bug
      // counts replicas of an older entry too.
      const agree = (index: number) => 1 + range(config.servers).filter((k) => k !== me && state.matchIndex[k] >= index).length
      let highest = 0
      for (let index = 1; index <= state.log.length; index++) if (isQuorum(config, agree(index))) highest = index
      const countable = highest > 0 && (config.bug === 'commit-earlier-term' || state.log[highest - 1].term === state.currentTerm)
      const commitIndex = countable ? highest : state.commitIndex
      return taken(produce(state, (d) => void (d.commitIndex = commitIndex)))
    }
    case 'AppendEntries': {
      if (state.role !== 'Leader') return refuse(`a ${state.role} does not replicate`)
      if (event.to === me) return refuse('a leader does not send itself entries')
      return taken(state, [appendEntriesTo(state, event.to)])
    }
    case 'Receive':
      return receive(config, state, event.message)
    case 'Tick':
      return tick(config, state)
  }
}

/** AppendEntries with at most one entry, from nextIndex[to] (raft.tla's AppendEntries). */
function appendEntriesTo<V>(state: RaftState<V>, to: ServerId): Send<ServerId, RaftMessage<V>> {
  const next = state.nextIndex[to]
  const prevLogIndex = next - 1
  const lastEntry = Math.min(state.log.length, next)
  return send({
    type: 'AppendEntriesRequest',
    term: state.currentTerm,
    prevLogIndex,
    prevLogTerm: prevLogIndex > 0 ? state.log[prevLogIndex - 1].term : 0,
    entries: state.log.slice(next - 1, lastEntry),
    commitIndex: Math.min(state.commitIndex, lastEntry),
    from: state.id,
    to,
  })
}

function receive<V>(config: RaftConfig, state: RaftState<V>, m: RaftMessage<V>): RaftTransition<V> {
  const me = state.id
  if (m.to !== me) return refuse(`a message for server${m.to + 1} reached server${me + 1}`)
  const j = m.from
  if (m.term > state.currentTerm) {
    return taken(
      produce(state, (d) => {
        d.currentTerm = m.term
        d.role = 'Follower'
        d.votedFor = null
      }),
      [],
      { handled: 'UpdateTerm', retained: true },
    )
  }
  const { log } = state
  switch (m.type) {
    case 'RequestVoteRequest': {
      const logOk =
        config.bug === 'vote-without-log-check' || m.lastLogTerm > lastTerm(log) || (m.lastLogTerm === lastTerm(log) && m.lastLogIndex >= log.length)
      const grant = m.term === state.currentTerm && logOk && (state.votedFor === null || state.votedFor === j)
      const next = grant ? produce(state, (d) => void ((d.votedFor = j), (d.elapsed = 0))) : state
      return taken(next, [send({ type: 'RequestVoteResponse', term: state.currentTerm, voteGranted: grant, from: me, to: j })], { handled: 'HandleRequestVoteRequest' })
    }
    case 'RequestVoteResponse':
      if (m.term < state.currentTerm) return taken(state, [], { handled: 'DropStaleResponse' })
      // Tallied whatever the role, as in the spec: only a candidate looks at the tally.
      return taken(
        produce(state, (d) => {
          if (!state.votesResponded.includes(j)) d.votesResponded.push(j)
          if (m.voteGranted && !state.votesGranted.includes(j)) d.votesGranted.push(j)
        }),
        [],
        { handled: 'HandleRequestVoteResponse' },
      )
    case 'AppendEntriesRequest': {
      const logOk = m.prevLogIndex === 0 || (m.prevLogIndex > 0 && m.prevLogIndex <= log.length && m.prevLogTerm === log[m.prevLogIndex - 1].term)
      const respond = (success: boolean, matchIndex: number) => send<V>({ type: 'AppendEntriesResponse', term: state.currentTerm, success, matchIndex, from: me, to: j })
      if (m.term < state.currentTerm || (state.role === 'Follower' && !logOk)) {
        // A request of the current term comes from the leader: it still resets the election timer.
        const next = m.term === state.currentTerm ? produce(state, (d) => void (d.elapsed = 0)) : state
        return taken(next, [respond(false, 0)], { handled: 'RejectAppendEntriesRequest' })
      }
      if (state.role === 'Candidate') {
        return taken(produce(state, (d) => void (d.role = 'Follower')), [], { handled: 'ReturnToFollower', retained: true })
      }
      if (state.role === 'Leader') return refuse(`a leader of term ${state.currentTerm} got AppendEntries of its own term`)
      const index = m.prevLogIndex + 1
      const first = m.entries[0]
      if (first === undefined || (log.length >= index && log[index - 1].term === first.term)) {
        const next = produce(state, (d) => {
          d.commitIndex = m.commitIndex
          d.elapsed = 0
          // The bug: the log is made to end where the request's entries end, so a stale
          // request erases entries that arrived after it.
          if (config.bug === 'truncate-on-stale-append') d.log.length = Math.min(log.length, m.prevLogIndex + m.entries.length)
        })
        return taken(next, [respond(true, m.prevLogIndex + m.entries.length)], { handled: 'AcceptAppendEntriesRequest' })
      }
      if (log.length >= index) {
        return taken(produce(state, (d) => void d.log.pop()), [], { handled: 'ConflictAppendEntriesRequest', retained: true })
      }
      return taken(produce(state, (d) => void d.log.push(first as never)), [], { handled: 'AppendEntriesRequestAppend', retained: true })
    }
    case 'AppendEntriesResponse':
      if (m.term < state.currentTerm) return taken(state, [], { handled: 'DropStaleResponse' })
      return taken(
        produce(state, (d) => {
          if (m.success) {
            d.nextIndex[j] = m.matchIndex + 1
            d.matchIndex[j] = m.matchIndex
          } else {
            d.nextIndex[j] = Math.max(state.nextIndex[j] - 1, 1)
          }
        }),
        [],
        { handled: 'HandleAppendEntriesResponse' },
      )
  }
}

/** The timers of a running server: a follower or candidate that hears from no leader for
 * electionTicks (plus a random delay the runner picks) times out and asks everyone for votes;
 * a leader sends AppendEntries to everyone every heartbeatTicks. */
function tick<V>(config: RaftConfig, state: RaftState<V>): RaftTransition<V> {
  const elapsed = state.elapsed + 1
  if (state.role === 'Leader') {
    if (elapsed < (config.heartbeatTicks ?? 1)) return taken(produce(state, (d) => void (d.elapsed = elapsed)))
    const peers = range(config.servers).filter((k) => k !== state.id)
    return taken(produce(state, (d) => void (d.elapsed = 0)), peers.map((k) => appendEntriesTo(state, k)))
  }
  if (elapsed < (config.electionTicks ?? 10)) return taken(produce(state, (d) => void (d.elapsed = elapsed)))
  return stepRaft(config, state, { type: 'Timeout' })
}
