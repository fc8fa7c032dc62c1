// What every exhaustive strategy does with one generated step, in TLC's order
// (tlc2/tool/ModelChecker.java, doNext): count it; check the step properties on it (every
// step: a self-loop, a step leaving the constraint and a step to a visited state are steps
// all the same); a self-loop ends there (its state is the one being expanded, stored
// already); a successor outside the state constraint is not stored but still checked; a
// new successor is stored by the strategy and checked for `sometimes` witnesses;
// invariants are checked on new (or unstored) states only.
// Under symmetry the fingerprint is the canonical representative's, while the state
// stored and expanded is the actual successor, so paths stay real steps of the model and
// step properties see the real before and after states of the step the trace shows.
//
// When the model's own code throws (a property, `within`, an action), the search stops with
// an evaluation error at that state, as TLC does, instead of crashing: `expand` and
// `initial` catch what actions throw, `onStep` what properties throw.

import { EvaluationError, type EvaluationFailure } from './errors.js'
import { fingerprint, fingerprintOut } from './fingerprint.js'
import type { Instance, OnStep } from './instance.js'
import type { SearchTally } from './search.js'
import type { Symmetry } from './symmetry.js'
import type { GraphRecorder } from './liveness/recorder.js'

/** The first property broken (invariant or step property) or evaluation error: by the
 * successor with `ordinal` of the state `parent`, or at `parent` itself (ordinal -1: an
 * action threw while it was expanded). */
export interface Broken {
  /** The property broken or that threw; null when an action threw. */
  property: string | null
  /** Set when the model's code threw rather than a property being false. */
  error: EvaluationFailure | null
  /** Strategy's id of the state being expanded (-1 for an initial state). */
  parent: number
  ordinal: number
  /** Strategy's id of the breaking state if it was stored, else -1. */
  stored: number
}

/** The ordinals (initial state's first) of the path a Broken ends, given the path to a stored
 * state; null when there is no state to show (the model's `init` threw). */
export function brokenOrdinals(b: Broken, ordinalsTo: (id: number) => number[]): number[] | null {
  if (b.stored >= 0) return ordinalsTo(b.stored)
  if (b.ordinal < 0) return b.parent < 0 ? null : ordinalsTo(b.parent)
  return [...(b.parent >= 0 ? ordinalsTo(b.parent) : []), b.ordinal]
}

/** The visited set, local (stateset.ts) or shared by workers (sharedset.ts). */
export interface VisitedSet {
  /** Adds a fingerprint; true if it was not there. */
  add(lo: number, hi: number): boolean
}

/** Stores a new successor (the words are valid until return); returns its id. */
export type Store = (successor: Uint32Array, ordinal: number) => number

export class StepHandler {
  broken: Broken | undefined = undefined
  /** The id of the state being expanded; set by the strategy before `instance.successors`. */
  parent = -1
  readonly onStep: OnStep

  /** With a `graph` (a liveness check), the graph is the visited set too and records every step as an edge. */
  constructor(
    private readonly instance: Instance,
    seen: VisitedSet,
    tally: SearchTally,
    store: Store,
    symmetry?: Symmetry,
    graph?: GraphRecorder,
  ) {
    const words = instance.words
    const { actionCounts, reached } = tally
    let stored = -1
    const check = (ordinal: number, action: number, picks: Readonly<Record<string, unknown>>, successor: Uint32Array) => {
      if (action >= 0) {
        actionCounts[action]++
        const step = instance.brokenStepPropertyOfSuccessor(action, picks)
        if (step) return this.breaks(step.name, null, ordinal, -1)
        if (instance.successorUnchanged()) return
      }
      if (instance.successorWithin()) {
        fingerprint(symmetry ? symmetry.canonical(successor) : successor, 0, words)
        if (!seen.add(fingerprintOut[0], fingerprintOut[1])) {
          graph?.step(this.parent, ordinal, action, picks, -1)
          return
        }
        stored = store(successor, ordinal)
        graph?.step(this.parent, ordinal, action, picks, stored)
        instance.markReachedBySuccessor(reached)
      } else graph?.cutOff(this.parent, ordinal, action, picks)
      const property = instance.brokenInvariantOfSuccessor()
      if (property) this.breaks(property.name, null, ordinal, stored)
    }
    this.onStep = (ordinal, action, picks, successor) => {
      if (this.broken) return
      tally.generated++
      stored = -1
      try {
        check(ordinal, action, picks, successor)
      } catch (e) {
        if (!(e instanceof EvaluationError)) throw e
        this.breaks(e.failure.name, e.failure, ordinal, stored)
      }
    }
  }

  /** Put the initial states through `onStep`; an `init` that throws is an evaluation error. */
  initial() {
    this.parent = -1
    this.expanding(() => this.instance.initial(this.onStep))
  }

  /** Expand the state with the strategy's id `id` (words at `offset`): every enabled step goes
   * through `onStep`. An action that throws is an evaluation error at this state. Returns how
   * many steps were enabled (0 after an evaluation error: the state is then no deadlock). */
  expand(id: number, state: Uint32Array, offset: number): number {
    this.parent = id
    return this.expanding(() => this.instance.successors(state, offset, this.onStep))
  }

  /** Is the state just expanded, with `enabled` steps, a deadlock (no step, not terminal)?
   * A `terminal` that throws is an evaluation error at that state, and no deadlock. */
  deadlocked(enabled: number): boolean {
    if (enabled > 0 || this.broken) return false
    return !this.expanding(() => (this.instance.currentIsTerminal() ? 1 : 0)) && !this.broken
  }

  private expanding(run: () => number | void): number {
    try {
      return run() ?? 0
    } catch (e) {
      if (!(e instanceof EvaluationError)) throw e
      // A property broken by an earlier step of this expansion is the finding; keep it.
      this.broken ??= { property: e.failure.in === 'property' ? e.failure.name : null, error: e.failure, parent: this.parent, ordinal: -1, stored: -1 }
      return 0
    }
  }

  private breaks(property: string, error: EvaluationFailure | null, ordinal: number, stored: number) {
    this.broken = { property: error && error.in === 'action' ? null : property, error, parent: this.parent, ordinal, stored }
  }
}
