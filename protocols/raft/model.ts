// Raft, following Diego Ongaro's raft.tla (the TLA+ specification from the Raft dissertation,
// github.com/ongardie/raft.tla, with its 2018-2020 fixes to HandleAppendEntriesRequest) variable
// for variable and action for action, history variables included:
//
//   raft.tla                              here
//   messages  [Message -> Nat]            messages: set of { msg, count } (see "The bag" below)
//   elections (history)                   elections: set of { eterm, eleader, elog, evotes, evoterLog }
//   allLogs   (history)                   allLogs: set of logs (each step adds the logs of the state before it)
//   currentTerm, state, votedFor          currentTerm, state, votedFor (a server or Nil): maps over servers
//   log, commitIndex                      log (sequences of { term, value }; TLA+ index k = at(k - 1)), commitIndex
//   votesResponded, votesGranted          sets of servers, per server
//   voterLog (history) [granted -> log]   voterLog: per server a map over servers of { voted, log }:
//                                         the function's domain is the servers with voted = TRUE
//   nextIndex, matchIndex                 nextIndex, matchIndex: per server a map over servers
//
//   Restart(i), Timeout(i), RequestVote(i, j), BecomeLeader(i), ClientRequest(i, v),
//   AdvanceCommitIndex(i), AppendEntries(i, j)      -> actions of the same names and picks
//   Receive(m): UpdateTerm, HandleRequestVoteRequest, HandleRequestVoteResponse,
//     DropStaleResponse, HandleAppendEntriesRequest (its reject, return-to-follower and accept
//     branches; accept as already-done, conflict or append), HandleAppendEntriesResponse
//                                                   -> one action per handler (and per branch of
//                                                      HandleAppendEntriesRequest), each picking m
//   DuplicateMessage(m), DropMessage(m)            -> actions of the same names
//   Next's order of disjuncts                       -> the order steps are emitted in
//   properties: ElectionSafety, LeaderLogUpToDate (on the elections history), LogMatching,
//   LeaderCompleteness, StateMachineSafety and CommittedOnQuorum
//   Next's allLogs' = allLogs \cup {log[i]}         -> done for every step (`step` in next)
//
// The bag. raft.tla's messages is a function from messages to counts. Its WithoutMessage, as
// fixed upstream in 2024 ("Receive() can receive dropped messages"), removes a message whose
// count reaches 0 from the domain; before that fix a count-0 message stayed in the domain, could
// be received again and drive its count below zero without bound (no TLC run could finish).
// The reference counts below are those of the fixed spec, and the schema's bag (zero counts
// dropped) is exactly that function; the test pins them. Receive, DuplicateMessage and
// DropMessage pick any message in the bag.
//
// The constraint (`within`, TLC's semantics): every currentTerm <= maxTerm, every log at most
// maxLogLength entries, and at most maxMessages messages in the bag (copies counted). Types
// leave room for one step past it (a term of maxTerm + 1, a log of maxLogLength + 1 entries, a
// count of maxMessages + 1), since such a successor is still built and checked.
//
// With servers=2 values=1 maxTerm=2 maxLogLength=1 maxMessages=1 this reaches TLC's 1,760
// distinct states (13,797 generated); maxMessages=2: 25,164; maxLogLength=2 maxMessages=2: 69,606.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bagOf, bool, enumOf, int, mapOf, NIL, nodeId, nodeIdOrNil, record, seqOf, setOf, union, type Draft as SchemaDraft, type Value, type View as SchemaView } from '../../checker/schema.js'

