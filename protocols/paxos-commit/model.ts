// Paxos Commit (Gray and Lamport, "Consensus on Transaction Commit"), following tlaplus/Examples
// specifications/transaction_commit/PaxosCommit.tla variable for variable and action for action.
// Each resource manager's prepared/aborted choice is decided by its own instance of Paxos
// (instance = the RM's id); the transaction commits once every instance has chosen "prepared".
//
//   PaxosCommit.tla                               here
//   rmState \in [RM -> {...}]                     rmState: map rm -> working|prepared|committed|aborted
//   aState[ins][ac] = [mbal, bal, val]            aState: map rm -> map acceptor -> { mbal, bal, val }
//   msgs \subseteq Message (every message sent)   msgs: set of phase1a | phase1b | phase2a | phase2b
//                                                 | Commit | Abort records, the same fields
//   RMPrepare(rm), RMChooseToAbort(rm),           actions of the same names, pick rm
//   RMRcvCommitMsg(rm), RMRcvAbortMsg(rm)
//   Phase1a(bal, rm)                              Phase1a, picks bal (1..ballots-1) and rm
//   Phase2a(bal, rm) with \E MS \in Majority      Phase2a, picks bal, rm and the quorum MS whose
//                                                 phase 1b messages fix the value (one step per MS)
//   Decide, first disjunct (\A rm: Decided)      DecideCommit, picks the witnesses: per instance
//                                                 the ballot and the majority whose votes chose
//                                                 "prepared" (bal, quorum: maps rm -> ...)
//   Decide, second disjunct (\E rm: Decided)      DecideAbort, picks rm and the witness bal, quorum
//   Phase1b(acc), Phase2b(acc) with \E m \in msgs picks acc and the witness m (one step per m)
//   Ballot, Majority                              0..ballots-1; every majority of the acceptors
//   PCTypeOK; TC!TCConsistent                     TypeOK; TCConsistent (from transaction-commit)
//
// Two more invariants say why TCConsistent holds: each instance chooses at most one value
// (Agreement, Paxos's safety) and no leader sends both Commit and Abort (OneDecision).
// msgs is a set, as in the spec: a step that sends a message already sent, or an RM that
// receives a decision it already acted on, changes nothing (TLC counts it as generated).
// Since every \E witness is a step of its own, distinct and generated counts and depths equal
// TLC's: 545 distinct (4,564 generated) for rm=2 acceptors=3 ballots=1, 1,461 (10,351) for
// rm=1 acceptors=3 ballots=2, and the others pinned in test/paxos-commit.test.ts.
//
// Bugs: commit-on-some-chosen and accept-below-promise show at the default size;
// decide-from-minority needs three acceptors (with two, every phase 1 quorum includes the one
// voter the leader listened to), e.g. rm=1 acceptors=3 ballots=2.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { enumOf, int, mapOf, nodeId, record, setOf, union, type Value as ValueOf, type View } from '../../checker/schema.js'
import { majorities } from '../paxos/model.js'
import { decisionsStable, outcomes, ResourceManagerState, TCConsistent } from '../transaction-commit/properties.js'

/** Every way of picking one element from each list (the cartesian product), in order. */
export function product<T>(lists: readonly (readonly T[])[]): T[][] {
  let result: T[][] = [[]]
  for (const list of lists) result = result.flatMap((prefix) => list.map((x) => [...prefix, x]))
  return result
}

/** The message set of PaxosCommit.tla for these constants. */
export function paxosCommitMessage(rm: number, acceptors: number, ballots: number) {
  const RM = nodeId('rm', rm)
  const Acceptor = nodeId('a', acceptors)
  const Ballot = int(0, ballots - 1)
  const Decision = enumOf('prepared', 'aborted')
  return union('type', {
    // Ballot \ {0}; with a single ballot no phase 1a message exists at all.
    phase1a: { ins: RM, bal: int(Math.min(1, ballots - 1), ballots - 1) },
    phase1b: { ins: RM, mbal: Ballot, bal: int(-1, ballots - 1), val: enumOf('prepared', 'aborted', 'none'), acc: Acceptor },
    phase2a: { ins: RM, bal: Ballot, val: Decision },
    phase2b: { acc: Acceptor, ins: RM, bal: Ballot, val: Decision },
    Commit: {},
    Abort: {},
  })
}
export type PaxosCommitMessage = ValueOf<ReturnType<typeof paxosCommitMessage>>
type Phase1b = Extract<PaxosCommitMessage, { type: 'phase1b' }>
type Vote = 'prepared' | 'aborted'

