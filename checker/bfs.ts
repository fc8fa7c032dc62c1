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
import { GraphRecorder } from './liveness/recorder.js'
import { checkLiveness } from './liveness/check.js'
import { lassoPath } from './liveness/lasso-path.js'
import { DiskVisitedSet } from './persist/disk-set.js'
import { BfsPersistence } from './persist/persistence.js'

export function bfs(instance: Instance, options: SearchOptions = {}): SearchResult {
  return complete(bfsSearch(instance, options))
}

export function* bfsSearch(instance: Instance, options: SearchOptions = {}): Search {
  // --checkpoint, --recover and --disk (persist/): structures from a checkpoint, a visited set that spills.
  const persistence = options.persistence ? new BfsPersistence(instance, { ...options, persistence: options.persistence }) : null
  const log = persistence?.log ?? new ParentLog()
  try {
    return yield* search(instance, options, log, persistence)
  } finally {
    log.close()
    persistence?.close()
  }
}

function* search(instance: Instance, options: SearchOptions, log: ParentLog, persistence: BfsPersistence | null): Search {
  const words = instance.words
  const tally = new SearchTally(instance, options)
  const { budget } = tally
  // A liveness property is checked on the state graph, which the visited set then records.
  // Checkpoints and --disk keep fingerprints, not the graph: checker/check.ts refuses liveness
  // named with them and leaves a default selection's out, and a direct call with persistence
  // checks the safety properties only.
  const graph = instance.liveness.length > 0 && !persistence ? new GraphRecorder(instance, budget, options.expectedStates) : undefined
  const queue = persistence?.queue ?? new StateQueue(words)
  const enqueue = (state: Uint32Array, parent: number, ordinal: number) => {
    const id = log.add(parent, ordinal)
    queue.push(state, id)
    return id
  }
  const seen = graph ?? (persistence ? persistence.visitedSet(budget, enqueue) : FingerprintSet.forSearch(options, budget))
  // Successors not in the in-memory table wait there until settled (disk-set.ts).
  const disk = seen instanceof DiskVisitedSet ? seen : null
  const checkDeadlock = options.checkDeadlock ?? true
  const maxStates = options.maxStates ?? Infinity
  const maxDepth = options.maxDepth ?? Infinity
  const steps: StepHandler = new StepHandler(instance, seen, tally, (successor, ordinal) =>
    disk ? disk.defer(successor, steps.parent, ordinal) : enqueue(successor, steps.parent, ordinal), options.symmetry, graph)

  const violationPath = () => {
    const ordinals = brokenOrdinals(steps.broken!, (id) => ordinalsTo(log, id))
    return ordinals && replayOrdinals(instance, ordinals)
  }

  const recovered = persistence?.restore(tally)
  if (!recovered) steps.initial()
  let depth = recovered ? recovered.depth : queue.length > 0 ? 1 : 0
  let levelEnd = recovered ? recovered.levelEnd : log.size
  let expanded = 0
  let incomplete: string | null = null
  /** Stopped between two expansions: a checkpoint written now continues exactly. */
  let resumable = false
  const checkpoint = () => persistence!.checkpoint(tally, seen, depth, levelEnd)

  while (!steps.broken) {
    // The next level's states must all be stored before its first one is expanded.
    if (disk && (queue.length === 0 || queue.peekId() >= levelEnd)) disk.settle()
    if (queue.length === 0) break
    if (budget.reason || log.failure) {
      incomplete = budget.reason ?? log.failure
      // No checkpoint over a log that failed: its file is not whole.
      resumable = !log.failure
      break
    }
    if ((++expanded & 255) === 0) {
      incomplete = tally.tick(() => ({ generatedStates: tally.generated, distinctStates: log.size, queued: queue.length, depth }))
      resumable = incomplete !== null
      if (incomplete) break
      if (persistence?.checkpointDue) checkpoint()
      if (tally.yieldDue()) yield
    }
    if (disk && log.size + disk.pendingCount >= maxStates) disk.settle()
    if (log.size >= maxStates) {
      incomplete = `--max-states ${maxStates} reached`
      resumable = true
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
      disk?.settle()
      persistence?.finished(true, false, checkpoint)
      return tally.finish({ result: 'deadlock', property: null, reason: 'a state with no enabled step', path: replayOrdinals(instance, ordinalsTo(log, id)) }, log.size, depth)
    }
  }

  disk?.settle()
  persistence?.finished(!incomplete, resumable, checkpoint)
  if (steps.broken) {
    const { property, error } = steps.broken
    return tally.finish({ result: 'violation', property, error, reason: null, path: violationPath() }, log.size, depth)
  }
  if (incomplete) {
    return tally.finish({ result: 'incomplete', property: null, reason: incomplete, path: null }, log.size, depth)
  }
  if (graph) {
    const recorded = graph.graph()
    const liveness = checkLiveness(recorded, instance.liveness)
    const { violation, vacuous } = liveness
    if (violation) {
      const { path, loop } = lassoPath(instance, log, recorded, violation)
      return tally.finish({ result: 'violation', property: violation.property, reason: null, path, loop }, log.size, depth)
    }
    if (liveness.incomplete) return tally.finish({ result: 'incomplete', property: null, reason: liveness.incomplete, path: null, vacuous }, log.size, depth)
    return tally.finish({ result: 'safe', property: null, reason: null, path: null, vacuous }, log.size, depth)
  }
  return tally.finish({ result: 'safe', property: null, reason: null, path: null }, log.size, depth)
}
