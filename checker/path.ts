// Rebuilding a path from the parent log: follow parents back to an initial state, then
// replay the recorded successor ordinals forward. Models emit steps in a deterministic
// order, so the k-th step from a state is always the same step.

import type { Instance } from './instance.js'
import type { ParentLog } from './parents.js'

export interface Step {
  /** `init` for the first state. */
  action: string
  picks: Readonly<Record<string, unknown>>
  /** The state after the step (a copy). */
  state: Uint32Array
}

/** The ordinals from an initial state to `id`: the first is the initial state's ordinal. */
export function ordinalsTo(log: ParentLog, id: number): number[] {
  const ordinals: number[] = []
  for (let at = id; at !== -1; at = log.parent(at)) ordinals.push(log.ordinal(at))
  return ordinals.reverse()
}

/** Replay `ordinals` (initial ordinal first) into the steps they stand for. */
export function replayOrdinals(instance: Instance, ordinals: readonly number[]): Step[] {
  const steps: Step[] = []
  const pick = (target: number, emitAll: (onStep: Parameters<Instance['initial']>[0]) => void, depth: number) => {
    let found: Step | undefined
    try {
      emitAll((ordinal, action, picks, successor) => {
        if (ordinal === target) {
          found = { action: action < 0 ? 'init' : instance.actionNames[action], picks, state: successor.slice() }
        }
      })
    } catch (e) {
      // The model may throw after the step wanted (the search found a violation first).
      if (!found) throw e
    }
    if (!found) throw new Error(`path replay: step ${depth} has no successor with ordinal ${target}; is the model deterministic?`)
    steps.push(found)
    return found.state
  }
  let state = pick(ordinals[0], (onStep) => instance.initial(onStep), 0)
  for (let i = 1; i < ordinals.length; i++) {
    const from = state
    state = pick(ordinals[i], (onStep) => instance.successors(from, 0, onStep), i)
  }
  return steps
}
