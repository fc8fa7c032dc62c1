// What every exhaustive strategy does with one generated step, in TLC's order
// (tlc2/tool/ModelChecker.java, doNext): count it; a self-loop ends there (its state is the
// one being expanded, stored already); a successor outside the state constraint is not
// stored but still checked; a new successor is stored by the strategy and checked for
// `sometimes` witnesses; invariants are checked on new (or unstored) states only.
// Under symmetry the fingerprint is the canonical representative's, while the state
// stored and expanded is the actual successor, so paths stay real steps of the model.

import { fingerprint, fingerprintOut } from './fingerprint.js'
import type { Instance, OnStep } from './instance.js'
import type { SearchTally } from './search.js'
import type { Symmetry } from './symmetry.js'
import type { GraphRecorder } from './liveness/recorder.js'

/** The first invariant broken: by the successor with `ordinal` of the state `parent`. */
export interface Broken {
  property: string
  /** Strategy's id of the state being expanded (-1 for an initial state). */
  parent: number
  ordinal: number
  /** Strategy's id of the breaking state if it was stored, else -1. */
  stored: number
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
  constructor(instance: Instance, seen: VisitedSet, tally: SearchTally, store: Store, symmetry?: Symmetry, graph?: GraphRecorder) {
    const words = instance.words
    const { actionCounts, reached } = tally
    this.onStep = (ordinal, action, picks, successor) => {
      if (this.broken) return
      tally.generated++
      if (action >= 0) {
        actionCounts[action]++
        if (instance.successorUnchanged()) return
      }
      let stored = -1
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
      if (property) this.broken = { property: property.name, parent: this.parent, ordinal, stored }
    }
  }
}
