// Replaying a counterexample against running code: start the implementation built with the
// trace's bug switch, apply each step of the trace, and after each compare what the
// implementation holds with the trace's state. If it follows to the end, evaluate the
// property the trace violates on the implementation's own state (a step property on the
// implementation's states before and after the last step): a counterexample found in the
// model is then shown, or not, in the code.

import { EvaluationError } from '../checker/errors.js'
import { SchemaError } from '../checker/schema.js'
import { callDriver, NotEnabledError, type DriverFactory } from './driver.js'
import { followStep, stepLabel, type Divergence } from './divergence.js'
import { forbiddenStepOf } from './forbidden-step.js'
import type { ItfTrace } from '../traces/itf.js'
import type { Instance } from '../checker/instance.js'
import { decodeTrace } from '../traces/read.js'

export interface ReplayResult {
  model: string
  /** The configuration replayed, as `two-phase-commit rm=3 bug=...`. */
  configuration: string
  /** Steps (transitions after the initial state) that the implementation followed. */
  steps: number
  /** Steps in the trace. */
  traceSteps: number
  divergence: Divergence | null
  /** The property the trace violates (#meta.property), or null if it names none. */
  property: string | null
  /** Whether the implementation's final state violates it too; null when there is no property
   * to evaluate, false when the implementation diverged before the end. */
  reproduced: boolean | null
}

export interface ReplayOptions {
  /** Called once the trace is decoded and the implementation started, before the first step. */
  onStart?: (configuration: string) => void
  /** Called after each step the implementation followed (0: its initial state matched). */
  onFollowed?: (step: number, label: string) => void
}

/** Replay `trace`, a trace of `instance`, on the implementation that `implementation` starts. */
export async function replayTrace(instance: Instance, trace: ItfTrace, implementation: DriverFactory, options: ReplayOptions = {}): Promise<ReplayResult> {
  const { onStart, onFollowed } = options
  const steps = decodeTrace(instance, trace)
  const property = trace['#meta'].property ?? null
  // Name a property the model lacks before running anything: that is a bad trace.
  const ofSteps = property !== null && instance.property(property).kind === 'step'
  const driver = await callDriver(0, 'start', () => implementation.start(instance.config.params, instance.config.bug))
  const result = (followed: number, divergence: Divergence | null, reproduced: boolean | null): ReplayResult => ({
    model: instance.model.name,
    configuration: instance.describe(),
    steps: followed,
    traceSteps: steps.length - 1,
    divergence,
    property,
    reproduced,
  })
  onStart?.(instance.describe())
  /** For a step property: the implementation's state before the last step. */
  let beforeLast: Uint32Array | null = null
  const observedWords = async (step: number): Promise<Uint32Array | null> => {
    try {
      return instance.schema.encode((await callDriver(step, 'observe', () => driver.observe())) as never)
    } catch (e) {
      if (e instanceof SchemaError) return null
      throw e
    }
  }
  try {
    for (let i = 0; i < steps.length; i++) {
      if (ofSteps && i === steps.length - 1 && i > 0) beforeLast = await observedWords(i - 1)
      const divergence = await followStep(instance, driver, i, steps[i].action, steps[i].picks, steps[i].state)
      if (divergence) return result(Math.max(0, i - 1), divergence, property === null ? null : false)
      onFollowed?.(i, i === 0 ? 'init' : stepLabel(instance, steps[i].action, steps[i].picks))
    }
    // A conform trace may end where the implementation took a step the model forbids.
    const forbidden = forbiddenStepOf(instance, trace['#meta'])
    if (forbidden) {
      const label = stepLabel(instance, forbidden.action, forbidden.picks)
      try {
        await callDriver(steps.length, label, () => driver.apply(forbidden.action, forbidden.picks))
        const reason = `the implementation took ${label}, which the model does not allow here`
        return result(steps.length - 1, { step: steps.length, ...forbidden, label, reason, diff: [], forbidden: true }, property === null ? null : false)
      } catch (e) {
        if (!(e instanceof NotEnabledError)) throw e
      }
    }
    if (property === null) return result(steps.length - 1, null, null)
    // A lasso (a liveness counterexample, trace.loop set) spells its cycle out, so following
    // every step replays the cycle once and ends in the state the cycle starts from; its
    // property's conclusion (`to`, or `eventually`'s P) must then be false there too.
    // The observed state equals the trace's last state word for word; evaluating the property
    // on the implementation's own observation keeps the verdict about the code.
    const last = steps.length - 1
    const observed = await observedWords(last)
    if (!observed || (ofSteps && !beforeLast)) return result(last, null, false)
    try {
      const holds = ofSteps ? instance.holdsOnStep(property, beforeLast!, steps[last], observed) : instance.holds(property, observed)
      return result(last, null, !holds)
    } catch (e) {
      // The property throws on the implementation's state too: the evaluation error is reproduced.
      if (e instanceof EvaluationError) return result(last, null, trace['#meta'].error !== undefined)
      throw e
    }
  } finally {
    await driver.stop?.()
  }
}
