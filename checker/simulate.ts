// Random simulation: seeded random walks through a model too large to exhaust, checking the
// `always` properties at every state visited. It proves nothing; it finds deep bugs cheaply.
//
// A walk starts at a random initial state and takes a uniformly random enabled step until it
// reaches its depth or a state with no enabled step (a deadlock unless the state is terminal).
// It walks the state space the exhaustive strategies explore: a successor outside the model's
// constraint is checked, as they check it, but never taken, and a state whose steps all leave
// the constraint ends the walk. (TLC's simulation mode instead steps out and ends the walk
// there; with a tight constraint, Raft's maxTerm say, its walks mostly end in a timeout before
// anything else has happened.)
//
// Walk k's choices depend only on (seed, k), so a simulation is the same whether its walks run
// in one thread or are spread over workers (checker/swarm.ts); results are tallied in walk
// order and stop at the first walk that breaks something.

import { EvaluationError, type EvaluationFailure } from './errors.js'
import { fingerprint, fingerprintOut } from './fingerprint.js'
import type { Instance } from './instance.js'
import { replayOrdinals, type Step } from './path.js'
import { RandomStream } from './random.js'
import { complete, YIELD_MS } from './search.js'
import { FingerprintSet } from './stateset.js'

export interface SimulationOptions {
  seed: number
  /** How many walks. */
  runs: number
  /** The most steps a walk takes. */
  depth: number
  /** Start no walk after this many seconds (walks started still finish). */
  timeSeconds?: number
  /** Report states with no successor that are not terminal (default true). */
  checkDeadlock?: boolean
  /** Swarm testing: each walk weighs the actions at random, switching some off (default false). */
  swarm?: boolean
  /** Called about once a second. */
  onProgress?: (progress: SimulationProgress) => void
  /** Polled between walks: a reason to stop now (Ctrl-C, SIGTERM), or null to go on. */
  interruption?: () => string | null
}

export interface SimulationProgress {
  runs: number
  steps: number
  distinctStates: number
  seconds: number
}

/** What one walk did; plain data, so that workers can send it back. */
export interface WalkOutcome {
  run: number
  steps: number
  /** Per action (by index): how many times the walk took it. */
  actionCounts: number[]
  /** The fingerprints (lo, hi pairs) of the states the walk visited inside the constraint. */
  fingerprints: Int32Array
  /** Per `sometimes` property (by index): whether a state the walk visited satisfied it. */
  witnessed: boolean[]
  /** Set when the walk broke an invariant or a step property, met an evaluation error (`error`)
   * or deadlocked: the successor ordinals that replay it. */
  failure: { result: 'violation' | 'deadlock'; property: string | null; error?: EvaluationFailure; ordinals: number[] } | null
}

/** `incomplete`: interrupted (Ctrl-C, SIGTERM) before the walks asked for were run. */
export type SimulationVerdict = 'no-violation-found' | 'violation' | 'deadlock' | 'incomplete'

export interface SimulationResult {
  result: SimulationVerdict
  property: string | null
  /** A violation that is an evaluation error: where the model's code threw, and what. */
  error: EvaluationFailure | null
  seed: number
  /** Walks tallied: all of them, or up to and including the failing one. */
  runs: number
  /** Steps taken over those walks. */
  steps: number
  distinctStates: number
  /** The failing walk's index (0-based), or null. */
  failingRun: number | null
  /** The failing walk, initial state first, or null. */
  path: Step[] | null
  /** Action name -> how many times the walks took it. */
  coverage: Record<string, number>
  /** Each `sometimes` property -> whether some walk visited a state that satisfies it (one that
   * no walk reached is a hint, not a verdict: the walks prove nothing). */
  witnessed: Record<string, boolean>
  /** Why the walks stopped before `runs` were done: the time limit, an interruption, or null. */
  reason: string | null
  seconds: number
}

/** How a walk picks among the enabled steps. */
export interface WalkOptions {
  depth: number
  checkDeadlock?: boolean
  swarm?: boolean
}

