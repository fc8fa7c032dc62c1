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
import { callDriver, DriverError, freshDriver, NotEnabledError, type Driver, type DriverFactory } from './driver.js'
import { canonicalJson } from '../checker/canonical-json.js'
import { compareObserved, followStep, stepLabel, type Divergence } from './divergence.js'
import { FORBIDDEN_STEP, picksToItf } from './forbidden-step.js'
import { enumerableActions } from './action-space.js'
import { sameWords } from './same-words.js'
import { traceFromPath, type ItfTrace } from '../traces/itf.js'

export interface Walk {
  /** The model's steps taken, the initial state first; on divergence the last is the step the
   * implementation did not follow. */
  steps: Step[]
  divergence: Divergence | null
}

/** Walk the model along `choices` with the implementation in tow, after following the recorded
 * path `from` if one is given. Each choice picks among the enabled steps that change the state
 * and stay inside the model's constraint, so that walks go deep instead of ending at the first
 * step past a bound; the last choice, and any choice where every enabled step leaves the
 * constraint, picks among all of them (steps past a bound must be followed too), and a step
 * outside the constraint ends the walk. A non-zero `swarm` seed weighs the actions
 * (swarmWeights). Stops at the first divergence, at a state with no enabled step, or when the
 * choices run out. With `checkRefusals`, the walk's last state is then probed: every action of
 * the model's listable action space (enumerableActions), every step seen enabled during the walk
 * that the model does not allow there, and every step it allows there that changes nothing, must
 * be refused by the implementation or leave it as it is. */
export async function walk(instance: Instance, implementation: Implementation, choices: readonly number[], checkRefusals = false, swarm = 0, from: readonly Step[] = []): Promise<Walk> {
  const steps: Step[] = []
  try {
    return await walkFrom(instance, await implementation.fresh(), implementation, steps, choices, checkRefusals, swarmWeights(instance, swarm), from)
  } catch (e) {
    // The walk so far goes with the failure, so that it can be written as a trace.
    if (e instanceof DriverError) e.walk ??= steps
    throw e
  }
}

async function walkFrom(instance: Instance, driver: Driver, implementation: Implementation, steps: Step[], choices: readonly number[], checkRefusals: boolean, weights: ActionWeights, from: readonly Step[]): Promise<Walk> {
  const enabledAt = (state: Uint32Array) => {
    const enabled: Step[] = []
    instance.successors(state, 0, (_ordinal, action, picks, successor) =>
      enabled.push({ action: instance.actionNames[action], picks, state: successor.slice() }),
    )
    return enabled
  }
  // The implementation starts where it starts: it must be one of the model's initial states.
  const initials: Step[] = []
  instance.initial((_ordinal, _action, picks, state) => initials.push({ action: 'init', picks, state: state.slice() }))
  let divergence: Divergence | null = null
  let current = initials[0]
  for (const initial of initials) {
    divergence = await followStep(instance, driver, 0, 'init', {}, initial.state)
    current = initial
    if (!divergence) break
  }
  steps.push(current)
  if (divergence) return { steps, divergence }
  // A walk from a recorded path (`from`) follows the path first, checked step by step like
  // any other; its own choices start at the path's last state.
  for (const step of from.slice(1)) {
    current = step
    steps.push(current)
    divergence = await followStep(instance, driver, steps.length - 1, current.action, current.picks, current.state)
    if (divergence) return { steps, divergence }
  }
  const isOutside = (step: Step) => instance.protocol.within !== undefined && !instance.protocol.within(instance.schema.view(step.state) as never)
  // In a swarm walk an action also weighs less each time the walk takes it, so that steps
  // that are always enabled (timeouts, restarts, drops) do not crowd out the rare ones a
  // protocol needs to progress (a vote counted, a leader elected, an entry committed). Plain
  // walks leave it out: there a choice means the same step whatever came before, which is
  // what lets shrinking remove a step without changing the ones after it.
  const taken = new Map<string, number>()
  const weightOf = (step: Step) => (weights === null ? 1 : (weights.get(step.action) ?? 1) / (1 + (taken.get(step.action) ?? 0)) ** 2)
  const seen = new Map<string, { action: string; picks: Readonly<Record<string, unknown>> }>()
  let outside = false
  for (const [n, choice] of choices.entries()) {
    const enabled = enabledAt(current.state)
    if (enabled.length === 0) break
    for (const step of enabled) seen.set(labelKey(step), step)
    // Steps that change nothing (a restart of a server with nothing to lose) teach nothing
    // and, being always enabled, would make up much of a walk: they are taken only when no
    // other step inside the constraint is enabled.
    const inside = enabled.filter((step) => !isOutside(step))
    const moving = enabled.filter((step) => !sameWords(step.state, current.state))
    const movingInside = moving.filter((step) => !isOutside(step))
    const last = n === choices.length - 1
    const pool = last ? (moving.length > 0 ? moving : enabled) : movingInside.length > 0 ? movingInside : inside.length > 0 ? inside : enabled
    current = chosen(pool, choice, weightOf)
    taken.set(current.action, (taken.get(current.action) ?? 0) + 1)
    steps.push(current)
    divergence = await followStep(instance, driver, steps.length - 1, current.action, current.picks, current.state)
    if (divergence) return { steps, divergence }
    outside = isOutside(current)
    if (outside) break
  }
  if (checkRefusals) {
    // The model says nothing of steps from a state outside its constraint (they may not even
    // fit its types): such a walk is probed at the state before, the last the model expands.
    const probed = outside ? steps.slice(0, -1) : steps
    const last = probed.at(-1)!.state
    // A step the model allows but that changes nothing there (which walks skip) is probed too:
    // the implementation must refuse it or stay as it is, like a forbidden step.
    const enabled = enabledAt(last)
    const allowed = new Set(enabled.filter((step) => !sameWords(step.state, last)).map(labelKey))
    for (const call of [...enumerableActions(instance), ...enabled]) seen.set(labelKey(call), call)
    for (const [key, candidate] of seen) {
      if (allowed.has(key)) continue
      const forbidden = await probeForbidden(instance, implementation, probed, candidate)
      if (forbidden) return { steps: probed, divergence: forbidden }
    }
  }
  return { steps, divergence: null }
}

