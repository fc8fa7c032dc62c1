// The smallest failing set: a non-linearizable set of operations is cut down, with Zeller's
// delta debugging (ddmin), to a subset that still cannot be ordered and from which no single
// operation can be removed without the rest becoming linearizable ("1-minimal"). That is
// the sense of "smallest": every operation left is needed for the anomaly. It is not always
// the fewest operations of any failing subset (finding that would take a search over all
// subsets), but for register anomalies it is typically the two to four operations a person
// would point at.
//
// Removing operations is not monotone (dropping a write can make a history linearizable, or
// make one not), so each candidate is checked by the search itself; ddmin tries large cuts
// first (halves, then quarters, ...) and ends removing one operation at a time.

/** `fails(subset)`: true if the subset still fails, false if not, null if unknown (kept). */
export function shrinkFailing<T>(items: readonly T[], fails: (subset: T[]) => boolean | null): { items: T[]; checks: number; minimal: boolean } {
  let current = [...items]
  let checks = 0
  let minimal = true
  const test = (subset: T[]) => {
    checks++
    const verdict = fails(subset)
    if (verdict === null) minimal = false
    return verdict === true
  }
  let granularity = 2
  while (current.length >= 2) {
    const chunks = split(current, granularity)
    let reduced = false
    for (let i = 0; i < chunks.length && !reduced; i++) {
      if (test(chunks[i])) {
        current = chunks[i]
        granularity = 2
        reduced = true
      }
    }
    for (let i = 0; i < chunks.length && !reduced && granularity > 2; i++) {
      const complement = chunks.flatMap((chunk, j) => (j === i ? [] : chunk))
      if (test(complement)) {
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
  return { items: current, checks, minimal }
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
