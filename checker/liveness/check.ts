// The liveness check of a recorded state graph, property by property, with the usual
// reduction to fair cycles. `P ~> Q` fails iff some reachable P-state starts a fair
// behaviour on which Q never holds: a path of not-Q states from it to a fair component of
// the not-Q states (the P-state itself included). `eventually P` is `Init ~> P`: the
// premise is "is an initial state". The counterexample is the lasso: the search's path to
// that P-state, the path through not-Q states, and a fair cycle (lasso.ts).
//
// States cut off by the model's constraint (`within`) have an unknown future, so:
// - `eventually P`: a cut-off not-P state reached through not-P states from a not-P initial
//   state (or a not-P initial state cut off itself) could start a violation we cannot see:
//   the verdict is incomplete, unless a violation is found inside the stored graph;
// - `P ~> Q`: any reachable cut-off state could be followed by a P-state and no Q after it:
//   the verdict is incomplete, unless a violation is found inside the stored graph.
// A `leadsTo` whose premise holds in no reachable state (stored or cut off) passes
// vacuously: it is named in `vacuous`.

import type { Property } from '../instance.js'
import { forEachFairComponent, Tags } from './fairness.js'
import { cutOffIndex, FROM, TO, type StateGraph } from './graph.js'
import { CycleBuilder, sourceOf } from './lasso.js'
import { ComponentFinder } from './scc.js'

/** A lasso in the graph: from state `start` (reached by the search's own path), the edges
 * `edges`, of which those from `loopStart` on form the cycle (none: stuttering forever). */
export interface Lasso {
  property: string
  start: number
  edges: number[]
  loopStart: number
}

export interface LivenessOutcome {
  violation: Lasso | null
  /** Why no verdict could be given (a cut-off state the verdict depends on), or null. */
  incomplete: string | null
  /** `leadsTo` properties whose premise never holds. */
  vacuous: string[]
}

export function checkLiveness(graph: StateGraph, properties: readonly Property[]): LivenessOutcome {
  const region = new Int32Array(graph.states)
  const tags = new Tags()
  const finder = new ComponentFinder(graph, region)
  const cycles = new CycleBuilder(graph, region)
  const previousEdge = new Int32Array(graph.states)
  let incomplete: string | null = null
  const vacuous: string[] = []
  for (let p = 0; p < properties.length; p++) {
    const property = properties[p]
    const labels = graph.labels[p]
    const cutOffLabels = graph.cutOffLabels[p]
    const leadsTo = property.kind === 'leadsTo'

    // The not-Q states reachable through not-Q states from a P-and-not-Q state.
    const tag = tags.next()
    const reached: number[] = []
    let premiseHolds = false
    for (let s = 0; s < graph.states; s++) {
      if (labels[s] & FROM) premiseHolds = true
      if ((labels[s] & (FROM | TO)) === FROM) {
        region[s] = tag
        previousEdge[s] = -1
        reached.push(s)
      }
    }
    let unknownFuture: number | null = null
    for (let head = 0; head < reached.length; head++) {
      const s = reached[head]
      for (let e = graph.edgeStart[s]; e < graph.edgeStart[s + 1]; e++) {
        const t = graph.edgeTarget[e]
        if (t < 0) {
          if (unknownFuture === null && !(cutOffLabels[cutOffIndex(t)] & TO)) unknownFuture = s
          continue
        }
        if (labels[t] & TO || region[t] === tag) continue
        region[t] = tag
        previousEdge[t] = e
        reached.push(t)
      }
    }

    let lasso: Lasso | null = null
    forEachFairComponent(graph, region, tags, finder, reached, tag, (members, componentTag) => {
      // Enter the component at its member of smallest id (breadth-first: nearest an initial state).
      let entry = members[0]
      for (let i = 1; i < members.length; i++) if (members[i] < entry) entry = members[i]
      const toEntry: number[] = []
      let start = entry
      while (previousEdge[start] >= 0) {
        toEntry.push(previousEdge[start])
        start = sourceOf(graph, previousEdge[start])
      }
      toEntry.reverse()
      const cycle = cycles.fairCycle(members, componentTag, entry)
      lasso = { property: property.name, start, edges: [...toEntry, ...cycle], loopStart: toEntry.length }
      return true
    })
    region.fill(0)
    if (lasso) return { violation: lasso, incomplete: null, vacuous }

    for (let k = 0; k < cutOffLabels.length; k++) if (cutOffLabels[k] & FROM) premiseHolds = true
    if (leadsTo && !premiseHolds) vacuous.push(property.name)
    if (incomplete) continue
    if (leadsTo && cutOffLabels.length > 0) {
      incomplete = `${property.name}: ${cutOffLabels.length} steps lead to states outside the model's constraint, whose futures are unknown, so ${property.name} is not proved`
    } else if (!leadsTo) {
      const initialCutOff = Array.from(graph.initialCutOffs).some((k) => !(cutOffLabels[k] & TO))
      if (unknownFuture !== null || initialCutOff) {
        incomplete = `${property.name}: a behaviour where it has not held yet reaches a state outside the model's constraint, whose future is unknown, so ${property.name} is not proved`
      }
    }
  }
  return { violation: null, incomplete, vacuous }
}