/** Replay `steps` on a fresh implementation, then offer it `candidate`, a step the model does
 * not allow after them: a Divergence if the implementation takes it anyway and its state
 * changes. A step that changes nothing is a stutter, which no state-based property can tell
 * from not stepping (models leave such self-loops out: a crash of a server that has nothing
 * to lose, say). */
export async function probeForbidden(instance: Instance, implementation: Implementation, steps: readonly Step[], candidate: { action: string; picks: Readonly<Record<string, unknown>> }): Promise<Divergence | null> {
  const probe = await implementation.fresh()
  for (const [i, step] of steps.entries()) {
    if (i === 0) continue
    const label = stepLabel(instance, step.action, step.picks)
    try {
      await callDriver(i, label, () => probe.apply(step.action, step.picks))
    } catch (e) {
      if (!(e instanceof NotEnabledError)) throw e
      throw new DriverError(i, label, `after a reset the implementation refused a step it took before: ${e.message}`)
    }
  }
  const label = stepLabel(instance, candidate.action, candidate.picks)
  try {
    await callDriver(steps.length, label, () => probe.apply(candidate.action, candidate.picks))
  } catch (e) {
    if (e instanceof NotEnabledError) return null
    throw e
  }
  const observed = await callDriver(steps.length, label, () => probe.observe())
  if (!compareObserved(instance.schema, steps.at(-1)!.state, observed)) return null
  return {
    step: steps.length,
    action: candidate.action,
    picks: candidate.picks,
    label,
    reason: `the implementation took ${label}, which the model does not allow here (or allows only as a step that changes nothing)`,
    diff: [],
    forbidden: true,
  }
}

const labelKey = (step: { action: string; picks: Readonly<Record<string, unknown>> }) => step.action + canonicalJson(step.picks)

/** A walk's weight for each action (by name), or null for a plain walk where every enabled step
 * is equally likely. */
type ActionWeights = ReadonlyMap<string, number> | null

/** Swarm testing (as `simulate --swarm` does): a walk with a non-zero swarm seed switches about a
 * quarter of the actions off and weighs the rest 1 to 1/128. Seed 0 is the plain walk, which
 * is what shrinking moves towards. */
function swarmWeights(instance: Instance, swarm: number): ActionWeights {
  if (swarm === 0) return null
  return new Map(
    instance.actionNames.map((name) => {
      const h = mix(fnv1a(name) ^ Math.imul(swarm, 0x9e3779b1))
      return [name, (h & 3) === 0 ? 0 : 2 ** -((h >>> 2) & 7)]
    }),
  )
}

/** Weighted rendezvous hashing: the step with the highest score for this choice, a step of
 * weight w winning in proportion to w (with equal weights, plain rendezvous hashing). Steps of
 * weight 0 are chosen only when every step weighs 0. */
function chosen(steps: readonly Step[], choice: number, weightOf: (step: Step) => number): Step {
  const candidates = steps.some((step) => weightOf(step) > 0) ? steps.filter((step) => weightOf(step) > 0) : steps
  let best = candidates[0]
  let bestScore = -Infinity
  for (const step of candidates) {
    const u = (mix(labelHash(step) ^ Math.imul(choice, 0x9e3779b1)) + 1) / 4294967297
    // -w / ln(u), u uniform in (0, 1): the maximum falls on each step in proportion to w.
    const score = (weightOf(step) || 1) / -Math.log(u)
    if (score > bestScore) {
      best = step
      bestScore = score
    }
  }
  return best
}

