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

  // The linearized set as a bitset, hashed incrementally (one random 64-bit word per
  // operation, XORed in and out), so that a lookup costs no pass over the bitset unless two
  // configurations share a hash.
  const words = (n + 31) >>> 5
  const linearized = new Uint32Array(words)
  const random = zobrist(n)
  let hashLo = 0
  let hashHi = 0
  const cache = new Map<number, CacheEntry | CacheEntry[]>()
  let configurations = 0

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
        linearized[op >>> 5] ^= 1 << (op & 31)
        const lo = hashLo ^ random[2 * op]
        const hi = hashHi ^ random[2 * op + 1]
        const key = configurationKey(lo, hi, after)
        if (remember(cache, key, linearized, after)) {
          configurations++
          hashLo = lo
          hashHi = hi
          stackOperation[depth] = op
          stackState[depth] = state
          depth++
          state = after
          if (operations[op].return !== Infinity) done++
          lift(entry)
          entry = start()
          continue
        }
        linearized[op >>> 5] ^= 1 << (op & 31)
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
        linearized[op >>> 5] ^= 1 << (op & 31)
        hashLo ^= random[2 * op]
        hashHi ^= random[2 * op + 1]
        if (operations[op].return !== Infinity) done--
        unlift(2 * op)
      } while (operations[op].f === 'read')
      entry = next[2 * op]
    }
  }
}

interface CacheEntry {
  linearized: Uint32Array
  state: number
}

/** A 53-bit Map key from the set's 64-bit hash and the state. */
function configurationKey(lo: number, hi: number, state: number): number {
  const mixed = Math.imul(state ^ 0x5bd1e995, 0x9e3779b1)
  return ((hi ^ (mixed >>> 7)) >>> 11) * 4294967296 + ((lo ^ mixed) >>> 0)
}

/** Add the configuration unless it is there already; true if it was added. */
function remember(cache: Map<number, CacheEntry | CacheEntry[]>, key: number, linearized: Uint32Array, state: number): boolean {
  const found = cache.get(key)
  if (found === undefined) {
    cache.set(key, { linearized: linearized.slice(), state })
    return true
  }
  const entries = Array.isArray(found) ? found : [found]
  for (const e of entries) if (e.state === state && sameBits(e.linearized, linearized)) return false
  const added = { linearized: linearized.slice(), state }
  if (Array.isArray(found)) found.push(added)
  else cache.set(key, [found, added])
  return true
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Two 32-bit random words per operation (xorshift, fixed seed: runs are reproducible). */
function zobrist(n: number): Int32Array {
  const words = new Int32Array(2 * n)
  let x = 0x2545f491
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x
  }
  return words
}