/** One walk: walk `run` of the simulation seeded with `seed`. */
export function walk(instance: Instance, seed: number, run: number, { depth, checkDeadlock = true, swarm = false }: WalkOptions): WalkOutcome {
  const random = new RandomStream(seed, run)
  // Swarm testing (Groce et al., ISSTA 2012): a uniform walk rarely goes deep along a path that
  // needs some always-enabled action (an abort, a timeout) never to fire. Each swarm walk gives
  // every action a weight, zero for about a quarter of them and otherwise from 1 down to 1/128,
  // so that different walks favour different behaviours.
  const weights = swarm ? instance.actionNames.map(() => (random.below(4) === 0 ? 0 : 2 ** -random.below(8))) : null
  const words = instance.words
  const actionCounts = new Array<number>(instance.actionNames.length).fill(0)
  const witnessed = new Array<boolean>(instance.reachables.length).fill(false)
  const ordinals: number[] = []
  let fingerprints = new Int32Array(2 * Math.min(depth + 1, 1024))
  let visited = 0
  const remember = (state: Uint32Array) => {
    if (2 * visited === fingerprints.length) {
      const grown = new Int32Array(fingerprints.length * 2)
      grown.set(fingerprints)
      fingerprints = grown
    }
    fingerprint(state, 0, words)
    fingerprints[2 * visited] = fingerprintOut[0]
    fingerprints[2 * visited + 1] = fingerprintOut[1]
    visited++
  }

  // Every step of the current state inside the constraint is copied out, then one is chosen:
  // the model is asked once per state, and the chosen successor is then put back where the
  // instance's predicates read it. Step properties are checked on every step generated, as
  // the exhaustive strategies check them. A successor outside the constraint is checked there
  // and then, as they check it, but never taken; nor is a step that changes nothing (a
  // restart of a server with nothing to lose, say), which would only waste depth.
  let options = new Uint32Array(words * 16)
  let optionActions = new Int32Array(16)
  let optionOrdinals = new Int32Array(16)
  let count = 0
  let generated = 0
  /** A step not taken (yet) that breaks a property, or a property that threw on it. */
  let brokenBySuccessor: { property: string; ordinal: number; error?: EvaluationFailure } | null = null
  let expanding = false
  const collect = (ordinal: number, action: number, picks: Readonly<Record<string, unknown>>, successor: Uint32Array) => {
    generated++
    if (brokenBySuccessor) return
    try {
      const step = expanding ? instance.brokenStepPropertyOfSuccessor(action, picks) : undefined
      if (step) {
        brokenBySuccessor = { property: step.name, ordinal }
        return
      }
      if (expanding && instance.successorUnchanged()) return
      if (!instance.successorWithin()) {
        const broken = instance.brokenInvariantOfSuccessor()
        if (broken) brokenBySuccessor = { property: broken.name, ordinal }
        return
      }
    } catch (e) {
      if (!(e instanceof EvaluationError)) throw e
      brokenBySuccessor = { property: e.failure.name, ordinal, error: e.failure }
      return
    }
    if (count === optionActions.length) {
      const grownOptions = new Uint32Array(options.length * 2)
      grownOptions.set(options)
      options = grownOptions
      optionActions = grown(optionActions)
      optionOrdinals = grown(optionOrdinals)
    }
    options.set(successor, count * words)
    optionOrdinals[count] = ordinal
    optionActions[count++] = action
  }
  const current = new Uint32Array(words)
  const outcome = (failure: WalkOutcome['failure'], steps: number): WalkOutcome => ({
    run,
    steps,
    actionCounts,
    fingerprints: fingerprints.slice(0, 2 * visited),
    witnessed,
    failure,
  })

  /** What the model's code threw, as the walk's failure at the state reached (`ordinals`;
   * none yet if `init` threw); anything but an evaluation error is rethrown. */
  const evaluationFailure = (e: unknown): WalkOutcome['failure'] => {
    if (!(e instanceof EvaluationError)) throw e
    return { result: 'violation', property: e.failure.in === 'property' ? e.failure.name : null, error: e.failure, ordinals: ordinals.slice() }
  }
  /** Run the model's `init`, `next` or `terminal`; what it throws is the walk's failure. */
  const expand = (run: () => unknown): WalkOutcome['failure'] => {
    try {
      run()
      return null
    } catch (e) {
      return evaluationFailure(e)
    }
  }
  /** Evaluate properties on the state just taken; one that throws is an evaluation error there. */
  const checkTaken = (): WalkOutcome['failure'] => {
    try {
      instance.markReachedBySuccessor(witnessed)
      const broken = instance.brokenInvariantOfSuccessor()
      return broken ? { result: 'violation', property: broken.name, ordinals } : null
    } catch (e) {
      return evaluationFailure(e)
    }
  }

  const initFailure = expand(() => instance.initial(collect))
  if (initFailure) return outcome(initFailure, 0)
  for (let step = 0; ; step++) {
    if (brokenBySuccessor) {
      const { property, ordinal, error } = brokenBySuccessor
      return outcome({ result: 'violation', property, ...(error ? { error } : {}), ordinals: [...ordinals, ordinal] }, step)
    }
    if (count === 0) {
      // Only a state with no step at all is a deadlock; one whose steps all leave the
      // constraint is where the explored state space ends.
      let terminal = false
      const thrown = step > 0 && generated === 0 && checkDeadlock ? expand(() => (terminal = instance.currentIsTerminal())) : null
      if (thrown) return outcome(thrown, step)
      const deadlock = step > 0 && generated === 0 && checkDeadlock && !terminal
      return outcome(deadlock ? { result: 'deadlock', property: null, ordinals } : null, Math.max(0, step - 1))
    }
    const chosen = step > 0 && weights ? weightedChoice(random, weights, optionActions, count) : random.below(count)
    ordinals.push(optionOrdinals[chosen])
    current.set(options.subarray(chosen * words, (chosen + 1) * words))
    if (step > 0) actionCounts[optionActions[chosen]]++
    instance.successor.set(current)
    remember(current)
    const broken = checkTaken()
    if (broken) return outcome(broken, step)
    if (step === depth) return outcome(null, step)
    count = 0
    generated = 0
    expanding = true
    const thrown = expand(() => instance.successors(current, 0, collect))
    // A property broken by an earlier step of this expansion is the finding; keep it.
    if (thrown && !brokenBySuccessor) return outcome(thrown, step)
  }
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2)
  bigger.set(array)
  return bigger
}

