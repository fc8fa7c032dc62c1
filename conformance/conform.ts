// Conformance: the model and its implementation take the same random walk, and after every
// step the implementation's observed state must be the model's state. A walk is a list of
// choices that fast-check generates and shrinks; a diverging walk shrinks to a minimal one,
// which becomes an ITF trace that `replay` reproduces.
//
// A choice names a step by its label, not by its position: the choice c takes the enabled
// step whose label (action and picks) scores highest under a hash of (c, label), rendezvous
// hashing. For a random c every enabled step is equally likely; and the winner stays the
// winner when other steps appear or vanish, so when shrinking removes an earlier step the
// later choices still mean the same steps (positional choices would all shift), and
// shrinking finds short walks.

import fc from 'fast-check'
import type { Instance } from '../checker/instance.js'
import type { Step } from '../checker/path.js'
import { NotEnabledError, type DriverFactory } from './driver.js'
import { canonicalJson } from '../checker/canonical-json.js'
import { compareObserved, followStep, stepLabel, type Divergence } from './divergence.js'
import { FORBIDDEN_STEP, picksToItf } from './forbidden-step.js'
import { traceFromPath, type ItfTrace } from '../traces/itf.js'

export interface Walk {
  /** The model's steps taken, the initial state first; on divergence the last is the step the
   * implementation did not follow. */
  steps: Step[]
  divergence: Divergence | null
}

/** Walk the model along `choices` with the implementation in tow. Stops at the first divergence,
 * at a state with no enabled step, at a state outside the model's constraint, or when the
 * choices run out. With `checkRefusals`, the walk's last state is then probed: every step seen
 * enabled earlier in the walk but not enabled there must be refused by the implementation. */
export function walk(instance: Instance, factory: DriverFactory, choices: readonly number[], checkRefusals = false): Walk {
  const driver = factory.start(instance.config.params, instance.config.bug)
  const enabledAt = (state: Uint32Array) => {
    const enabled: Step[] = []
    instance.successors(state, 0, (_ordinal, action, picks, successor) =>
      enabled.push({ action: instance.actionNames[action], picks, state: successor.slice() }),
    )
    return enabled
  }
  try {
    // The implementation starts where it starts: it must be one of the model's initial states.
    const initials: Step[] = []
    instance.initial((_ordinal, _action, picks, state) => initials.push({ action: 'init', picks, state: state.slice() }))
    let divergence: Divergence | null = null
    let current = initials[0]
    for (const initial of initials) {
      divergence = followStep(instance, driver, 0, 'init', {}, initial.state)
      current = initial
      if (!divergence) break
    }
    const steps = [current]
    if (divergence) return { steps, divergence }
    const seen = new Map<string, Step>()
    let outside = false
    for (const choice of choices) {
      const enabled = enabledAt(current.state)
      if (enabled.length === 0) break
      for (const step of enabled) seen.set(labelKey(step), step)
      current = chosen(enabled, choice)
      steps.push(current)
      divergence = followStep(instance, driver, steps.length - 1, current.action, current.picks, current.state)
      if (divergence) return { steps, divergence }
      outside = instance.protocol.within !== undefined && !instance.protocol.within(instance.schema.view(current.state) as never)
      if (outside) break
    }
    if (checkRefusals) {
      // The model says nothing of steps from a state outside its constraint (they may not even
      // fit its types): such a walk is probed at the state before, the last the model expands.
      const probed = outside ? steps.slice(0, -1) : steps
      const allowed = new Set(enabledAt(probed.at(-1)!.state).map(labelKey))
      for (const [key, candidate] of seen) {
        if (allowed.has(key)) continue
        const forbidden = probeForbidden(instance, factory, probed, candidate)
        if (forbidden) return { steps: probed, divergence: forbidden }
      }
    }
    return { steps, divergence: null }
  } finally {
    driver.stop?.()
  }
}

/** Replay `steps` on a fresh implementation, then offer it `candidate`, a step the model does
 * not allow after them: a Divergence if the implementation takes it anyway and its state
 * changes. A step that changes nothing is a stutter, which no state-based property can tell
 * from not stepping (models leave such self-loops out: a crash of a server that has nothing
 * to lose, say). */