export default defineModel({
  name: 'paxos-commit',
  summary: 'Paxos Commit (PaxosCommit.tla): one Paxos instance per resource manager decides its vote, so commit survives a failed leader',
  params: {
    rm: { description: 'number of resource managers (one Paxos instance each)', default: 2, minimum: 1, maximum: 3 },
    acceptors: { description: 'number of acceptors (quorums are majorities)', default: 2, minimum: 1, maximum: 4 },
    ballots: { description: 'number of ballots, numbered 0..ballots-1 (ballot 0 belongs to the RMs)', default: 2, minimum: 1, maximum: 3 },
  },
  bugs: {
    'commit-on-some-chosen':
      'the leader decides Commit once some RM\'s instance has chosen "prepared", not every RM\'s (Decide\'s \\A rm becomes \\E rm)',
    'accept-below-promise':
      'an acceptor accepts a phase 2a message whose ballot is below the one it promised (Phase2b ignores mbal)',
    'decide-from-minority':
      'the leader takes a single acceptor\'s phase 2b vote as the instance\'s choice, not a majority\'s (Decide\'s Decided); it takes 3 acceptors to show (--param rm=1 --param acceptors=3)',
  },
  // The maxima keep DecideCommit's witnesses (a ballot and a majority per instance, at most
  // (5 majorities x 3 ballots)^3 = 3,375) under the 65,535 steps one state may have.
  build({ rm, acceptors, ballots }, bug) {
    const RM = nodeId('rm', rm)
    const Acceptor = nodeId('a', acceptors)
    const Message = paxosCommitMessage(rm, acceptors, ballots)
    type Message = ValueOf<typeof Message>
    const state = record({
      rmState: mapOf(RM, ResourceManagerState),
      aState: mapOf(RM, mapOf(Acceptor, record({ mbal: int(0, ballots - 1), bal: int(-1, ballots - 1), val: enumOf('prepared', 'aborted', 'none') }))),
      msgs: setOf(Message),
    })
    const RMs = range(rm)
    const Acceptors = range(acceptors)
    const Ballots = range(ballots)
    const Majority = majorities(acceptors)
    const NO_EVIDENCE = { bal: 0, quorum: [] as number[] }
    const COMMIT = { type: 'Commit' } as const
    const ABORT = { type: 'Abort' } as const

    /** The acceptors whose phase 2b vote for `v` in ballot `b` of instance `ins` was sent. */
    const voters = (msgs: readonly Message[], ins: number, b: number, v: Vote) => {
      const who = new Set<number>()
      for (const m of msgs) if (m.type === 'phase2b' && m.ins === ins && m.bal === b && m.val === v) who.add(m.acc)
      return who
    }
    /** Instance `ins` has chosen `v` in ballot `b`: some majority's votes for it were all sent. */
    const chosenIn = (msgs: readonly Message[], ins: number, b: number, v: Vote) => {
      const who = voters(msgs, ins, b, v)
      return Majority.some((MS) => MS.every((a) => who.has(a)))
    }
    const chosen = (msgs: readonly Message[], ins: number, v: Vote) => Ballots.some((b) => chosenIn(msgs, ins, b, v))

    /** Phase2a's value for quorum MS, or null unless every member of MS has sent its phase 1b. */
    const phase2aValue = (oneBs: readonly Phase1b[], MS: readonly number[]): Vote | null => {
      const mset = oneBs.filter((m) => MS.includes(m.acc))
      if (!MS.every((a) => mset.some((m) => m.acc === a))) return null
      const maxbal = Math.max(-1, ...mset.map((m) => m.bal))
      if (maxbal === -1) return 'aborted'
      // The CHOOSE: every 1b of the highest ballot carries that ballot's one 2a value.
      return mset.find((m) => m.bal === maxbal)!.val as Vote
    }

    const sometimes: Record<string, (s: View<typeof state>) => boolean> = { ...outcomes }
    // With more than ballot 0, a leader's ballot can decide an instance whose RM went silent:
    // the recovery Paxos Commit exists for.
    if (ballots > 1) {
      sometimes.LeaderChoosesAbort = (s) => {
        const msgs = s.msgs.toArray() as readonly Message[]
        return RMs.some((r) => Ballots.some((b) => b > 0 && chosenIn(msgs, r, b, 'aborted')))
      }
    }

    return protocol({
      state,
      actions: {
        RMPrepare: { rm: RM },
        RMChooseToAbort: { rm: RM },
        RMRcvCommitMsg: { rm: RM },
        RMRcvAbortMsg: { rm: RM },
        Phase1a: { bal: int(0, ballots - 1), rm: RM },
        Phase2a: { bal: int(0, ballots - 1), rm: RM, quorum: setOf(Acceptor) },
        DecideCommit: { bal: mapOf(RM, int(0, ballots - 1)), quorum: mapOf(RM, setOf(Acceptor)) },
        DecideAbort: { rm: RM, bal: int(0, ballots - 1), quorum: setOf(Acceptor) },
        Phase1b: { acc: Acceptor, m: Message },
        Phase2b: { acc: Acceptor, m: Message },
      },

      init(emit) {
        emit((d) => {
          for (const r of RMs) {
            d.rmState.set(r, 'working')
            for (const a of Acceptors) d.aState.get(r).set(a, { mbal: 0, bal: -1, val: 'none' })
          }
          d.msgs.clear()
        })
      },

      // PCNext's order: the RMs' actions, then the leaders' (Phase1a, Phase2a per ballot > 0
      // and instance), Decide, then each acceptor's Phase1b and Phase2b.
      next(s, emit) {
        const msgs = s.msgs.toArray() as readonly Message[]
        const hasCommit = s.msgs.has(COMMIT)
        const hasAbort = s.msgs.has(ABORT)
        for (const r of RMs) {
          if (s.rmState.get(r) === 'working') {
            emit('RMPrepare', { rm: r }, (d) => {
              d.rmState.set(r, 'prepared')
              d.msgs.add({ type: 'phase2a', ins: r, bal: 0, val: 'prepared' })
            })
            emit('RMChooseToAbort', { rm: r }, (d) => {
              d.rmState.set(r, 'aborted')
              d.msgs.add({ type: 'phase2a', ins: r, bal: 0, val: 'aborted' })
            })
          }
          if (hasCommit) emit('RMRcvCommitMsg', { rm: r }, (d) => d.rmState.set(r, 'committed'))
          if (hasAbort) emit('RMRcvAbortMsg', { rm: r }, (d) => d.rmState.set(r, 'aborted'))
        }
        for (const bal of Ballots) {
          if (bal === 0) continue
          for (const r of RMs) {
            emit('Phase1a', { bal, rm: r }, (d) => d.msgs.add({ type: 'phase1a', ins: r, bal }))
            if (msgs.some((m) => m.type === 'phase2a' && m.bal === bal && m.ins === r)) continue
            const oneBs = msgs.filter((m): m is Phase1b => m.type === 'phase1b' && m.ins === r && m.mbal === bal)
            for (const MS of Majority) {
              const val = phase2aValue(oneBs, MS)
              if (val !== null) emit('Phase2a', { bal, rm: r, quorum: MS }, (d) => d.msgs.add({ type: 'phase2a', ins: r, bal, val }))
            }
          }
        }
        // Decide, one step per witness of its \E's as TLC counts them: Commit for every choice
        // of a (ballot, majority) per instance, Abort for every (instance, ballot, majority).
        const witnesses = (r: number, v: Vote) => {
          const found: { bal: number; quorum: number[] }[] = []
          for (const bal of Ballots) {
            const who = voters(msgs, r, bal, v)
            if (bug === 'decide-from-minority') for (const a of Acceptors) who.has(a) && found.push({ bal, quorum: [a] })
            else for (const MS of Majority) if (MS.every((a) => who.has(a))) found.push({ bal, quorum: MS })
          }
          return found
        }
        const prepared = RMs.map((r) => witnesses(r, 'prepared'))
        // With the bug, any instance may be passed over (no ballot, no quorum), if not all are.
        const lists = bug === 'commit-on-some-chosen' ? prepared.map((ws) => [...ws, NO_EVIDENCE]) : prepared
        for (const choice of product(lists)) {
          if (choice.every((w) => w === NO_EVIDENCE)) continue
          emit('DecideCommit', { bal: choice.map((w) => w.bal), quorum: choice.map((w) => w.quorum) }, (d) => d.msgs.add(COMMIT))
        }
        for (const r of RMs) {
          for (const w of witnesses(r, 'aborted')) emit('DecideAbort', { rm: r, bal: w.bal, quorum: w.quorum }, (d) => d.msgs.add(ABORT))
        }
        for (const acc of Acceptors) {
          for (const m of msgs) {
            if (m.type !== 'phase1a') continue
            const own = s.aState.get(m.ins).get(acc)
            if (!(own.mbal < m.bal)) continue
            const reply = { type: 'phase1b', ins: m.ins, mbal: m.bal, bal: own.bal, val: own.val, acc } as const
            emit('Phase1b', { acc, m }, (d) => {
              d.aState.get(m.ins).get(acc).mbal = m.bal
              d.msgs.add(reply)
            })
          }
          for (const m of msgs) {
            if (m.type !== 'phase2a') continue
            if (!(s.aState.get(m.ins).get(acc).mbal <= m.bal) && bug !== 'accept-below-promise') continue
            emit('Phase2b', { acc, m }, (d) => {
              d.aState.get(m.ins).set(acc, { mbal: m.bal, bal: m.bal, val: m.val })
              d.msgs.add({ type: 'phase2b', ins: m.ins, bal: m.bal, val: m.val, acc })
            })
          }
        }
      },

      // RMs are interchangeable (instances are named by RM), and so are acceptors, since the
      // quorums are all the majorities: --symmetry checks one state per renaming of either.
      symmetric: ['rm', 'a'],

      // No deadlock to declare: RMPrepare is enabled at first, and once any phase 2a message
      // is sent some acceptor can always (re)send its phase 2b for it.

      always: {
        TypeOK: wellTyped,
        TCConsistent,
        Agreement: (s) => {
          const msgs = s.msgs.toArray() as readonly Message[]
          return RMs.every((r) => !(chosen(msgs, r, 'prepared') && chosen(msgs, r, 'aborted')))
        },
        OneDecision: (s) => !(s.msgs.has(COMMIT) && s.msgs.has(ABORT)),
      },
      sometimes,
      steps: decisionsStable,
    })
  },
})
