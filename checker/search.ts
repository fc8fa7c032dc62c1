// What every exhaustive strategy takes and returns, and the bookkeeping they share:
// counting, coverage, `sometimes` witnesses, budgets and the final verdict.

import { MemoryBudget } from './budget.js'
import type { EvaluationFailure } from './errors.js'
import { collisionProbability } from './fingerprint.js'
import type { Instance } from './instance.js'
import type { Step } from './path.js'
import type { PersistenceOptions } from './persist/persistence.js'
import type { Symmetry } from './symmetry.js'

/** `never-witnessed`: every state was explored and a `sometimes` property held in none of
 * them; not a counterexample (there is no trace), but the check fails all the same. */
export type Verdict = 'safe' | 'violation' | 'deadlock' | 'never-witnessed' | 'incomplete'

export interface SearchOptions {
  /** Stop (incomplete) once this many distinct states are stored. */
  maxStates?: number
  /** Do not expand states at this depth (initial states are depth 1). */
  maxDepth?: number
  /** Stop (incomplete) after this many seconds. */
  timeSeconds?: number
  /** Report states with no successor that are not terminal (default true). */
  checkDeadlock?: boolean
  /** Check the liveness properties of a default selection (default true; --no-liveness). */
  checkLiveness?: boolean
  /** Expected distinct states, to presize the visited table. */
  expectedStates?: number
  /** Bytes to give the visited table from the start (--fp-mem), so that it never doubles:
   * the last doubling holds old and new tables at once (1.5x). Overrides expectedStates. */
  fingerprintBytes?: number
  /** Stop (incomplete) before the process would use more than this many bytes (--memory). */
  memoryBytes?: number
  /** Polled at every tick: a reason to stop now (Ctrl-C), or null to go on. */
  interruption?: () => string | null
  /** Worker threads for a parallel breadth-first search (checkAsync only; default 1). */
  workers?: number
  /** Fingerprint states by their canonical representative under these renamings (--symmetry). */
  symmetry?: Symmetry
  /** Called about once a second with the figures so far. */
  onProgress?: (progress: Progress) => void
  /** Checkpoint, recover, spill the visited set to disk (breadth-first search on one thread). */
  persistence?: PersistenceOptions
}

export interface Progress {
  generatedStates: number
  distinctStates: number
  queued: number
  depth: number
  seconds: number
}

export interface SearchResult {
  result: Verdict
  /** The property violated (or that threw), or the `sometimes` property never satisfied. */
  property: string | null
  /** A violation that is an evaluation error: where the model's code threw, and what. */
  error: EvaluationFailure | null
  /** Why the search is incomplete, or what a path-less violation means. */
  reason: string | null
  distinctStates: number
  generatedStates: number
  depth: number
  seconds: number
  /** Counterexample (violation, deadlock); null otherwise. */
  path: Step[] | null
  /** A liveness counterexample is a lasso: the last state of `path` steps back to the state
   * at this index (ITF's `loop`); null for a finite counterexample or none. */
  loop: number | null
  /** `leadsTo` properties that hold only because their premise is never reached. */
  vacuous: string[]
  /** Properties of the default selection this search could not check, and why (liveness
   * under --symmetry, dfs or persistence); null when every selected property was checked. */
  unchecked: { properties: string[]; why: string } | null
  /** Action name -> how many steps of it were generated. */
  coverage: Record<string, number>
  collisionProbability: number
}

/** A strategy is a generator: it yields now and then so that an async caller can let the
 * event loop run (Ctrl-C, progress), and returns its result. */
export type Search = Generator<void, SearchResult, void>

/** How often a long loop lets the event loop run. */
export const YIELD_MS = 50

/** Run a search (or a simulation) to its end without yielding to the event loop. */
export function complete<R>(search: Generator<void, R, void>): R {
  for (;;) {
    const step = search.next()
    if (step.done) return step.value
  }
}

/** Run a search (or a simulation), letting the event loop run whenever it yields (so the
 * SIGINT and SIGTERM handlers run). */
export async function completeAsync<R>(search: Generator<void, R, void>): Promise<R> {
  for (;;) {
    const step = search.next()
    if (step.done) return step.value
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Counters and verdict-making shared by the strategies. */
export class SearchTally {
  generated = 0
  readonly actionCounts: Float64Array
  /** Per `sometimes` property: satisfied by some stored state yet? */
  readonly reached: boolean[]
  readonly budget: MemoryBudget
  private readonly started = performance.now()
  private nextProgress: number
  private nextYield: number
  private readonly deadline: number

  constructor(readonly instance: Instance, readonly options: SearchOptions) {
    this.actionCounts = new Float64Array(instance.actionNames.length)
    this.reached = instance.reachables.map(() => false)
    this.nextProgress = this.started + 1000
    this.nextYield = this.started + YIELD_MS
    this.budget = new MemoryBudget(options.memoryBytes)
    this.deadline = options.timeSeconds === undefined ? Infinity : this.started + options.timeSeconds * 1000
  }

  /** Seconds spent before this run, by the run a recovered search was checkpointed from. */
  priorSeconds = 0

  get seconds() {
    return this.priorSeconds + (performance.now() - this.started) / 1000
  }

  /** Time to stop? Also emits progress. Call every few hundred expansions. */
  tick(progress: () => Omit<Progress, 'seconds'>): string | null {
    const now = performance.now()
    if (now >= this.nextProgress && this.options.onProgress) {
      this.nextProgress = now + 1000
      this.options.onProgress({ ...progress(), seconds: this.priorSeconds + (now - this.started) / 1000 })
    }
    if (now > this.deadline) return `time limit of ${this.options.timeSeconds} s reached`
    if (this.budget.exceeded()) return this.budget.reason
    return this.options.interruption?.() ?? null
  }

  /** Time for a strategy run by completeAsync to let the event loop run (signals, progress)? */
  yieldDue(): boolean {
    const now = performance.now()
    if (now < this.nextYield) return false
    this.nextYield = now + YIELD_MS
    return true
  }

  coverage(): Record<string, number> {
    return Object.fromEntries(this.instance.actionNames.map((n, i) => [n, this.actionCounts[i]]))
  }

  finish(
    partial: Pick<SearchResult, 'result' | 'property' | 'reason' | 'path'> & Partial<Pick<SearchResult, 'loop' | 'vacuous'>> & { error?: EvaluationFailure | null },
    distinctStates: number,
    depth: number,
  ): SearchResult {
    let { result, property, reason } = partial
    // A `sometimes` never satisfied is a failure, but only when the search was exhaustive.
    if (result === 'safe') {
      const missed = this.instance.reachables.findIndex((_, i) => !this.reached[i])
      if (missed >= 0) {
        result = 'never-witnessed'
        property = this.instance.reachables[missed].name
        reason = `sometimes-property ${property} holds in none of the ${distinctStates} reachable states`
      }
    }
    const seconds = this.seconds
    return {
      result,
      property,
      error: partial.error ?? null,
      reason,
      distinctStates,
      generatedStates: this.generated,
      depth,
      seconds,
      path: partial.path,
      loop: partial.loop ?? null,
      vacuous: partial.vacuous ?? [],
      unchecked: null,
      coverage: this.coverage(),
      collisionProbability: collisionProbability(distinctStates, this.generated),
    }
  }
}
