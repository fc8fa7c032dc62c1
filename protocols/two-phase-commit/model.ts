// Two-phase commit, following tlaplus/Examples transaction_commit/TwoPhase.tla
// variable for variable and action for action:
//
//   TwoPhase.tla                      here
//   rmState \in [RM -> {...}]         rmState: map rm -> working|prepared|committed|aborted
//   tmState                           tmState: init|committed|aborted
//   tmPrepared \subseteq RM           tmPrepared: set of rm
//   msgs \subseteq Message            msgs: set of { type: Prepared, rm } | { type: Commit } | { type: Abort }
//   TMRcvPrepared(rm), TMCommit, TMAbort, RMPrepare(rm), RMChooseToAbort(rm),
//   RMRcvCommitMsg(rm), RMRcvAbortMsg(rm)  -> actions of the same names, in TPNext's order
//   TPTypeOK, TC!TCConsistent         -> TypeOK, TCConsistent
//
// Liveness (the blocking that two-phase commit is known for, Gray and Lamport, "Consensus on
// Transaction Commit", 2006, section 3): with the TM alive and every message delivered, every RM
// eventually decides. Fairness, per pick instance, is weak on every step that is an obligation:
// the TM's receipt of each Prepared, its decision (TMAbort doubles as its timeout: an undecided
// TM must eventually decide), each RM's prepare and each RM's receipt of the decision.
// RMChooseToAbort is a choice, not an obligation, and stays unfair. Decided states keep the
// receipt of the decision enabled (a step that changes nothing), so no state deadlocks.
//
// With RM = {r1..rmN} the distinct-state counts equal TLC's (288 for 3, 8,832 for 5).

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { enumOf, mapOf, nodeId, record, setOf, union } from '../../checker/schema.js'
import { outcomes, ResourceManagerState, TCConsistent } from '../transaction-commit/properties.js'

export default defineModel({
  name: 'two-phase-commit',
  summary: 'Two-phase commit (TwoPhase.tla): a transaction manager and resource managers that all commit or all abort',
  params: {
    rm: { description: 'number of resource managers', default: 3, minimum: 1, maximum: 12 },
  },
  bugs: {
    'commit-on-any-prepared': 'the TM commits as soon as one RM is prepared, not all of them',
    'abort-after-prepare': 'an RM may still abort on its own after it has prepared',
    'commit-after-abort': 'the TM can commit after it has already aborted (TMCommit ignores tmState)',
    'prepared-ignores-abort': 'an RM that has prepared drops an Abort message, waiting for a Commit that never comes (breaks only liveness)',
  },
  build({ rm }, bug) {
    const RM = nodeId('rm', rm)
    const rms = range(rm)
    const Message = union('type', { Prepared: { rm: RM }, Commit: {}, Abort: {} })
    const state = record({
      rmState: mapOf(RM, ResourceManagerState),
      tmState: enumOf('init', 'committed', 'aborted'),
      tmPrepared: setOf(RM),
      msgs: setOf(Message),
    })
    const COMMIT = { type: 'Commit' } as const
    const ABORT = { type: 'Abort' } as const

    return protocol({
      state,
      actions: {
        TMCommit: {},
        TMAbort: {},
        TMRcvPrepared: { rm: RM },
        RMPrepare: { rm: RM },
        RMChooseToAbort: { rm: RM },
        RMRcvCommitMsg: { rm: RM },
        RMRcvAbortMsg: { rm: RM },
      },

      // All-zero is already TPInit (working, init, {}, {}); say so anyway.
      init(emit) {
        emit((d) => {
          for (const r of rms) d.rmState.set(r, 'working')
          d.tmState = 'init'
          d.tmPrepared.clear()
          d.msgs.clear()
        })
      },

      next(s, emit) {
        const tmCanCommit = bug === 'commit-on-any-prepared' ? s.tmPrepared.size > 0 : s.tmPrepared.size === rm
        if ((s.tmState === 'init' || bug === 'commit-after-abort') && tmCanCommit) {
          emit('TMCommit', {}, (d) => {
            d.tmState = 'committed'
            d.msgs.add(COMMIT)
          })
        }
        if (s.tmState === 'init') {
          emit('TMAbort', {}, (d) => {
            d.tmState = 'aborted'
            d.msgs.add(ABORT)
          })
        }
        for (const r of rms) {
          if (s.tmState === 'init' && s.msgs.has({ type: 'Prepared', rm: r })) {
            emit('TMRcvPrepared', { rm: r }, (d) => {
              d.tmPrepared.add(r)
            })
          }
          const rmState = s.rmState.get(r)
          if (rmState === 'working') {
            emit('RMPrepare', { rm: r }, (d) => {
              d.rmState.set(r, 'prepared')
              d.msgs.add({ type: 'Prepared', rm: r })
            })
          }
          if (rmState === 'working' || (bug === 'abort-after-prepare' && rmState === 'prepared')) {
            emit('RMChooseToAbort', { rm: r }, (d) => d.rmState.set(r, 'aborted'))
          }
          if (s.msgs.has(COMMIT)) {
            emit('RMRcvCommitMsg', { rm: r }, (d) => d.rmState.set(r, 'committed'))
          }
          if (s.msgs.has(ABORT)) {
            // The bug: a prepared RM believes it is bound to commit and drops the Abort (a step
            // that changes nothing): it stays prepared forever, consistent but blocked.
            const dropsAbort = bug === 'prepared-ignores-abort' && rmState === 'prepared'
            emit('RMRcvAbortMsg', { rm: r }, (d) => {
              if (!dropsAbort) d.rmState.set(r, 'aborted')
            })
          }
        }
      },

      // Resource managers are interchangeable: --symmetry checks one state per renaming class.
      symmetric: ['rm'],

      always: {
        TypeOK: wellTyped,
        TCConsistent,
      },
      sometimes: outcomes,

      // Liveness: see the header for why these steps, and only these, are fair.
      eventually: {
        EveryRMDecides: (s) => s.rmState.every((v) => v === 'committed' || v === 'aborted'),
      },
      fairness: {
        TMCommit: 'weak',
        TMAbort: 'weak',
        TMRcvPrepared: 'weak',
        RMPrepare: 'weak',
        RMRcvCommitMsg: 'weak',
        RMRcvAbortMsg: 'weak',
      },
    })
  },
})
