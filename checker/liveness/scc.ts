// Strongly connected components of a region of the state graph (the states u with
// region[u] === tag, and the edges between them), by Tarjan's algorithm made iterative: an
// explicit call stack of (state, next edge), since graphs reach millions of states and
// recursion that deep overflows the JavaScript stack. Scratch arrays are allocated once
// per graph and reset only where a call touched them, because fairness refinement calls
// it again and again on ever smaller regions.

import type { StateGraph } from './graph.js'

export class ComponentFinder {
  private readonly index: Int32Array
  private readonly low: Int32Array
  private readonly onStack: Uint8Array
  private readonly stack: Int32Array
  private readonly callState: Int32Array
  private readonly callEdge: Int32Array

  constructor(private readonly graph: StateGraph, private readonly region: Int32Array) {
    const n = graph.states
    this.index = new Int32Array(n).fill(-1)
    this.low = new Int32Array(n)
    this.onStack = new Uint8Array(n)
    this.stack = new Int32Array(n)
    this.callState = new Int32Array(n)
    this.callEdge = new Int32Array(n)
  }

  /** Calls `onComponent` with the members of each component of the region `tag` reachable
   * (inside the region) from `roots`; a component's members are valid until it returns. */
  forEach(roots: ArrayLike<number>, tag: number, onComponent: (members: Int32Array) => void) {
    const { graph, region, index, low, onStack, stack, callState, callEdge } = this
    const { edgeStart, edgeTarget } = graph
    let counter = 0
    let stackTop = 0
    let depth = 0
    const touched: number[] = []
    const enter = (s: number) => {
      index[s] = low[s] = counter++
      touched.push(s)
      stack[stackTop++] = s
      onStack[s] = 1
      callState[depth] = s
      callEdge[depth] = edgeStart[s]
      depth++
    }
    for (let r = 0; r < roots.length; r++) {
      const root = roots[r]
      if (region[root] !== tag || index[root] !== -1) continue
      enter(root)
      while (depth > 0) {
        const s = callState[depth - 1]
        const e = callEdge[depth - 1]
        if (e < edgeStart[s + 1]) {
          callEdge[depth - 1] = e + 1
          const t = edgeTarget[e]
          if (t < 0 || region[t] !== tag) continue
          if (index[t] === -1) enter(t)
          else if (onStack[t] && index[t] < low[s]) low[s] = index[t]
          continue
        }
        depth--
        if (depth > 0) {
          const parent = callState[depth - 1]
          if (low[s] < low[parent]) low[parent] = low[s]
        }
        if (low[s] === index[s]) {
          let start = stackTop
          do start--
          while (stack[start] !== s)
          const members = stack.slice(start, stackTop)
          for (let i = start; i < stackTop; i++) onStack[stack[i]] = 0
          stackTop = start
          onComponent(members)
        }
      }
    }
    for (const s of touched) index[s] = -1
  }
}