/** A step chosen with probability proportional to its action's weight; uniformly if all
 * enabled steps weigh nothing (a swarm walk never stops for lack of a favoured action). */
function weightedChoice(random: RandomStream, weights: readonly number[], actions: Int32Array, count: number): number {
  let total = 0
  for (let i = 0; i < count; i++) total += weights[actions[i]]
  if (total === 0) return random.below(count)
  let target = (random.next() / 2 ** 32) * total
  for (let i = 0; i < count; i++) {
    target -= weights[actions[i]]
    if (target < 0) return i
  }
  // Rounding can leave a sliver of `target`: the last step with any weight takes it.
  for (let i = count - 1; ; i--) if (weights[actions[i]] > 0) return i
}

/** Tallies walk outcomes in walk order, up to the first failure. */
export class SimulationTally {
  runs = 0
  steps = 0
  private readonly seen = new FingerprintSet(1 << 12)
  private readonly actionCounts: number[]
  private readonly witnessed: boolean[]
  failure: WalkOutcome | null = null
  /** Why no further walk is started (the time limit, an interruption), once one is. */
  private stopped: { reason: string; interrupted: boolean } | null = null
  private readonly started = performance.now()
  private nextProgress: number

  constructor(readonly instance: Instance, readonly options: SimulationOptions) {
    this.actionCounts = new Array<number>(instance.actionNames.length).fill(0)
    this.witnessed = new Array<boolean>(instance.reachables.length).fill(false)
    this.nextProgress = this.started + 1000
  }

  /** Has the time limit passed, or the user asked to stop? Then no further walk is started. */
  shouldStop(): boolean {
    if (this.stopped) return true
    const { timeSeconds, interruption } = this.options
    const interrupted = interruption?.()
    if (interrupted) this.stopped = { reason: interrupted, interrupted: true }
    else if (timeSeconds !== undefined && performance.now() - this.started >= timeSeconds * 1000) {
      this.stopped = { reason: `time limit of ${timeSeconds} s reached`, interrupted: false }
    }
    return this.stopped !== null
  }

  /** Count walk `this.runs`; false once a walk has failed (later walks are not counted). */
  add(outcome: WalkOutcome): boolean {
    if (this.failure) return false
    if (outcome.run !== this.runs) throw new Error(`simulation tally: walk ${outcome.run} arrived, expected walk ${this.runs}`)
    this.runs++
    this.steps += outcome.steps
    outcome.actionCounts.forEach((n, i) => (this.actionCounts[i] += n))
    outcome.witnessed.forEach((w, i) => (this.witnessed[i] ||= w))
    const f = outcome.fingerprints
    for (let i = 0; i < f.length; i += 2) this.seen.add(f[i], f[i + 1])
    if (outcome.failure) this.failure = outcome
    const now = performance.now()
    if (this.options.onProgress && now >= this.nextProgress) {
      this.nextProgress = now + 1000
      this.options.onProgress({ runs: this.runs, steps: this.steps, distinctStates: this.seen.size, seconds: (now - this.started) / 1000 })
    }
    return !this.failure
  }

  finish(): SimulationResult {
    const failure = this.failure?.failure
    return {
      result: failure ? failure.result : this.stopped?.interrupted ? 'incomplete' : 'no-violation-found',
      property: failure ? failure.property : null,
      error: failure?.error ?? null,
      seed: this.options.seed,
      runs: this.runs,
      steps: this.steps,
      distinctStates: this.seen.size,
      failingRun: this.failure ? this.failure.run : null,
      path: failure && failure.ordinals.length > 0 ? replayOrdinals(this.instance, failure.ordinals) : null,
      coverage: Object.fromEntries(this.instance.actionNames.map((name, i) => [name, this.actionCounts[i]])),
      witnessed: Object.fromEntries(this.instance.reachables.map((p, i) => [p.name, this.witnessed[i]])),
      reason: !this.failure && this.runs < this.options.runs ? (this.stopped?.reason ?? null) : null,
      seconds: (performance.now() - this.started) / 1000,
    }
  }
}

/** Run the walks one after another in this thread, without yielding. */
export function simulate(instance: Instance, options: SimulationOptions): SimulationResult {
  return complete(simulation(instance, options))
}

/** The walks one after another, yielding now and then (run it with completeAsync) so that
 * Ctrl-C and SIGTERM can stop it between walks. */
export function* simulation(instance: Instance, options: SimulationOptions): Generator<void, SimulationResult, void> {
  const tally = new SimulationTally(instance, options)
  let nextYield = performance.now() + YIELD_MS
  for (let run = 0; run < options.runs && !tally.shouldStop(); run++) {
    if (!tally.add(walk(instance, options.seed, run, options))) break
    if (performance.now() >= nextYield) {
      yield
      nextYield = performance.now() + YIELD_MS
    }
  }
  return tally.finish()
}
