// TCommit.tla's vocabulary and properties over rmState alone. TwoPhase.tla checks the very
// same ones through `TC == INSTANCE TCommit` (TC!TCConsistent), so two-phase-commit imports
// them from here instead of restating them.

import { enumOf, type MapView, type NodeIdType } from '../../checker/schema.js'

export const ResourceManagerState = enumOf('working', 'prepared', 'committed', 'aborted')

type WithRmState = { readonly rmState: MapView<NodeIdType, typeof ResourceManagerState> }

/** No resource manager has aborted while another has committed. */
export const TCConsistent = (s: WithRmState) =>
  !(s.rmState.some((v) => v === 'aborted') && s.rmState.some((v) => v === 'committed'))

/** Step properties: a resource manager that has committed or aborted never changes its mind. */
export const decisionsStable = {
  RMDecisionStable: (before: WithRmState, _step: unknown, after: WithRmState) =>
    before.rmState.every((v, rm) => v === 'working' || v === 'prepared' || after.rmState.get(rm) === v),
}

/** Reachability witnesses: both outcomes happen, so the model is not safe only because nothing does. */
export const outcomes = {
  AllCommitted: (s: WithRmState) => s.rmState.every((v) => v === 'committed'),
  AllAborted: (s: WithRmState) => s.rmState.every((v) => v === 'aborted'),
}