export default defineModel({
  name: 'raft',
  summary: "Raft consensus (Ongaro's raft.tla): leader election, log replication and commitment, with restarts and a lossy, duplicating network",
  params: {
    servers: { description: 'number of servers', default: 2, minimum: 1, maximum: 5 },
    values: { description: 'number of distinct values a client can request', default: 1, minimum: 1, maximum: 3 },
    maxTerm: { description: 'state constraint: largest term explored', default: 2, minimum: 1, maximum: 1000 },
    maxLogLength: { description: 'state constraint: longest log explored (0: elections only)', default: 1, minimum: 0, maximum: 1000 },
    maxMessages: { description: 'state constraint: most messages in flight (copies counted)', default: 1, minimum: 1, maximum: 1000 },
    history: { description: "1: keep raft.tla's history variables (allLogs, elections, voterLog, mlog); 0: leave them empty, for validating long logs of real runs", default: 1, minimum: 0, maximum: 1 },
  },
  bugs: {
    'vote-without-log-check': 'a voter grants its vote without checking that the candidate\'s log is at least as up to date',
    'vote-not-persisted': 'votedFor is not kept on stable storage: a restarted server can vote a second time in the same term',
    'truncate-on-stale-append': 'a follower that already has an AppendEntries\' entries truncates its log after them (a stale request erases newer entries)',
    'commit-earlier-term': 'a leader commits an entry of an earlier term once a majority stores it (the dissertation\'s Figure 3.7): a later leader can still overwrite it',
  },
  build({ servers, values, maxTerm, maxLogLength, maxMessages, history: historyParam }, bug) {
    // history=0 (for `validate` on long real runs, whose terms and logs outgrow what the history
    // variables can hold): allLogs, elections and voterLog stay empty and every mlog is <<>>;
    // the protocol's own variables and steps are unchanged. ElectionSafety and
    // LeaderLogUpToDate read the elections history, so they then hold vacuously.
    const history = historyParam !== 0
    const Server = nodeId('server', servers)
    const ServerOrNil = nodeIdOrNil('server', servers)
    const ValueId = nodeId('value', values)
    const Term = int(0, maxTerm + 1)
    const Index = int(0, maxLogLength + 1)
    const Entry = record({ term: Term, value: ValueId })
    /** A server's log: one entry past the constraint fits (a ClientRequest's successor). */
    const Log = seqOf(Entry, maxLogLength + 1)
    /** A log taken from a state inside the constraint (messages, history). */
    const StoredLog = seqOf(Entry, history ? Math.max(1, maxLogLength) : 1)
    const Message = union('mtype', {
      RequestVoteRequest: { mterm: Term, mlastLogTerm: Term, mlastLogIndex: Index, msource: Server, mdest: Server },
      RequestVoteResponse: { mterm: Term, mvoteGranted: bool, mlog: StoredLog, msource: Server, mdest: Server },
      AppendEntriesRequest: {
        mterm: Term,
        mprevLogIndex: Index,
        mprevLogTerm: Term,
        mentries: seqOf(Entry, 1),
        mlog: StoredLog,
        mcommitIndex: Index,
        msource: Server,
        mdest: Server,
      },
      AppendEntriesResponse: { mterm: Term, msuccess: bool, mmatchIndex: Index, msource: Server, mdest: Server },
    })
    type Msg = Value<typeof Message>
    type LogValue = Value<typeof Log>
    const VoterLog = mapOf(Server, record({ voted: bool, log: StoredLog }))
    const Election = record({ eterm: Term, eleader: Server, elog: StoredLog, evotes: setOf(Server), evoterLog: VoterLog })

    // Capacities, from the params; exceeding one is a ModelError naming the field, never a
    // truncation. Elections: at most one per (term, server), since a server becomes leader only
    // from Candidate, and it is a candidate at most once per term. Logs: every sequence of at most
    // maxLogLength entries of terms 1..maxTerm is a possible log. Messages: a stored state holds
    // at most maxMessages, and a step adds at most one.
    const electionCapacity = history ? servers * maxTerm : 1
    const logCapacity = history ? range(maxLogLength + 1).reduce((n, k) => n + (maxTerm * values) ** k, 0) : 1
    if (logCapacity > 100_000) {
      throw new Error(`history=1 with maxTerm=${maxTerm} values=${values} maxLogLength=${maxLogLength} makes allLogs hold up to ${logCapacity} logs: use smaller bounds, or history=0`)
    }
    const state = record({
      messages: bagOf(Message, maxMessages + 1, maxMessages + 1),
      elections: setOf(Election, electionCapacity),
      allLogs: setOf(StoredLog, logCapacity),
      currentTerm: mapOf(Server, Term),
      state: mapOf(Server, enumOf('Follower', 'Candidate', 'Leader')),
      votedFor: mapOf(Server, ServerOrNil),
      log: mapOf(Server, Log),
      commitIndex: mapOf(Server, Index),
      votesResponded: mapOf(Server, setOf(Server)),
      votesGranted: mapOf(Server, setOf(Server)),
      voterLog: mapOf(Server, VoterLog),
      nextIndex: mapOf(Server, mapOf(Server, Index)),
      matchIndex: mapOf(Server, mapOf(Server, Index)),
    })
    type Draft = SchemaDraft<typeof state>
    type View = SchemaView<typeof state>

    const all = range(servers)
    const vals = range(values)
    const isQuorum = (n: number) => n * 2 > servers
    const lastTerm = (log: LogValue) => (log.length === 0 ? 0 : log[log.length - 1].term)
    /** raft.tla's logOk of HandleRequestVoteRequest: is log a at least as up to date as log b? */
    const atLeastAsUpToDate = (a: LogValue, b: LogValue) => lastTerm(a) > lastTerm(b) || (lastTerm(a) === lastTerm(b) && a.length >= b.length)
    const noVoterLog = all.map(() => ({ voted: false, log: [] }))

    // Send / Discard / Reply of raft.tla (WithMessage / WithoutMessage), on the draft.
    const send = (d: Draft, m: Msg) => d.messages.add(m)
    const discard = (d: Draft, m: Msg) => d.messages.remove(m)
    const reply = (d: Draft, response: Msg, request: Msg) => {
      d.messages.add(response)
      d.messages.remove(request)
    }


    return protocol({
      state,
      actions: {
        Restart: { i: Server },
        Timeout: { i: Server },
        RequestVote: { i: Server, j: Server },
        BecomeLeader: { i: Server },
        ClientRequest: { i: Server, v: ValueId },
        AdvanceCommitIndex: { i: Server },
        AppendEntries: { i: Server, j: Server },
        UpdateTerm: { m: Message },
        HandleRequestVoteRequest: { m: Message },
        DropStaleResponse: { m: Message },
        HandleRequestVoteResponse: { m: Message },
        RejectAppendEntriesRequest: { m: Message },
        ReturnToFollower: { m: Message },
        AcceptAppendEntriesRequest: { m: Message },
        ConflictAppendEntriesRequest: { m: Message },
        AppendEntriesRequestAppend: { m: Message },
        HandleAppendEntriesResponse: { m: Message },
        DuplicateMessage: { m: Message },
        DropMessage: { m: Message },
      },

      init(emit) {
        emit((d) => {
          for (const i of all) {
            d.currentTerm.set(i, 1)
            d.state.set(i, 'Follower')
            d.votedFor.set(i, NIL)
            d.log.set(i, [])
            d.commitIndex.set(i, 0)
            d.votesResponded.set(i, [])
            d.votesGranted.set(i, [])
            d.voterLog.set(i, noVoterLog)
            d.nextIndex.set(i, all.map(() => 1))
            d.matchIndex.set(i, all.map(() => 0))
          }
        })
      },

      next(s, emit) {
        const logs = all.map((i) => s.log.get(i).toArray())
        const term = all.map((i) => s.currentTerm.get(i))
        const role = all.map((i) => s.state.get(i))
        // Next's history conjunct, allLogs' = allLogs \cup {log[i] : i \in Server}, adds the logs
        // of this state (before the step) to every successor; only the ones not there yet.
        const unrecorded = history ? logs.filter((l) => !s.allLogs.has(l)) : []
        const step = (name: string, picks: object, write: (d: Draft) => void) =>
          (emit as any)(name, picks, (d: Draft) => {
            write(d)
            for (const l of unrecorded) d.allLogs.add(l)
          })

        // Restart(i): keeps currentTerm, votedFor and log (stable storage), loses the rest.
        for (const i of all) {
          step('Restart', { i }, (d) => {
            d.state.set(i, 'Follower')
            d.votesResponded.set(i, [])
            d.votesGranted.set(i, [])
            d.voterLog.set(i, noVoterLog)
            d.nextIndex.set(i, all.map(() => 1))
            d.matchIndex.set(i, all.map(() => 0))
            d.commitIndex.set(i, 0)
            if (bug === 'vote-not-persisted') d.votedFor.set(i, NIL)
          })
        }
        // Timeout(i)
        for (const i of all) {
          if (role[i] === 'Follower' || role[i] === 'Candidate') {
            step('Timeout', { i }, (d) => {
              d.state.set(i, 'Candidate')
              d.currentTerm.set(i, term[i] + 1)
              d.votedFor.set(i, NIL)
              d.votesResponded.set(i, [])
              d.votesGranted.set(i, [])
              d.voterLog.set(i, noVoterLog)
            })
          }
        }
        // RequestVote(i, j): j may be i itself (a candidate asks itself for its vote).
        for (const i of all) {
          if (role[i] !== 'Candidate') continue
          for (const j of all) {
            if (s.votesResponded.get(i).has(j)) continue
            step('RequestVote', { i, j }, (d) =>
              send(d, {
                mtype: 'RequestVoteRequest',
                mterm: term[i],
                mlastLogTerm: lastTerm(logs[i]),
                mlastLogIndex: logs[i].length,
                msource: i,
                mdest: j,
              }),
            )
          }
        }
        // BecomeLeader(i)
        for (const i of all) {
          if (role[i] !== 'Candidate' || !isQuorum(s.votesGranted.get(i).size)) continue
          step('BecomeLeader', { i }, (d) => {
            d.state.set(i, 'Leader')
            d.nextIndex.set(i, all.map(() => logs[i].length + 1))
            d.matchIndex.set(i, all.map(() => 0))
            if (history) d.elections.add({
              eterm: term[i],
              eleader: i,
              elog: logs[i],
              evotes: s.votesGranted.get(i).toArray(),
              evoterLog: all.map((k) => {
                const v = s.voterLog.get(i).get(k)
                return { voted: v.voted, log: v.log.toArray() }
              }),
            })
          })
        }
        // ClientRequest(i, v)
        for (const i of all) {
          if (role[i] !== 'Leader') continue
          for (const v of vals) step('ClientRequest', { i, v }, (d) => d.log.get(i).push({ term: term[i], value: v }))
        }
        // AdvanceCommitIndex(i): enabled for every leader, even when nothing changes.
        for (const i of all) {
          if (role[i] !== 'Leader') continue
          const match = s.matchIndex.get(i)
          // The leader itself, and every other server whose matchIndex reaches `index`.
          const agrees = (index: number) => {
            let n = 1
            for (const k of all) if (k !== i && match.get(k) >= index) n++
            return n
          }
          // The largest index a quorum agrees on (agreement only shrinks as the index grows).
          let maxAgree = 0
          for (let index = logs[i].length; index >= 1; index--) {
            if (isQuorum(agrees(index))) {
              maxAgree = index
              break
            }
          }
          // Only an entry of the leader's own term is committed by counting replicas; earlier
          // entries are committed with it (Log Matching). The bug drops that check.
          const countable = maxAgree > 0 && (bug === 'commit-earlier-term' || logs[i][maxAgree - 1].term === term[i])
          const commit = countable ? maxAgree : s.commitIndex.get(i)
          step('AdvanceCommitIndex', { i }, (d) => d.commitIndex.set(i, commit))
        }
        // AppendEntries(i, j): at most one entry.
        for (const i of all) {
          if (role[i] !== 'Leader') continue
          for (const j of all) {
            if (j === i) continue
            const next = s.nextIndex.get(i).get(j)
            const prevLogIndex = next - 1
            const prevLogTerm = prevLogIndex > 0 ? logs[i][prevLogIndex - 1].term : 0
            const lastEntry = Math.min(logs[i].length, next)
            const entries = logs[i].slice(next - 1, lastEntry)
            step('AppendEntries', { i, j }, (d) =>
              send(d, {
                mtype: 'AppendEntriesRequest',
                mterm: term[i],
                mprevLogIndex: prevLogIndex,
                mprevLogTerm: prevLogTerm,
                mentries: entries,
                mlog: history ? logs[i] : [],
                mcommitIndex: Math.min(s.commitIndex.get(i), lastEntry),
                msource: i,
                mdest: j,
              }),
            )
          }
        }
        // Receive(m), for each message in the bag, then the network's DuplicateMessage(m) and DropMessage(m).
        const inFlight = s.messages.entries().map(([m]) => m as Msg)
        for (const m of inFlight) receive(s, m, logs, term, role, step)
        for (const m of inFlight) step('DuplicateMessage', { m }, (d) => send(d, m))
        for (const m of inFlight) step('DropMessage', { m }, (d) => discard(d, m))
      },

      within(s) {
        if (!s.currentTerm.every((t) => t <= maxTerm)) return false
        if (!s.log.every((l) => l.length <= maxLogLength)) return false
        return s.messages.size <= maxMessages
      },

      always: {
        TypeOK: wellTyped,
        ElectionSafety,
        LeaderLogUpToDate,
        LogMatching,
        LeaderCompleteness,
        StateMachineSafety,
        CommittedOnQuorum,
      },
      // The dissertation's monotonic facts, as steps: a term never goes back (it is on stable
      // storage, restarts keep it), and an entry a server knows committed never changes in its log.
      // "commitIndex never decreases" is not one of raft.tla's: a follower takes a leader's
      // mcommitIndex as it is, so a new leader that has not yet committed in its term (commitIndex
      // 0) sets a follower's commitIndex back (etcd raft's commitTo keeps the larger).
      steps: {
        CurrentTermNeverDecreases: (before, _step, after) => all.every((i) => after.currentTerm.get(i) >= before.currentTerm.get(i)),
        CommittedEntriesNeverChange: (before, _step, after) =>
          all.every((i) => {
            const was = before.log.get(i)
            const now = after.log.get(i)
            const committed = before.commitIndex.get(i)
            if (now.length < committed) return false
            for (let k = 0; k < committed; k++) {
              if (now.at(k).term !== was.at(k).term || now.at(k).value !== was.at(k).value) return false
            }
            return true
          }),
      },
      sometimes: {
        LeaderElected: (s) => s.state.some((r) => r === 'Leader'),
        EntryCommitted: (s) => s.commitIndex.some((c) => c > 0),
        EntryCommittedOnFollower: (s) => s.commitIndex.some((c, i) => c > 0 && s.state.get(i) === 'Follower'),
      },
      // raft.tla's servers are interchangeable (its TLC configurations declare Server a
      // symmetry set): --symmetry checks one state per renaming of them.
      symmetric: ['server'],
    })

    // ---- Receive(m): i = m.mdest, j = m.msource; at most one handler is enabled per message.
    function receive(
      s: View,
      m: Msg,
      logs: readonly LogValue[],
      term: readonly number[],
      role: readonly string[],
      step: (name: string, picks: object, write: (d: Draft) => void) => void,
    ) {
      const i = m.mdest
      const j = m.msource
      const picks = { m }
      // UpdateTerm: any message with a newer term; the message stays to be handled next.
      if (m.mterm > term[i]) {
        step('UpdateTerm', picks, (d) => {
          d.currentTerm.set(i, m.mterm)
          d.state.set(i, 'Follower')
          d.votedFor.set(i, NIL)
        })
        return
      }
      const log = logs[i]
      switch (m.mtype) {
        case 'RequestVoteRequest': {
          const logOk =
            bug === 'vote-without-log-check' ||
            m.mlastLogTerm > lastTerm(log) ||
            (m.mlastLogTerm === lastTerm(log) && m.mlastLogIndex >= log.length)
          const votedFor = s.votedFor.get(i)
          const grant = m.mterm === term[i] && logOk && (votedFor === NIL || votedFor === j)
          step('HandleRequestVoteRequest', picks, (d) => {
            if (grant) d.votedFor.set(i, j)
            reply(d, { mtype: 'RequestVoteResponse', mterm: term[i], mvoteGranted: grant, mlog: history ? log : [], msource: i, mdest: j }, m)
          })
          return
        }
        case 'RequestVoteResponse':
          if (m.mterm < term[i]) {
            step('DropStaleResponse', picks, (d) => discard(d, m))
            return
          }
          step('HandleRequestVoteResponse', picks, (d) => {
            d.votesResponded.get(i).add(j)
            if (m.mvoteGranted) {
              d.votesGranted.get(i).add(j)
              // voterLog[i] @@ (j :> m.mlog): @@ prefers the left side, so a voter already recorded keeps its first log.
              if (history && !s.voterLog.get(i).get(j).voted) d.voterLog.get(i).set(j, { voted: true, log: m.mlog })
            }
            discard(d, m)
          })
          return
        case 'AppendEntriesRequest': {
          const logOk =
            m.mprevLogIndex === 0 ||
            (m.mprevLogIndex > 0 && m.mprevLogIndex <= log.length && m.mprevLogTerm === log[m.mprevLogIndex - 1].term)
          if (m.mterm < term[i] || (role[i] === 'Follower' && !logOk)) {
            step('RejectAppendEntriesRequest', picks, (d) =>
              reply(d, { mtype: 'AppendEntriesResponse', mterm: term[i], msuccess: false, mmatchIndex: 0, msource: i, mdest: j }, m),
            )
            return
          }
          if (role[i] === 'Candidate') {
            step('ReturnToFollower', picks, (d) => d.state.set(i, 'Follower'))
            return
          }
          if (role[i] !== 'Follower') return // a leader of the same term: the spec has no step for it
          const index = m.mprevLogIndex + 1
          const first = m.mentries[0]
          if (first === undefined || (log.length >= index && log[index - 1].term === first.term)) {
            step('AcceptAppendEntriesRequest', picks, (d) => {
              d.commitIndex.set(i, m.mcommitIndex)
              // The bug: make the log end where the request's entries end, erasing newer entries.
              if (bug === 'truncate-on-stale-append') d.log.get(i).truncate(Math.min(log.length, m.mprevLogIndex + m.mentries.length))
              reply(
                d,
                { mtype: 'AppendEntriesResponse', mterm: term[i], msuccess: true, mmatchIndex: m.mprevLogIndex + m.mentries.length, msource: i, mdest: j },
                m,
              )
            })
          } else if (log.length >= index) {
            step('ConflictAppendEntriesRequest', picks, (d) => d.log.get(i).truncate(log.length - 1))
          } else if (log.length === m.mprevLogIndex) {
            step('AppendEntriesRequestAppend', picks, (d) => d.log.get(i).push(first))
          }
          return
        }
        case 'AppendEntriesResponse':
          if (m.mterm < term[i]) {
            step('DropStaleResponse', picks, (d) => discard(d, m))
            return
          }
          step('HandleAppendEntriesResponse', picks, (d) => {
            if (m.msuccess) {
              d.nextIndex.get(i).set(j, m.mmatchIndex + 1)
              d.matchIndex.get(i).set(j, m.mmatchIndex)
            } else {
              d.nextIndex.get(i).set(j, Math.max(s.nextIndex.get(i).get(j) - 1, 1))
            }
            discard(d, m)
          })
          return
      }
    }

    // ---- Properties

    /** At most one leader per term, over every election that ever happened (the elections history). */
    function ElectionSafety(s: View): boolean {
      const leaderOf = new Map<number, number>()
      for (const e of s.elections) {
        const other = leaderOf.get(e.eterm)
        if (other !== undefined && other !== e.eleader) return false
        leaderOf.set(e.eterm, e.eleader)
      }
      return true
    }

    /** Every election won with logs no more up to date than the winner's: for each voter recorded
     * in an election (evoterLog, its log when it granted the vote), the leader's log at election
     * (elog) ends in a later term, or in the same term and no shorter. Raft's vote rule, as seen
     * in the elections history; leader completeness rests on it. */
    function LeaderLogUpToDate(s: View): boolean {
      for (const e of s.elections) {
        for (const v of e.evoterLog as readonly { voted: boolean; log: LogValue }[]) {
          if (v.voted && !atLeastAsUpToDate(e.elog, v.log)) return false
        }
      }
      return true
    }

    /** The commit properties hold trivially in the many states where no server has committed
     * anything yet: checking that first spares decoding every log. */
    function nothingCommitted(s: View): boolean {
      return s.commitIndex.every((c) => c === 0)
    }

    /** If two logs have an entry with the same index and term, they agree on every entry up to it. */
    function LogMatching(s: View): boolean {
      if (all.filter((i) => s.log.get(i).length > 0).length < 2) return true
      const logs = all.map((i) => s.log.get(i).toArray())
      for (const a of logs) {
        for (const b of logs) {
          for (let k = Math.min(a.length, b.length); k >= 1; k--) {
            if (a[k - 1].term !== b[k - 1].term) continue
            for (let n = 0; n < k; n++) if (a[n].term !== b[n].term || a[n].value !== b[n].value) return false
            break
          }
        }
      }
      return true
    }

    /** A leader holds every entry any server has learned as committed at a term no newer than the
     * leader's: server j's commitIndex was set at a term <= currentTerm[j], and Raft's leader
     * completeness says every leader of that term or later has those entries. */
    function LeaderCompleteness(s: View): boolean {
      if (nothingCommitted(s)) return true
      for (const i of all) {
        if (s.state.get(i) !== 'Leader') continue
        const leaderLog = s.log.get(i).toArray()
        for (const j of all) {
          if (s.currentTerm.get(j) > s.currentTerm.get(i)) continue
          const log = s.log.get(j).toArray()
          const committed = Math.min(s.commitIndex.get(j), log.length)
          for (let k = 0; k < committed; k++) {
            if (k >= leaderLog.length || !sameEntry(leaderLog[k], log[k])) return false
          }
        }
      }
      return true
    }

    /** Committed entries are present and the same everywhere: no two servers apply different
     * values at one index. */
    function StateMachineSafety(s: View): boolean {
      if (nothingCommitted(s)) return true
      const logs = all.map((i) => s.log.get(i).toArray())
      const commits = all.map((i) => s.commitIndex.get(i))
      for (const i of all) {
        if (commits[i] > logs[i].length) return false
        for (const j of all) {
          const n = Math.min(commits[i], commits[j])
          for (let k = 0; k < n; k++) if (!sameEntry(logs[i][k], logs[j][k])) return false
        }
      }
      return true
    }

    /** Every entry a server counts as committed is stored, the same, on a majority of servers:
     * once committed, an entry is never lost (what a client that got an acknowledgement relies on). */
    function CommittedOnQuorum(s: View): boolean {
      if (nothingCommitted(s)) return true
      const logs = all.map((i) => s.log.get(i).toArray())
      for (const i of all) {
        const committed = Math.min(s.commitIndex.get(i), logs[i].length)
        for (let k = 0; k < committed; k++) {
          const holders = all.filter((j) => k < logs[j].length && sameEntry(logs[j][k], logs[i][k])).length
          if (!isQuorum(holders)) return false
        }
      }
      return true
    }
  },
})

const sameEntry = (a: { term: number; value: number }, b: { term: number; value: number }) => a.term === b.term && a.value === b.value