export function probeForbidden(instance: Instance, factory: DriverFactory, steps: readonly Step[], candidate: { action: string; picks: Readonly<Record<string, unknown>> }): Divergence | null {
  const probe = factory.start(instance.config.params, instance.config.bug)
  try {
    for (const step of steps.slice(1)) probe.apply(step.action, step.picks)
    try {
      probe.apply(candidate.action, candidate.picks)
    } catch (e) {
      if (e instanceof NotEnabledError) return null
      throw e
    }
    if (!compareObserved(instance.schema, steps.at(-1)!.state, probe.observe())) return null
    const label = stepLabel(instance, candidate.action, candidate.picks)
    return {
      step: steps.length,
      action: candidate.action,
      picks: candidate.picks,
      label,
      reason: `the implementation took ${label}, which the model does not allow here`,
      diff: [],
      forbidden: true,
    }
  } finally {
    probe.stop?.()
  }
}

const labelKey = (step: { action: string; picks: Readonly<Record<string, unknown>> }) => step.action + canonicalJson(step.picks)

/** Rendezvous hashing: the enabled step with the highest score for this choice. */
function chosen(enabled: readonly Step[], choice: number): Step {
  let best = enabled[0]
  let bestScore = -1
  for (const step of enabled) {
    const score = mix(labelHash(step) ^ Math.imul(choice, 0x9e3779b1))
    if (score > bestScore) {
      best = step
      bestScore = score
    }
  }
  return best
}

/** FNV-1a of the step's label: stable across states and runs. */
function labelHash(step: Step): number {
  const label = labelKey(step)
  let hash = 0x811c9dc5
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193)
  return hash
}

/** MurmurHash3's finaliser: every input bit flips each output bit with probability one half. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

export interface ConformOptions {
  runs: number
  seed: number
  /** Longest walk, in steps after the initial state. */
  maxSteps: number
  /** Also require that, at the end of each walk, the implementation refuses every step seen
   * during the walk that the model does not allow there (default true; it replays the walk once
   * per such step, which costs little next to the walk). */
  checkRefusals?: boolean
}

export interface ConformResult {
  result: 'agree' | 'diverge'
  /** Walks run, shrinking runs not counted. */
  runs: number
  seed: number
  /** Total steps both sides took across the passing runs (how much was compared). */
  stepsCompared: number
  /** The shrunk diverging walk. */
  counterexample: Walk | null
  /** fast-check's path to replay exactly that counterexample. */
  path: string | null
}

export function conform(instance: Instance, factory: DriverFactory, options: ConformOptions): ConformResult {
  let stepsCompared = 0
  const checkRefusals = options.checkRefusals ?? true
  const walks = fc.array(fc.nat(), { minLength: 0, maxLength: options.maxSteps, size: 'max' })
  const details = fc.check(
    fc.property(walks, (choices) => {
      const w = walk(instance, factory, choices, checkRefusals)
      if (!w.divergence) stepsCompared += w.steps.length - 1
      return w.divergence === null
    }),
    { numRuns: options.runs, seed: options.seed },
  )
  if (!details.failed) {
    return { result: 'agree', runs: details.numRuns, seed: options.seed, stepsCompared, counterexample: null, path: null }
  }
  const [choices] = details.counterexample!
  return {
    result: 'diverge',
    runs: details.numRuns,
    seed: options.seed,
    stepsCompared,
    counterexample: walk(instance, factory, choices, checkRefusals),
    path: details.counterexamplePath,
  }
}

/** A diverging walk as an ITF trace: the model's steps up to and including the one the
 * implementation did not follow, with the divergence in #meta.description. */
export function divergenceTrace(instance: Instance, diverging: Walk, seed: number): ItfTrace {
  const d = diverging.divergence
  if (!d) throw new Error('divergenceTrace needs a walk that diverged')
  const description = `the implementation diverged from ${instance.describe()} at step ${d.step} (${d.label}): ${d.reason}`
  const trace = traceFromPath(instance, diverging.steps, { result: 'divergence', property: null, seed, description })
  // The model has no state after a forbidden step, so the trace ends before it and names it
  // in #meta; replay offers it to the implementation after the last state.
  if (d.forbidden) trace['#meta'][FORBIDDEN_STEP] = { action: d.action, picks: picksToItf(instance, d.action, d.picks) }
  return trace
}
