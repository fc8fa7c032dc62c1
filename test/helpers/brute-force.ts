// Brute force for checking the checker: every reachable state by a plain breadth-first walk,
// and the renamings that count symmetry classes by hand, independent of checker/symmetry.ts.

import type { Instance } from '../../checker/instance.js'

/** Every reachable state inside the model's constraint, decoded, by a plain breadth-first
 * walk with a JS Set. */
export function reachable(instance: Instance): any[] {
  const seen = new Set<string>()
  const frontier: Uint32Array[] = []
  const visit = (s: Uint32Array) => {
    if (!instance.successorWithin()) return
    const key = s.join(',')
    if (!seen.has(key)) {
      seen.add(key)
      frontier.push(s.slice(0, instance.words))
    }
  }
  instance.initial((_o, _a, _p, s) => visit(s))
  for (let i = 0; i < frontier.length; i++) instance.successors(frontier[i], 0, (_o, _a, _p, s) => visit(s))
  const schema: { decode(words: Uint32Array): unknown } = instance.schema
  return frontier.map((s) => schema.decode(s))
}

/** Every permutation of 0..n-1. */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]]
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, at), n - 1, ...p.slice(at)]))
}

/** A map over nodes with node k's entry moved to p[k], each entry through `f`. */
export function moved<T>(m: readonly T[], p: readonly number[], f: (x: T) => unknown = (x) => x): unknown[] {
  const out: unknown[] = []
  m.forEach((x, k) => (out[p[k]] = f(x)))
  return out
}
