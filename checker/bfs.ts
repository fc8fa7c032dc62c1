// Exhaustive breadth-first search with TLC's counting and constraint semantics
// (tlc2/tool/ModelChecker.java, doNext): every enabled step counts as generated; a
// successor outside the state constraint is checked against the invariants but neither
// stored nor expanded; deadlock is decided before the constraint; invariants are checked
// on new states only. Breadth-first order makes the first counterexample a shortest one.
//
// Per distinct state only a 64-bit fingerprint, a parent id and a step ordinal are kept;
// states wait in the frontier packed, and no JavaScript object is made per state.

import type { Instance } from './instance.js'
import { ParentLog } from './parents.js'
import { ordinalsTo, replayOrdinals } from './path.js'
import { StateQueue } from './queue.js'
import { complete, SearchTally, type Search, type SearchOptions, type SearchResult } from './search.js'
import { FingerprintSet } from './stateset.js'
import { brokenOrdinals, StepHandler } from './steps.js'

export function bfs(instance: Instance, options: SearchOptions = {}): SearchResult {
  return complete(bfsSearch(instance, options))
}

export function* bfsSearch(instance: Instance, options: SearchOptions = {}): Search {
  const log = new ParentLog()
  try {
    return yield* search(instance, options, log)
  } finally {
    log.close()
  }
}

function* search(instance: Instance, options: SearchOptions, log: ParentLog): Search {
  const words = instance.words
  const tally = new SearchTally(instance, options)
  const { budget } = tally
  const seen = FingerprintSet.forSearch(options, budget)
  const queue = new StateQueue(words)
  const checkDeadlock = options.checkDeadlock ?? true
  const maxStates = options.maxStates ?? Infinity
  const maxDepth = options.maxDepth ?? Infinity
  const steps = new StepHandler(instance, seen, tally, (successor, ordinal) => {
    const id = log.add(steps.parent, ordinal)
    queue.push(successor, id)
    return id
  }, options.symmetry)

  const violationPath = () => {
    const ordinals = brokenOrdinals(steps.broken!, (id) => ordinalsTo(log, id))
    return ordinals && replayOrdinals(instance, ordinals)
  }

  steps.initial()
  let depth = queue.length > 0 ? 1 : 0
  let levelEnd = log.size
  let expanded = 0
  let incomplete: string | null = null

  while (!steps.broken && queue.length > 0) {
    if (budget.reason) {
      incomplete = budget.reason
      break
    }
    if ((++expanded & 255) === 0) {
      incomplete = tally.tick(() => ({ generatedStates: tally.generated, distinctStates: log.size, queued: queue.length, depth }))
      if (incomplete) break
      if (tally.yieldDue()) yield
    }
    if (log.size >= maxStates) {
      incomplete = `--max-states ${maxStates} reached`
      break
    }
    const { chunk, offset, id } = queue.shift()
    if (id >= levelEnd) {
      // First state of the next level: every state of that level has been discovered.
      depth++
      levelEnd = log.size
    }
    if (depth >= maxDepth) {
      // Every state left is at the depth bound or beyond: what lies past it is unknown.
      incomplete = `--max-depth ${maxDepth} reached`
      break
    }
    const enabled = steps.expand(id, chunk, offset)
    if (checkDeadlock && steps.deadlocked(enabled)) {
      return tally.finish({ result: 'deadlock', property: null, reason: 'a state with no enabled step', path: replayOrdinals(instance, ordinalsTo(log, id)) }, log.size, depth)
    }
  }

  if (steps.broken) {
    const { property, error } = steps.broken
    return tally.finish({ result: 'violation', property, error, reason: null, path: violationPath() }, log.size, depth)
  }
  if (incomplete) {
    return tally.finish({ result: 'incomplete', property: null, reason: incomplete, path: null }, log.size, depth)
  }
  return tally.finish({ result: 'safe', property: null, reason: null, path: null }, log.size, depth)
}
