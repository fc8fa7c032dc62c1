// The transaction commit specification, following tlaplus/Examples
// transaction_commit/TCommit.tla: only the RMs' states, and the two rules any commit
// protocol must implement.
//
//   TCommit.tla                       here
//   rmState \in [RM -> {...}]         rmState: map rm -> working|prepared|committed|aborted
//   Prepare(rm)                       Prepare
//   Decide(rm), first disjunct        DecideCommit (prepared, and canCommit)
//   Decide(rm), second disjunct       DecideAbort (working or prepared, and notCommitted)
//   TCTypeOK, TCConsistent            TypeOK, TCConsistent
//
// Once every RM has committed or aborted nothing is enabled: those states are `terminal`.
// With RM = {r1..rmN} the distinct-state counts equal TLC's (34 for 3, 274 for 5).

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { mapOf, nodeId, record } from '../../checker/schema.js'
import { decisionsStable, outcomes, ResourceManagerState, TCConsistent } from './properties.js'

export default defineModel({
  name: 'transaction-commit',
  summary: 'The transaction commit spec (TCommit.tla): what every commit protocol must guarantee',
  params: {
    rm: { description: 'number of resource managers', default: 3, minimum: 1, maximum: 12 },
  },
  bugs: {
    'abort-despite-commit': 'an RM may decide to abort even though another has committed',
  },
  build({ rm }, bug) {
    const RM = nodeId('rm', rm)
    const rms = range(rm)
    const state = record({
      rmState: mapOf(RM, ResourceManagerState),
    })

    return protocol({
      state,
      actions: { Prepare: { rm: RM }, DecideCommit: { rm: RM }, DecideAbort: { rm: RM } },

      init(emit) {
        emit((d) => {
          for (const r of rms) d.rmState.set(r, 'working')
        })
      },

      next(s, emit) {
        const canCommit = s.rmState.every((v) => v === 'prepared' || v === 'committed')
        const notCommitted = bug === 'abort-despite-commit' || s.rmState.every((v) => v !== 'committed')
        for (const r of rms) {
          const v = s.rmState.get(r)
          if (v === 'working') emit('Prepare', { rm: r }, (d) => d.rmState.set(r, 'prepared'))
          if (v === 'prepared' && canCommit) emit('DecideCommit', { rm: r }, (d) => d.rmState.set(r, 'committed'))
          if ((v === 'working' || v === 'prepared') && notCommitted) {
            emit('DecideAbort', { rm: r }, (d) => d.rmState.set(r, 'aborted'))
          }
        }
      },

      // Resource managers are interchangeable: --symmetry checks one state per renaming class.
      symmetric: ['rm'],

      terminal: (s) => s.rmState.every((v) => v === 'committed' || v === 'aborted'),

      always: {
        TypeOK: wellTyped,
        TCConsistent,
      },
      sometimes: outcomes,
      steps: decisionsStable,
    })
  },
})
