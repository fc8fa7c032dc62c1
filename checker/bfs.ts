// Exhaustive breadth-first search with TLC's counting and constraint semantics
// (tlc2/tool/ModelChecker.java, doNext): every enabled step counts as generated; a
// successor outside the state constraint is checked against the invariants but neither
// stored nor expanded; deadlock is decided before the constraint; invariants are checked
// on new states only. Breadth-first order makes the first counterexample a shortest one.
//
// Per distinct state only a 64-bit fingerprint, a parent id and a step ordinal are kept;
// states wait in the frontier packed, and no JavaScript object is made per state.

import { fingerprint, fingerprintOut } from './fingerprint.js'
import type { Instance } from './instance.js'
import { ParentLog } from './parents.js'
import { ordinalsTo, replayOrdinals } from './path.js'
import { StateQueue } from './queue.js'
import { SearchTally, type SearchOptions, type SearchResult } from './search.js'
import { FingerprintSet } from './stateset.js'

export function bfs(instance: Instance, options: SearchOptions = {}): SearchResult {
  const words = instance.words
  const seen = FingerprintSet.forSearch(options)
  const log = new ParentLog()
  const queue = new StateQueue(words)
  const tally = new SearchTally(instance, options)
  const { actionCounts, reached } = tally
  const checkDeadlock = options.checkDeadlock ?? true
  const maxStates = options.maxStates ?? Infinity
  const maxDepth = options.maxDepth ?? Infinity

  /** Set when a successor breaks an invariant: the path to it is its parent's plus one step. */
  let broken: { property: string; parent: number; ordinal: number; stored: number } | undefined

  // The id of the state being expanded, read by the step callback.
  let parent = -1
  const onStep = (ordinal: number, action: number, _picks: unknown, successor: Uint32Array) => {
    if (broken) return
    tally.generated++
    if (action >= 0) {
      actionCounts[action]++
      // A self-loop leads back to the state being expanded, which is stored: no new state.
      if (instance.successorUnchanged()) return
    }
    let stored = -1
    if (instance.successorWithin()) {
      fingerprint(successor, 0, words)
      if (!seen.add(fingerprintOut[0], fingerprintOut[1])) return
      stored = log.add(parent, ordinal)
      queue.push(successor, stored)
      instance.markReachedBySuccessor(reached)
    }
    const property = instance.brokenInvariantOfSuccessor()
    if (property) broken = { property: property.name, parent, ordinal, stored }
  }

  const violationPath = () => {
    const b = broken!
    const ordinals = b.stored >= 0 ? ordinalsTo(log, b.stored) : [...(b.parent >= 0 ? ordinalsTo(log, b.parent) : []), b.ordinal]
    return replayOrdinals(instance, ordinals)
  }

  instance.initial(onStep)
  let depth = queue.length > 0 ? 1 : 0
  let levelEnd = log.size
  let expanded = 0
  let incomplete: string | null = null

  while (!broken && queue.length > 0) {
    if ((++expanded & 255) === 0) {
      incomplete = tally.tick(() => ({ generatedStates: tally.generated, distinctStates: log.size, queued: queue.length, depth }))
      if (incomplete) break
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
    parent = id
    const enabled = instance.successors(chunk, offset, onStep)
    if (enabled === 0 && checkDeadlock && !broken && !instance.currentIsTerminal()) {
      return tally.finish({ result: 'deadlock', property: null, reason: 'a state with no enabled step', path: replayOrdinals(instance, ordinalsTo(log, id)) }, log.size, depth)
    }
  }

  if (broken) {
    return tally.finish({ result: 'violation', property: broken.property, reason: null, path: violationPath() }, log.size, depth)
  }
  if (incomplete) {
    return tally.finish({ result: 'incomplete', property: null, reason: incomplete, path: null }, log.size, depth)
  }
  return tally.finish({ result: 'safe', property: null, reason: null, path: null }, log.size, depth)
}