/** The hash of a step's label: stable across states and runs. */
const labelHash = (step: Step): number => fnv1a(labelKey(step))

/** FNV-1a. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
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
  /** Make half the walks swarm walks (default true): each switches some actions off and
   * weighs the others at random, to reach deeper into the protocol. */
  swarm?: boolean
  /** Shrink a diverging walk (default true); false reports the walk as found, which is much
   * quicker when only the verdict matters (mutation testing). */
  shrink?: boolean
  /** A recorded path of the model (from its initial state) that every walk follows first:
   * walks then start deep in a scenario random choices rarely reach. */
  from?: readonly Step[]
}

export interface ConformResult {
  result: 'agree' | 'diverge'
  /** Walks run, shrinking runs not counted. */
  runs: number
  seed: number
  /** Total steps both sides took across the passing runs (how much was compared). */
  stepsCompared: number
  /** Steps after the initial state, over the passing runs: the longest walk and the mean. */
  depth: { max: number; mean: number }
  /** The diverging walk, shrunk unless asked not to. */
  counterexample: Walk | null
  /** fast-check's path to replay exactly that counterexample. */
  path: string | null
}

export async function conform(instance: Instance, factory: DriverFactory, options: ConformOptions): Promise<ConformResult> {
  let stepsCompared = 0
  let passingRuns = 0
  let maxDepth = 0
  const checkRefusals = options.checkRefusals ?? true
  // Half the walks plain, half swarm walks (swarmWeights); a swarm walk that diverges shrinks
  // towards a plain one when that diverges too.
  const swarm = options.swarm ?? true ? fc.oneof({ withCrossShrink: true }, fc.constant(0), fc.integer({ min: 1, max: 0x7fffffff })) : fc.constant(0)
  const walks = fc.tuple(swarm, fc.array(fc.nat(), { minLength: 0, maxLength: options.maxSteps, size: 'max' }))
  const implementation = new Implementation(factory, instance.config.params, instance.config.bug)
  let failure: DriverError | undefined
  try {
    const details = await fc.check(
      fc.asyncProperty(walks, async ([swarmSeed, choices]) => {
        // A driver that failed (died, hung, broke the contract) ends the run: the remaining
        // walks pass untried, and the failure is thrown once fast-check returns.
        if (failure) return true
        try {
          const w = await walk(instance, implementation, choices, checkRefusals, swarmSeed, options.from)
          if (!w.divergence) {
            stepsCompared += w.steps.length - 1
            passingRuns++
            maxDepth = Math.max(maxDepth, w.steps.length - 1)
          }
          return w.divergence === null
        } catch (e) {
          if (!(e instanceof DriverError)) throw e
          failure = e
          return true
        }
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: options.shrink === false },
    )
    if (failure) throw failure
    const depth = { max: maxDepth, mean: passingRuns === 0 ? 0 : stepsCompared / passingRuns }
    if (!details.failed) {
      return { result: 'agree', runs: details.numRuns, seed: options.seed, stepsCompared, depth, counterexample: null, path: null }
    }
    const [[swarmSeed, choices]] = details.counterexample!
    return {
      result: 'diverge',
      runs: details.numRuns,
      seed: options.seed,
      stepsCompared,
      depth,
      counterexample: await walk(instance, implementation, choices, checkRefusals, swarmSeed, options.from),
      path: details.counterexamplePath,
    }
  } finally {
    await implementation.close()
  }
}

/** The implementation under test across a conform run: one driver, reset before each walk
 * and each refusal probe (or stopped and started again when it cannot reset). */
export class Implementation {
  private current: Driver | undefined

  constructor(
    private readonly factory: DriverFactory,
    private readonly params: Readonly<Record<string, number>>,
    private readonly bug: string | undefined,
  ) {}

  /** The implementation in its initial state. */
  async fresh(): Promise<Driver> {
    const previous = this.current
    this.current = undefined
    this.current = await callDriver(0, previous ? 'reset' : 'start', () => freshDriver(this.factory, previous, this.params, this.bug))
    return this.current
  }

  async close(): Promise<void> {
    const current = this.current
    this.current = undefined
    await current?.stop?.()
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

/** The walk a driver failed on, as an ITF trace: the steps it followed, and the failure in
 * #meta.description. */
export function driverFailureTrace(instance: Instance, failure: DriverError, seed: number): ItfTrace {
  const description = `the driver of ${instance.describe()} failed: ${failure.message}`
  return traceFromPath(instance, failure.walk ?? [], { result: 'driver-error', property: null, seed, description })
}
