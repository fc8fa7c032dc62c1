// The smallest failing set: the operations of a key that cannot be ordered are cut down to a
// subset that still cannot be, in which every operation is needed.
//
// Deleting operations must not invent anomalies: a read of 1 without the write of 1 cannot be
// ordered either, but only because the write was deleted. So a candidate set is only ever
// judged together with what explains it: every value it reads (or a cas expects) is written
// by one of its operations, unless no operation of the whole history writes that value (then
// the read alone is the anomaly). "Smallest" means: the set cannot be linearized, and
// removing any one operation leaves either a set that can be, or a read (or cas) of a value
// that no remaining operation writes. It is a minimal set, not always a minimum one: finding
// the fewest operations of all would take a search over all subsets.
//
// Two stages: Zeller's delta debugging (ddmin), which cuts large parts first (halves, then
// quarters, ..., then single operations), judging each candidate with the writers it needs
// added; then single deletions from that set until none can go. Deletion is not monotone
// (dropping a write can make a set linearizable, or not), so each candidate is checked by
// the search itself.

import type { Operation } from './history.js'

export interface ShrinkResult {
  operations: Operation[]
  /** Candidate sets searched. */
  checks: number
  /** False if some candidate was left undecided (time limit): the set fails but may not be minimal. */
  minimal: boolean
}

/** `fails(set)`: true if `set` cannot be linearized, false if it can, null if undecided. */
export function smallestFailingSet(operations: readonly Operation[], fails: (set: Operation[]) => boolean | null): ShrinkResult {
  const writers = new Map<string, Operation[]>()
  for (const operation of operations) {
    const written = writtenValue(operation)
    if (written === undefined) continue
    let list = writers.get(written)
    if (!list) writers.set(written, (list = []))
    list.push(operation)
  }
  // Values this operation needs written before it: a read's result, a cas's expected value
  // (null is the initial value; a value nobody writes cannot be explained by anyone).
  const needs = (operation: Operation): string | undefined => {
    const value = operation.f === 'read' ? operation.output : operation.f === 'cas' ? (operation.value as unknown[])[0] : undefined
    if (value === undefined || value === null) return undefined
    const key = JSON.stringify(value)
    return writers.has(key) ? key : undefined
  }
  const closure = (set: readonly Operation[]): Operation[] => {
    const members = new Set(set)
    const work = [...set]
    while (work.length > 0) {
      const needed = needs(work.pop()!)
      if (needed === undefined || writers.get(needed)!.some((w) => members.has(w))) continue
      for (const w of writers.get(needed)!) {
        members.add(w)
        work.push(w)
      }
    }
    return [...members].sort((a, b) => a.id - b.id)
  }
  const explained = (set: readonly Operation[]): boolean => {
    const written = new Set(set.map(writtenValue))
    return set.every((o) => {
      const needed = needs(o)
      return needed === undefined || written.has(needed)
    })
  }

  let checks = 0
  let minimal = true
  const test = (set: Operation[]) => {
    checks++
    const verdict = fails(set)
    if (verdict === null) minimal = false
    return verdict === true
  }
  const cut = ddmin(closure(operations), (subset) => test(closure(subset)))
  let current = closure(cut)
  for (let changed = true; changed; ) {
    changed = false
    for (const operation of current) {
      const rest = current.filter((o) => o !== operation)
      if (rest.length > 0 && explained(rest) && test(rest)) {
        current = rest
        changed = true
        break
      }
    }
  }
  return { operations: current, checks, minimal }
}

/** The value a write or an ok/info cas leaves, as JSON text; undefined for reads. */
function writtenValue(operation: Operation): string | undefined {
  if (operation.f === 'write') return JSON.stringify(operation.value)
  if (operation.f === 'cas') return JSON.stringify((operation.value as unknown[])[1])
  return undefined
}

/** Zeller's ddmin: a subset of `items` on which `fails` holds, 1-minimal for it. */
export function ddmin<T>(items: readonly T[], fails: (subset: T[]) => boolean): T[] {
  let current = [...items]
  let granularity = 2
  while (current.length >= 2) {
    const chunks = split(current, granularity)
    let reduced = false
    for (let i = 0; i < chunks.length && !reduced; i++) {
      if (fails(chunks[i])) {
        current = chunks[i]
        granularity = 2
        reduced = true
      }
    }
    // With two chunks each complement is the other chunk, already tried.
    for (let i = 0; i < chunks.length && !reduced && granularity > 2; i++) {
      const complement = chunks.flatMap((chunk, j) => (j === i ? [] : chunk))
      if (fails(complement)) {
        current = complement
        granularity = Math.max(granularity - 1, 2)
        reduced = true
      }
    }
    if (!reduced) {
      if (granularity >= current.length) break
      granularity = Math.min(current.length, 2 * granularity)
    }
  }
  return current
}

/** `items` in `parts` consecutive chunks of nearly equal length. */
function split<T>(items: T[], parts: number): T[][] {
  const chunks: T[][] = []
  let start = 0
  for (let i = 0; i < parts; i++) {
    const end = start + Math.floor((items.length - start) / (parts - i))
    chunks.push(items.slice(start, end))
    start = end
  }
  return chunks
}
