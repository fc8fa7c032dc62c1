// Exhaustive depth-first search: the same visited table, counting, constraint semantics
// and checks as bfs.ts (steps.ts), the frontier a stack. It keeps no parent log: the path
// to the state being expanded is the chain of ordinals along the current branch, so
// memory beyond the visited table grows with depth only. Verdicts and distinct counts
// equal BFS's; a counterexample is a real path, not necessarily a shortest one.

import type { Instance } from './instance.js'
import { replayOrdinals } from './path.js'
import { complete, SearchTally, type Search, type SearchOptions, type SearchResult } from './search.js'
import { StateStack } from './stack.js'
import { FingerprintSet } from './stateset.js'
import { StepHandler } from './steps.js'

export function dfs(instance: Instance, options: SearchOptions = {}): SearchResult {
  return complete(dfsSearch(instance, options))
}

export function* dfsSearch(instance: Instance, options: SearchOptions = {}): Search {
  const tally = new SearchTally(instance, options)
  const { budget } = tally
  const seen = FingerprintSet.forSearch(options, budget)
  const stack = new StateStack(instance.words)
  const checkDeadlock = options.checkDeadlock ?? true
  const maxStates = options.maxStates ?? Infinity
  const maxDepth = options.maxDepth ?? Infinity
  /** Ordinals of the steps from an initial state to the state being expanded (branch[d - 1] at depth d). */
  const branch: number[] = []
  let distinct = 0
  let depth = 0
  let deepest = 0
  const steps = new StepHandler(instance, seen, tally, (successor, ordinal) => {
    stack.push(successor, ordinal, depth + 1)
    return distinct++
  }, options.symmetry)

  steps.initial()
  let expanded = 0
  let incomplete: string | null = null
  let pastDepthBound = false

  while (!steps.broken && stack.length > 0) {
    if (budget.reason) {
      incomplete = budget.reason
      break
    }
    if ((++expanded & 255) === 0) {
      incomplete = tally.tick(() => ({ generatedStates: tally.generated, distinctStates: distinct, queued: stack.length, depth: deepest }))
      if (incomplete) break
      if (tally.yieldDue()) yield
    }
    if (distinct >= maxStates) {
      incomplete = `--max-states ${maxStates} reached`
      break
    }
    const { entries, offset, ordinal, depth: at } = stack.pop()
    branch.length = at - 1
    branch.push(ordinal)
    depth = at
    if (depth > deepest) deepest = depth
    if (depth >= maxDepth) {
      // Not expanded; other branches go on, but the verdict can only be incomplete.
      pastDepthBound = true
      continue
    }
    const enabled = steps.expand(0, entries, offset)
    if (checkDeadlock && steps.deadlocked(enabled)) {
      return tally.finish({ result: 'deadlock', property: null, reason: 'a state with no enabled step', path: replayOrdinals(instance, branch) }, distinct, deepest)
    }
  }

  if (steps.broken) {
    // Broken by a successor of the state at the end of the branch or by an initial state, or
    // at the end of the branch itself (an action threw there); an `init` that threw has no path.
    const { property, error, parent, ordinal } = steps.broken
    const ordinals = ordinal < 0 ? (parent < 0 ? null : branch) : parent < 0 ? [ordinal] : [...branch, ordinal]
    const path = ordinals && replayOrdinals(instance, ordinals)
    return tally.finish({ result: 'violation', property, error, reason: null, path }, distinct, Math.max(deepest, ordinals?.length ?? 0))
  }
  if (!incomplete && pastDepthBound) incomplete = `--max-depth ${maxDepth} reached`
  if (incomplete) return tally.finish({ result: 'incomplete', property: null, reason: incomplete, path: null }, distinct, deepest)
  return tally.finish({ result: 'safe', property: null, reason: null, path: null }, distinct, deepest)
}
