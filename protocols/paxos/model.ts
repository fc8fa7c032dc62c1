// Single-decree Paxos, following tlaplus/Examples specifications/Paxos/Paxos.tla variable for
// variable and action for action ("chosen" as in Voting.tla, through Paxos.tla's `votes`):
//
//   Paxos.tla                                  here
//   maxBal  \in [Acceptor -> Ballot \cup {-1}] maxBal:  map acceptor -> -1..ballots-1
//   maxVBal \in [Acceptor -> Ballot \cup {-1}] maxVBal: map acceptor -> -1..ballots-1
//   maxVal  \in [Acceptor -> Value \cup {None}] maxVal: map acceptor -> v1..vN | None
//   msgs \subseteq Message (every message sent) msgs: set of 1a | 1b | 2a | 2b records, same fields
//   Phase1a(b), Phase2a(b, v)                   actions of the same names, picks b (and v)
//   Phase1b(a), Phase2b(a) with \E m \in msgs   picks a and the witness m (one step per m, as TLC counts)
//   Ballot (MCBallot)                           0..ballots-1
//   Quorum                                      every majority of the acceptors
//   TypeOK; V!chosen has at most one value      TypeOK, Agreement
//
// msgs is a set, as in the spec: sending a message already sent leaves the state unchanged
// (Phase1a is always enabled, so there is no deadlock). With 3 acceptors, 2 values and ballots
// {0, 1} the model reaches 3,921 distinct states, TLC's count.
//
// Liveness: Paxos cannot promise progress in general (duelling proposers; Fischer, Lynch and
// Paterson), but with finitely many ballots the highest one has no rival, so under weak fairness
// of every step, per pick instance (each proposer eventually runs its ballot, each message sent
// is eventually received by each acceptor that may act on it), a value is eventually chosen:
// every acceptor promises the highest ballot, its proposer sends a 2a, and every acceptor votes
// for it. This is the leader-election assumption of Paxos Made Simple, section 2.4, made true
// by the bound.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { enumOf, int, mapOf, nodeId, record, setOf, union, type Value as ValueOf } from '../../checker/schema.js'

export const NONE = 'None'

/** Every subset of 0..n-1 with more than n/2 members. */
export function majorities(n: number): number[][] {
  const quorums: number[][] = []
  for (let mask = 0; mask < 1 << n; mask++) {
    const members = range(n).filter((a) => mask & (1 << a))
    if (members.length * 2 > n) quorums.push(members)
  }
  return quorums
}

/** The value names v1..vN, as TLA+ model values. */
export const valueNames = (values: number) => range(values).map((i) => `v${i + 1}`)

export function paxosMessage(acceptors: number, values: number, ballots: number) {
  const Acceptor = nodeId('a', acceptors)
  const Ballot = int(0, ballots - 1)
  const Value = enumOf(...valueNames(values))
  return union('type', {
    '1a': { bal: Ballot },
    '1b': { acc: Acceptor, bal: Ballot, mbal: int(-1, ballots - 1), mval: enumOf(...valueNames(values), NONE) },
    '2a': { bal: Ballot, val: Value },
    '2b': { acc: Acceptor, bal: Ballot, val: Value },
  })
}
export type PaxosMessage = ValueOf<ReturnType<typeof paxosMessage>>

