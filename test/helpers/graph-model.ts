// A model whose states are the nodes of an explicit graph, for testing the liveness engine
// on graphs chosen by hand or at random: state {at}, one step per edge, labelled with one
// of three actions (Weak, Strong, Unfair, fair as their names say) and a pick `k` (so an
// action has several instances). `outside` nodes are cut off by the model's constraint.

import { checkAsync } from '../../checker/check.js'
import { Instance } from '../../checker/instance.js'
import { defineModel, protocol, type Model } from '../../checker/model.js'
import { searchOptions, type CheckSettings } from '../../checker/options.js'
import { int, record } from '../../checker/schema.js'
import type { SearchResult } from '../../checker/search.js'
import { lassoProblem } from './lasso-check.js'

export type EdgeAction = 'Weak' | 'Strong' | 'Unfair'
export interface GraphEdge {
  from: number
  to: number
  action: EdgeAction
  k: number
}
export interface GraphSpec {
  nodes: number
  initial: readonly number[]
  edges: readonly GraphEdge[]
  /** Nodes where the properties' predicates hold. */
  p: readonly number[]
  q: readonly number[]
  outside?: readonly number[]
}

export const PICKS = 2

/** Properties: `EventuallyQ` (eventually q) and `PLeadsToQ` (p ~> q). */
export function graphModel(spec: GraphSpec): Model {
  return defineModel({
    name: 'graph',
    summary: 'an explicit graph',
    params: {},
    bugs: {},
    build: () =>
      protocol({
        state: record({ at: int(0, spec.nodes - 1) }),
        actions: { Weak: { k: int(0, PICKS - 1) }, Strong: { k: int(0, PICKS - 1) }, Unfair: { k: int(0, PICKS - 1) } },
        init(emit) {
          for (const n of spec.initial) emit((d) => void (d.at = n))
        },
        next(s, emit) {
          for (const e of spec.edges) if (e.from === s.at) emit(e.action, { k: e.k }, (d) => void (d.at = e.to))
        },
        always: {},
        eventually: { EventuallyQ: (s) => spec.q.includes(s.at) },
        leadsTo: { PLeadsToQ: { from: (s) => spec.p.includes(s.at), to: (s) => spec.q.includes(s.at) } },
        fairness: { Weak: 'weak', Strong: 'strong' },
        within: spec.outside ? (s) => !spec.outside!.includes(s.at) : undefined,
      }),
  })
}

/** The naive answer, by enumerating every candidate cycle: each set of non-stutter edges
 * among not-q nodes that is strongly connected on its endpoints (a closed walk takes exactly
 * those edges), and each lone node (stuttering). Such a cycle is fair when each fair
 * instance is taken on it or, weak, disabled at one of its nodes, or, strong, disabled at
 * all of them. Property fails iff a fair cycle is reachable through not-q nodes from a
 * reachable premise node that is not q. Only for graphs with no `outside` nodes. */
export function naiveViolates(spec: GraphSpec, property: 'EventuallyQ' | 'PLeadsToQ'): boolean {
  const edges = spec.edges.filter((e) => e.from !== e.to)
  const notQ = (n: number) => !spec.q.includes(n)
  const reachableFrom = (starts: number[], allowed: (n: number) => boolean) => {
    const seen = new Set(starts.filter(allowed))
    const todo = [...seen]
    while (todo.length) {
      const n = todo.pop()!
      for (const e of edges) if (e.from === n && allowed(e.to) && !seen.has(e.to)) seen.add(e.to), todo.push(e.to)
    }
    return seen
  }
  const reachable = reachableFrom([...spec.initial], () => true)
  const premises = property === 'EventuallyQ' ? [...spec.initial] : [...reachable].filter((n) => spec.p.includes(n))
  const region = reachableFrom(premises.filter(notQ), notQ)
  const instance = (e: GraphEdge) => `${e.action}${e.k}`
  const enabledAt = (n: number) => new Set(edges.filter((e) => e.from === n && e.action !== 'Unfair').map(instance))
  const fairInstances = new Set(edges.filter((e) => e.action !== 'Unfair').map(instance))
  const fair = (nodes: Set<number>, taken: Set<string>) =>
    [...fairInstances].every((a) => {
      if (taken.has(a)) return true
      const disabledAt = [...nodes].filter((n) => !enabledAt(n).has(a)).length
      return a.startsWith('Weak') ? disabledAt > 0 : disabledAt === nodes.size
    })
  for (const n of region) if (fair(new Set([n]), new Set())) return true
  const inner = edges.filter((e) => region.has(e.from) && region.has(e.to))
  for (let mask = 1; mask < 1 << inner.length; mask++) {
    const chosen = inner.filter((_, i) => mask & (1 << i))
    const nodes = new Set(chosen.flatMap((e) => [e.from, e.to]))
    const within = (from: number) => {
      const seen = new Set([from])
      const todo = [from]
      while (todo.length) {
        const n = todo.pop()!
        for (const e of chosen) if (e.from === n && !seen.has(e.to)) seen.add(e.to), todo.push(e.to)
      }
      return seen
    }
    if (![...nodes].every((n) => within(n).size === nodes.size)) continue
    if (fair(nodes, new Set(chosen.filter((e) => e.action !== 'Unfair').map(instance)))) return true
  }
  return false
}

/** Check one property of a graph model (deadlocks allowed); a violation comes with what
 * lasso-check.ts finds wrong with its lasso (null: it is a real fair counterexample). */
export async function checkGraph(spec: GraphSpec, property: 'EventuallyQ' | 'PLeadsToQ', settings: CheckSettings = {}): Promise<{ result: SearchResult; problem: string | null }> {
  const instance = Instance.create(graphModel(spec), {}, undefined, [property])
  // Tiny graphs: a tiny visited table (allocating the default one costs more than the check).
  const result = await checkAsync(instance, 'bfs', { ...searchOptions(instance, settings), checkDeadlock: false, expectedStates: 16 })
  let problem: string | null = null
  if (result.result === 'violation') {
    if (result.property !== property) problem = `violation of ${result.property}, not ${property}`
    else if (result.loop === null || !result.path) problem = 'no lasso'
    else problem = lassoProblem(instance, result.path, result.loop, property)
  }
  return { result, problem }
}
