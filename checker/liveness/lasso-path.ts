// A lasso of the state graph as the steps of a trace: the search's path to the lasso's start
// (from the parent log), then the lasso's edges, each replayed by its ordinal like any
// counterexample (path.ts), so every step is one the model emits.
//
// The loop index follows ITF: the last state steps back to the state at `loop`. The cycle's
// steps are all written out, so the last state equals the one before `loop` and the step
// back is the step into `loop`, written once; replaying the trace replays the cycle once.
// A behaviour that stutters forever at its last state has `loop` = its last index.

import type { Instance } from '../instance.js'
import type { ParentLog } from '../parents.js'
import { ordinalsTo, replayOrdinals, type Step } from '../path.js'
import type { Lasso } from './check.js'
import type { StateGraph } from './graph.js'

export function lassoPath(instance: Instance, log: ParentLog, graph: StateGraph, lasso: Lasso): { path: Step[]; loop: number } {
  const prefix = ordinalsTo(log, lasso.start)
  const path = replayOrdinals(instance, [...prefix, ...lasso.edges.map((e) => graph.edgeOrdinal[e])])
  const cycleEntry = prefix.length - 1 + lasso.loopStart
  const stutters = lasso.loopStart === lasso.edges.length
  return { path, loop: stutters ? path.length - 1 : cycleEntry + 1 }
}
