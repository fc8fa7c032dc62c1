// Re-checking a recorded counterexample instead of searching for one: a spec can pin a trace
// that no search reaches in CI's time (a deep scenario, written out step by step), and CI then
// asks whether it is still a path of the model and still ends in the same failure. A trace
// that no longer fits the model is bad input, named with its first bad step; the verdict is
// judged on the states as the model derives them, never on what the file claims.

import { EvaluationError, type EvaluationFailure } from '../checker/errors.js'
import type { Instance } from '../checker/instance.js'
import type { Step } from '../checker/path.js'
import type { SearchResult } from '../checker/search.js'
import type { ItfTrace } from '../traces/itf.js'
import { recordedPath } from '../traces/read.js'

/** The verdict of a recorded trace in `instance`: a violation at the first state that breaks
 * one of the checked invariants or step properties, or where one throws (an evaluation error;
 * the path cut there), a deadlock if its last state has no
 * step and is not terminal, and otherwise `incomplete`: a path proves nothing. */
export function recheckTrace(instance: Instance, trace: ItfTrace, options: { checkDeadlock?: boolean } = {}): SearchResult {
  const started = performance.now()
  const steps = recordedPath(instance, trace)

  let end = steps.length
  let property: string | null = null
  let error: EvaluationFailure | null = null
  for (let k = 0; k < steps.length && property === null; k++) {
    try {
      const broken =
        (k > 0 ? instance.stepProperties.find((p) => !instance.holdsOnStep(p.name, steps[k - 1].state, steps[k], steps[k].state)) : undefined) ??
        instance.invariants.find((p) => !instance.holds(p.name, steps[k].state))
      if (broken) property = broken.name
    } catch (e) {
      if (!(e instanceof EvaluationError)) throw e
      error = e.failure
      property = error.name
    }
    if (property !== null) end = k + 1
  }
  const path = steps.slice(0, end)
  const deadlock = property === null && (options.checkDeadlock ?? true) && isDeadlock(instance, path.at(-1)!.state)
  const coverage = Object.fromEntries(instance.actionNames.map((name) => [name, 0]))
  for (const step of path.slice(1)) coverage[step.action]++
  return {
    result: property !== null ? 'violation' : deadlock ? 'deadlock' : 'incomplete',
    property,
    error,
    reason: property !== null || deadlock ? null : 'the recorded trace ends without breaking a checked property',
    distinctStates: path.length,
    generatedStates: path.length - 1,
    depth: path.length - 1,
    seconds: (performance.now() - started) / 1000,
    path: property !== null || deadlock ? path : null,
    loop: null,
    vacuous: [],
    unchecked: null,
    coverage,
    collisionProbability: 0,
  }
}

function isDeadlock(instance: Instance, state: Step['state']): boolean {
  return instance.successors(state, 0, () => {}) === 0 && !instance.currentIsTerminal()
}
