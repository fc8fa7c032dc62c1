// Fair components: the strongly connected parts of a region of the state graph in which some
// cycle is fair. Fairness is per action instance (an action with one value of its picks)
// and is judged on EDGES (an instance is taken on a cycle when an edge of the cycle is one
// of its steps) and on the enabledness of STATES (an instance is enabled at a state when any
// step of the state, inside the region or not, is one of its steps). A cycle through every
// edge of a component C is fair, and C holds a fair cycle at all, iff after refinement:
// - weak: each instance is taken on an edge inside C, or disabled at some state of C (if
//   it is enabled everywhere in C and never taken, no cycle in C is fair: drop C);
// - strong: each instance is taken inside C, or enabled nowhere in C; otherwise a fair
//   cycle must avoid the states where it is enabled: remove them and look again at the
//   components of what is left (Emerson and Lei's refinement, as TLC's liveness checker).
// Every state may stutter, so every component, a lone state included, has a cycle.

import { STRONG, WEAK, type StateGraph } from './graph.js'
import type { ComponentFinder } from './scc.js'

/** Tags of regions in the shared region array; 0 is no region. */
export class Tags {
  private last = 0
  next(): number {
    return ++this.last
  }
}

export interface Fairness {
  /** A weak instance enabled at every state of the component and taken on none of its edges. */
  starved: boolean
  /** Fair instances taken on an edge inside the component: one such edge each. */
  takenEdges: number[]
  /** Weak instances enabled somewhere in the component but not taken in it: each needs a
   * state where it is disabled on the cycle. */
  weakUntaken: number[]
  /** Strong instances enabled somewhere in the component but not taken in it. */
  strongUntaken: number[]
}

/** How the fair action instances fare in one component (members tagged `tag` in `region`). */
export class FairnessOfComponents {
  private readonly firstEdge: Int32Array
  private readonly enabledAt: Int32Array
  private readonly countedFor: Int32Array
  private readonly seenIn: Int32Array
  private visits = 0

  constructor(private readonly graph: StateGraph, private readonly region: Int32Array) {
    const n = graph.instances.length
    this.firstEdge = new Int32Array(n)
    this.enabledAt = new Int32Array(n)
    this.countedFor = new Int32Array(n)
    this.seenIn = new Int32Array(n)
  }

  of(members: ArrayLike<number>, tag: number): Fairness {
    const { graph, region, firstEdge, enabledAt, countedFor, seenIn } = this
    const { edgeStart, edgeTarget, edgeInstance } = graph
    const component = ++this.visits
    const touched: number[] = []
    for (let i = 0; i < members.length; i++) {
      const s = members[i]
      const visit = ++this.visits
      for (let e = edgeStart[s]; e < edgeStart[s + 1]; e++) {
        const a = edgeInstance[e]
        if (a < 0) continue
        if (seenIn[a] < component) {
          seenIn[a] = component
          firstEdge[a] = -1
          enabledAt[a] = 0
          touched.push(a)
        }
        if (countedFor[a] !== visit) {
          countedFor[a] = visit
          enabledAt[a]++
        }
        const t = edgeTarget[e]
        if (firstEdge[a] < 0 && t >= 0 && region[t] === tag) firstEdge[a] = e
      }
    }
    const result: Fairness = { starved: false, takenEdges: [], weakUntaken: [], strongUntaken: [] }
    for (const a of touched) {
      if (firstEdge[a] >= 0) result.takenEdges.push(firstEdge[a])
      else if (graph.instanceFairness[a] === WEAK) {
        if (enabledAt[a] === members.length) result.starved = true
        else result.weakUntaken.push(a)
      } else if (graph.instanceFairness[a] === STRONG) result.strongUntaken.push(a)
    }
    return result
  }
}

/** Calls `onFair(members, tag)` for each fair component inside the region `tag` reachable
 * from `roots` (its members keep `tag'` in the region array); stops when it returns true.
 * Other states of the region leave it (tag 0). */
export function forEachFairComponent(
  graph: StateGraph,
  region: Int32Array,
  tags: Tags,
  finder: ComponentFinder,
  roots: ArrayLike<number>,
  tag: number,
  onFair: (members: Int32Array, tag: number) => boolean,
): void {
  const fairness = new FairnessOfComponents(graph, region)
  const failing = new Uint8Array(graph.instances.length)
  const work: { members: Int32Array; tag: number }[] = []
  const split = (rootsOf: ArrayLike<number>, regionTag: number) =>
    finder.forEach(rootsOf, regionTag, (members) => {
      const own = tags.next()
      for (let i = 0; i < members.length; i++) region[members[i]] = own
      work.push({ members, tag: own })
    })
  split(roots, tag)
  while (work.length > 0) {
    const { members, tag: own } = work.pop()!
    const f = fairness.of(members, own)
    if (f.starved) {
      for (let i = 0; i < members.length; i++) region[members[i]] = 0
      continue
    }
    if (f.strongUntaken.length === 0) {
      if (onFair(members, own)) return
      continue
    }
    // Strong fairness refinement: keep the states where no untaken strong instance is enabled.
    for (const a of f.strongUntaken) failing[a] = 1
    const inner = tags.next()
    const kept: number[] = []
    const { edgeStart, edgeInstance } = graph
    for (let i = 0; i < members.length; i++) {
      const s = members[i]
      let enables = false
      for (let e = edgeStart[s]; e < edgeStart[s + 1] && !enables; e++) enables = edgeInstance[e] >= 0 && failing[edgeInstance[e]] === 1
      region[s] = enables ? 0 : inner
      if (!enables) kept.push(s)
    }
    for (const a of f.strongUntaken) failing[a] = 0
    if (kept.length > 0) split(kept, inner)
  }
}
