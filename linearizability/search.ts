// Wing & Gong's search for a linearization, as Lowe improved it ("just-in-time
// linearization") and Porcupine implements it (porcupine/checker.go, checkSingle), with its
// memoisation: a cache of (set of operations linearized so far, model state) pairs already
// explored, so that each such configuration is expanded once.
//
// The history is a doubly linked list of call and return entries in real-time order. Scanning
// from the head, a call entry whose operation the model accepts from the current state is
// linearized: both of its entries are lifted out of the list and the scan restarts. Reaching a
// return entry means an operation that has already completed cannot be linearized before the
// remaining ones: undo the last linearization (unlift it) and try the next call after it.
//
// `info` operations (outcome unknown) return at infinity, after every other entry: they can be
// linearized anywhere after their invoke, and the search succeeds as soon as every `ok`
// operation is linearized, so they may also never take effect.

import type { SearchOperation, SequentialModel } from './models.js'
import { NULL_VALUE } from './models.js'

export interface TimedOperation extends SearchOperation {
  /** Event positions: the invoke, and the completion (Infinity for `info`). */
  call: number
  return: number
}

export interface SearchResult {
  /** null: the budget ran out before a verdict. */
  linearizable: boolean | null
  /** Distinct (linearized set, state) configurations cached. */
  configurations: number
}

export interface SearchBudget {
  /** Date.now() after which the search gives up (linearizable: null). */
  deadline?: number
}

/** Can `operations` (one register's, or one history's) be linearized with `model`? */
export function searchLinearization(model: SequentialModel, operations: readonly TimedOperation[], budget: SearchBudget = {}): SearchResult {
  const n = operations.length
  if (n === 0) return { linearizable: true, configurations: 0 }

  // Entry 2i is operation i's call, 2i+1 its return; HEAD is the list's sentinel.
  const HEAD = 2 * n
  const order = new Int32Array(2 * n)
  for (let i = 0; i < 2 * n; i++) order[i] = i
  const timeOf = (entry: number) => ((entry & 1) === 0 ? operations[entry >> 1].call : operations[entry >> 1].return)
  // Ties only between returns at infinity; any order serves there.
  order.sort((a, b) => timeOf(a) - timeOf(b) || a - b)
  const next = new Int32Array(2 * n + 1)
  const prev = new Int32Array(2 * n + 1)
  let last = HEAD
  for (const entry of order) {
    next[last] = entry
    prev[entry] = last
    last = entry
  }
  next[last] = -1

  const lift = (call: number) => {
    const ret = call + 1
    next[prev[call]] = next[call]
    if (next[call] >= 0) prev[next[call]] = prev[call]
    next[prev[ret]] = next[ret]
    if (next[ret] >= 0) prev[next[ret]] = prev[ret]
  }
  const unlift = (call: number) => {
    const ret = call + 1
    next[prev[ret]] = ret
    if (next[ret] >= 0) prev[next[ret]] = ret
    next[prev[call]] = call
    if (next[call] >= 0) prev[next[call]] = call
  }

  let required = 0
  for (const operation of operations) if (operation.return !== Infinity) required++

  // The configurations explored: (linearized set, state). The set need not be stored whole:
  // an operation is left out only while its call lies before the list's first return entry
  // (the scan never goes further), so every operation invoked before that first return is
  // linearized except the calls still in the list ahead of it, and none invoked after it is.
  // The calls ahead of the first return (as many as operations in flight), that return's time
  // and the state name the configuration exactly, in a few bytes whatever the history's length.
  const cache = new ConfigurationSet()
  let configurations = 0
  const configurationKey = (after: number): string => {
    let key = String(after)
    let e = next[HEAD]
    for (; e >= 0 && (e & 1) === 0; e = next[e]) key += ',' + (e >> 1)
    return key + '|' + (e >= 0 ? operations[e >> 1].return : '')
  }

  const stackOperation = new Int32Array(n)
  const stackState = new Int32Array(n)
  let depth = 0
  let done = 0
  let state = NULL_VALUE
  // Where the scan of a new configuration starts: at a read that can go now, if there is one
  // among the calls before the first return (it commutes to the front, see below, so nothing
  // else need be tried first), else at the head.
  const start = () => {
    for (let e = next[HEAD]; e >= 0 && (e & 1) === 0; e = next[e]) {
      const o = operations[e >> 1]
      if (o.f === 'read' && model.step(state, o) >= 0) return e
    }
    return next[HEAD]
  }
  let entry = start()
  let iterations = 0

  for (;;) {
    if (done === required) return { linearizable: true, configurations }
    if (budget.deadline !== undefined && (++iterations & 0xffff) === 0 && Date.now() > budget.deadline) return { linearizable: null, configurations }
    if (entry >= 0 && (entry & 1) === 0) {
      const op = entry >> 1
      const after = model.step(state, operations[op])
      if (after >= 0) {
        lift(entry)
        if (cache.add(configurationKey(after))) {
          configurations++
          stackOperation[depth] = op
          stackState[depth] = state
          depth++
          state = after
          if (operations[op].return !== Infinity) done++
          entry = start()
          continue
        }
        unlift(entry)
        // A read that can go now, already explored from here: this configuration is dead (below).
        if (operations[op].f === 'read') {
          entry = -1
          continue
        }
      }
      entry = next[entry]
    } else {
      // A return (or the end): some operation that has completed cannot go next. Backtrack.
      // A read that failed to lead anywhere takes its configuration with it: it was legal
      // there, changes nothing, and no operation not yet linearized had to precede it (the
      // scan reached its call before any return), so any linearization from there could have
      // placed it first. Trying the calls after it would only repeat the failure.
      let op: number
      do {
        if (depth === 0) return { linearizable: false, configurations }
        depth--
        op = stackOperation[depth]
        state = stackState[depth]
        if (operations[op].return !== Infinity) done--
        unlift(2 * op)
      } while (operations[op].f === 'read')
      entry = next[2 * op]
    }
  }
}

/** A set of strings past the 2^24 entries one JavaScript Set can hold. */
class ConfigurationSet {
  private readonly sets = [new Set<string>()]
  /** Add `key` unless it is there; true if it was added. */
  add(key: string): boolean {
    for (const set of this.sets) if (set.has(key)) return false
    let last = this.sets[this.sets.length - 1]
    if (last.size >= 16_000_000) this.sets.push((last = new Set()))
    last.add(key)
    return true
  }
}