export default defineModel({
  name: 'paxos',
  summary: 'Single-decree Paxos (Paxos.tla): acceptors and ballots, a value is chosen when a majority votes for it in one ballot',
  params: {
    acceptors: { description: 'number of acceptors (quorums are majorities)', default: 3, minimum: 1, maximum: 7 },
    values: { description: 'number of values that may be proposed', default: 2, minimum: 1, maximum: 4 },
    ballots: { description: 'number of ballots, numbered 0..ballots-1', default: 2, minimum: 1, maximum: 5 },
  },
  bugs: {
    'vote-below-promise': 'an acceptor votes for a 2a message whose ballot is below the one it promised (Phase2b ignores maxBal)',
    'ignore-1b-votes': 'a proposer ignores the votes reported in 1b messages and proposes any value (Phase2a skips the Q1bv rule)',
    'no-promise-after-vote': 'an acceptor that has voted ignores every later 1a message (Phase1b requires maxVBal = -1): safe, but votes split over ballots leave no quorum of promises (breaks only liveness)',
  },
  build({ acceptors, values, ballots }, bug) {
    const Acceptor = nodeId('a', acceptors)
    const BallotOrNone = int(-1, ballots - 1)
    const Message = paxosMessage(acceptors, values, ballots)
    const state = record({
      maxBal: mapOf(Acceptor, BallotOrNone),
      maxVBal: mapOf(Acceptor, BallotOrNone),
      maxVal: mapOf(Acceptor, enumOf(...valueNames(values), NONE)),
      msgs: setOf(Message),
    })
    const Ballots = range(ballots)
    const Values = valueNames(values)
    const Acceptors = range(acceptors)
    const Quorums = majorities(acceptors)
    type Message = ValueOf<typeof Message>
    type OneB = Extract<Message, { type: '1b' }>

    /** Phase2a's quorum condition for ballot b and value v, given the 1b messages of ballot b. */
    const quorumAllows = (oneBs: readonly OneB[], v: string) =>
      Quorums.some((Q) => {
        const Q1b = oneBs.filter((m) => Q.includes(m.acc))
        if (!Q.every((a) => Q1b.some((m) => m.acc === a))) return false
        if (bug === 'ignore-1b-votes') return true
        const Q1bv = Q1b.filter((m) => m.mbal >= 0)
        return Q1bv.length === 0 || Q1bv.some((m) => m.mval === v && Q1bv.every((mm) => m.mbal >= mm.mbal))
      })

    return protocol({
      state,
      actions: {
        Phase1a: { b: int(0, ballots - 1) },
        Phase2a: { b: int(0, ballots - 1), v: enumOf(...Values) },
        Phase1b: { a: Acceptor, m: Message },
        Phase2b: { a: Acceptor, m: Message },
      },

      init(emit) {
        emit((d) => {
          for (const a of Acceptors) {
            d.maxBal.set(a, -1)
            d.maxVBal.set(a, -1)
            d.maxVal.set(a, NONE)
          }
          d.msgs.clear()
        })
      },

      // Next's order: \E b: Phase1a(b) \/ \E v: Phase2a(b, v); then \E a: Phase1b(a) \/ Phase2b(a).
      next(s, emit) {
        const msgs = s.msgs.toArray() as readonly Message[]
        for (const b of Ballots) {
          emit('Phase1a', { b }, (d) => d.msgs.add({ type: '1a', bal: b }))
          if (msgs.some((m) => m.type === '2a' && m.bal === b)) continue
          const oneBs = msgs.filter((m): m is OneB => m.type === '1b' && m.bal === b)
          for (const v of Values) {
            if (quorumAllows(oneBs, v)) emit('Phase2a', { b, v }, (d) => d.msgs.add({ type: '2a', bal: b, val: v }))
          }
        }
        for (const a of Acceptors) {
          const maxBal = s.maxBal.get(a)
          // The bug: an acceptor takes its vote as final and stops promising; promising less
          // cannot choose two values, but it can leave a ballot short of a quorum for ever.
          const promises = bug !== 'no-promise-after-vote' || s.maxVBal.get(a) === -1
          for (const m of msgs) {
            if (m.type !== '1a' || !(m.bal > maxBal) || !promises) continue
            emit('Phase1b', { a, m }, (d) => {
              d.maxBal.set(a, m.bal)
              d.msgs.add({ type: '1b', acc: a, bal: m.bal, mbal: s.maxVBal.get(a), mval: s.maxVal.get(a) })
            })
          }
          for (const m of msgs) {
            if (m.type !== '2a' || !(m.bal >= maxBal || bug === 'vote-below-promise')) continue
            emit('Phase2b', { a, m }, (d) => {
              d.maxBal.set(a, m.bal)
              d.maxVBal.set(a, m.bal)
              d.maxVal.set(a, m.val)
              d.msgs.add({ type: '2b', acc: a, bal: m.bal, val: m.val })
            })
          }
        }
      },

      // Quorums are majorities, so acceptors are interchangeable: --symmetry checks one state
      // per renaming of them.
      symmetric: ['a'],

      always: {
        TypeOK: wellTyped,
        Agreement: (s) => chosen(s.msgs.toArray() as readonly Message[], Quorums).length <= 1,
      },
      sometimes: {
        ValueChosen: (s) => chosen(s.msgs.toArray() as readonly Message[], Quorums).length > 0,
      },
      // Paxos Made Simple: an acceptor's promise only ever rises, and a chosen value stays chosen.
      steps: {
        MaxBalNeverDecreases: (before, _step, after) => Acceptors.every((a) => after.maxBal.get(a) >= before.maxBal.get(a)),
        MaxVBalNeverDecreases: (before, _step, after) => Acceptors.every((a) => after.maxVBal.get(a) >= before.maxVBal.get(a)),
        ChosenStaysChosen: (before, _step, after) => {
          const sent = before.msgs.toArray() as readonly Message[]
          // What is chosen follows from the 2b votes alone: while every vote is still there,
          // nothing can be unchosen, and the quorum count (the costly part) is not needed.
          if (sent.every((m) => m.type !== '2b' || after.msgs.has(m))) return true
          const now = chosen(after.msgs.toArray() as readonly Message[], Quorums)
          return chosen(sent, Quorums).every((v) => now.includes(v))
        },
      },

      // Liveness: see the header for why weak fairness of every step is enough.
      eventually: {
        ValueEventuallyChosen: (s) => chosen(s.msgs.toArray() as readonly Message[], Quorums).length > 0,
      },
      fairness: { Phase1a: 'weak', Phase2a: 'weak', Phase1b: 'weak', Phase2b: 'weak' },
    })
  },
})

/** Voting.tla's `chosen` under Paxos.tla's `votes`: the values v for which some quorum has
 * every member's 2b message for v in one same ballot. */
export function chosen(msgs: readonly PaxosMessage[], quorums: readonly (readonly number[])[]): string[] {
  const values = new Set<string>()
  for (const m of msgs) {
    if (m.type !== '2b' || values.has(m.val)) continue
    const votedFor = (a: number) => msgs.some((x) => x.type === '2b' && x.acc === a && x.bal === m.bal && x.val === m.val)
    if (quorums.some((Q) => Q.every(votedFor))) values.add(m.val)
  }
  return [...values]
}
