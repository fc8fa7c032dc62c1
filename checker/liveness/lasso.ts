// A fair cycle through one fair component, as the edges of a real lasso's loop: from the
// entry state, visit in turn an edge of each fair instance the component takes and, for each
// weak instance it does not take, a state where that instance is disabled; then come back to
// the entry. Every leg is a breadth-first path inside the component. No waypoint at all means
// no fair instance is enabled at the entry (see fairness.ts), so stuttering there forever is
// the fair cycle: the empty loop.

import { FairnessOfComponents } from './fairness.js'
import type { StateGraph } from './graph.js'

export class CycleBuilder {
  private readonly previousEdge: Int32Array
  private readonly visitedIn: Int32Array
  private searches = 0

  constructor(private readonly graph: StateGraph, private readonly region: Int32Array) {
    this.previousEdge = new Int32Array(graph.states)
    this.visitedIn = new Int32Array(graph.states)
  }

  /** The edges of a fair cycle from `entry` back to it inside the component `tag`. */
  fairCycle(members: Int32Array, tag: number, entry: number): number[] {
    const { graph } = this
    const fairness = new FairnessOfComponents(graph, this.region).of(members, tag)
    if (fairness.starved || fairness.strongUntaken.length > 0) throw new Error('lasso: the component is not fair')
    const cycle: number[] = []
    let at = entry
    for (const e of fairness.takenEdges) {
      cycle.push(...this.path(at, sourceOf(graph, e), tag))
      cycle.push(e)
      at = graph.edgeTarget[e]
    }
    for (const a of fairness.weakUntaken) {
      const disabledAt = members.find((s) => !enables(graph, s, a))
      if (disabledAt === undefined) throw new Error('lasso: a weak instance is enabled all over a fair component')
      cycle.push(...this.path(at, disabledAt, tag))
      at = disabledAt
    }
    cycle.push(...this.path(at, entry, tag))
    return cycle
  }

  /** The edges of a shortest path from `from` to `to` inside the region `tag`. */
  path(from: number, to: number, tag: number): number[] {
    if (from === to) return []
    const { graph, region, previousEdge, visitedIn } = this
    const { edgeStart, edgeTarget } = graph
    const search = ++this.searches
    const queue = [from]
    visitedIn[from] = search
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]
      for (let e = edgeStart[s]; e < edgeStart[s + 1]; e++) {
        const t = edgeTarget[e]
        if (t < 0 || region[t] !== tag || visitedIn[t] === search) continue
        visitedIn[t] = search
        previousEdge[t] = e
        if (t === to) {
          const edges: number[] = []
          for (let at = to; at !== from; at = sourceOf(graph, previousEdge[at])) edges.push(previousEdge[at])
          return edges.reverse()
        }
        queue.push(t)
      }
    }
    throw new Error(`lasso: state ${to} is not reachable from state ${from} inside its component`)
  }
}

/** The state an edge leaves (edgeStart is sorted: a binary search). */
export function sourceOf(graph: StateGraph, edge: number): number {
  const starts = graph.edgeStart
  let lo = 0
  let hi = graph.states - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (starts[mid] <= edge) lo = mid
    else hi = mid - 1
  }
  // States with no edges share their start with the next state: take the last one at or before the edge.
  return lo
}

function enables(graph: StateGraph, s: number, instance: number): boolean {
  for (let e = graph.edgeStart[s]; e < graph.edgeStart[s + 1]; e++) if (graph.edgeInstance[e] === instance) return true
  return false
}
