// What every exhaustive strategy takes and returns, and the bookkeeping they share:
// counting, coverage, `sometimes` witnesses, budgets and the final verdict.

import { collisionProbability } from './fingerprint.js'
import type { Instance } from './instance.js'
import type { Step } from './path.js'

export type Verdict = 'safe' | 'violation' | 'deadlock' | 'incomplete'

export interface SearchOptions {
  /** Stop (incomplete) once this many distinct states are stored. */
  maxStates?: number
  /** Do not expand states at this depth (initial states are depth 1). */
  maxDepth?: number
  /** Stop (incomplete) after this many seconds. */
  timeSeconds?: number
  /** Report states with no successor that are not terminal (default true). */
  checkDeadlock?: boolean
  /** Expected distinct states, to presize the visited table. */
  expectedStates?: number
  /** Bytes to give the visited table from the start (--fp-mem), so that it never doubles:
   * the last doubling holds old and new tables at once (1.5x). Overrides expectedStates. */
  fingerprintBytes?: number
  /** Called about once a second with the figures so far. */
  onProgress?: (progress: Progress) => void
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
  /** The invariant violated, or the `sometimes` property never satisfied. */
  property: string | null
  /** Why the search is incomplete, or what a path-less violation means. */
  reason: string | null
  distinctStates: number
  generatedStates: number
  depth: number
  seconds: number
  /** Counterexample (violation, deadlock); null otherwise. */
  path: Step[] | null
  /** Action name -> how many steps of it were generated. */
  coverage: Record<string, number>
  collisionProbability: number
}

/** Counters and verdict-making shared by the strategies. */
export class SearchTally {
  generated = 0
  readonly actionCounts: Float64Array
  /** Per `sometimes` property: satisfied by some stored state yet? */
  readonly reached: boolean[]
  private readonly started = performance.now()
  private nextProgress: number
  private readonly deadline: number

  constructor(readonly instance: Instance, readonly options: SearchOptions) {
    this.actionCounts = new Float64Array(instance.actionNames.length)
    this.reached = instance.reachables.map(() => false)
    this.nextProgress = this.started + 1000
    this.deadline = options.timeSeconds === undefined ? Infinity : this.started + options.timeSeconds * 1000
  }

  get seconds() {
    return (performance.now() - this.started) / 1000
  }

  /** Time to stop? Also emits progress. Call every few hundred expansions. */
  tick(progress: () => Omit<Progress, 'seconds'>): string | null {
    const now = performance.now()
    if (now >= this.nextProgress && this.options.onProgress) {
      this.nextProgress = now + 1000
      this.options.onProgress({ ...progress(), seconds: (now - this.started) / 1000 })
    }
    return now > this.deadline ? `time limit of ${this.options.timeSeconds} s reached` : null
  }

  coverage(): Record<string, number> {
    return Object.fromEntries(this.instance.actionNames.map((n, i) => [n, this.actionCounts[i]]))
  }

  finish(
    partial: Pick<SearchResult, 'result' | 'property' | 'reason' | 'path'>,
    distinctStates: number,
    depth: number,
  ): SearchResult {
    let { result, property, reason } = partial
    // A `sometimes` never satisfied is a failure, but only when the search was exhaustive.
    if (result === 'safe') {
      const missed = this.instance.reachables.findIndex((_, i) => !this.reached[i])
      if (missed >= 0) {
        result = 'violation'
        property = this.instance.reachables[missed].name
        reason = `sometimes-property ${property} holds in none of the ${distinctStates} reachable states`
      }
    }
    const seconds = this.seconds
    return {
      result,
      property,
      reason,
      distinctStates,
      generatedStates: this.generated,
      depth,
      seconds,
      path: partial.path,
      coverage: this.coverage(),
      collisionProbability: collisionProbability(distinctStates, this.generated),
    }
  }
}
