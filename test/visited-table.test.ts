// The visited table must keep every fingerprint through its doublings, whether it copies
// into a new table or grows in place inside its wasm memory (the path big runs take; here
// forced on small tables), including clusters that wrap around the table's end.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FingerprintSet } from '../checker/stateset.js'

/** Deterministic fingerprints; every `clusterEvery`-th one crowds the last slots of a small
 * table (its low bits all ones), so probes wrap around the end. */
function fingerprints(n: number, clusterEvery: number): Int32Array {
  const out = new Int32Array(n * 2)
  let x = 0x12345678
  for (let k = 0; k < n; k++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0
    const hi = Math.imul(x ^ (x >>> 13), 0x5bd1e995) | 0
    let lo = Math.imul(x, 0x9e3779b1) | 0
    // (lo ^ (hi >>> 7)) has its low 16 bits all set: home slot = last slot for tables up to 2^16 slots.
    if (k % clusterEvery === 0) lo = ((hi >>> 7) ^ 0xffff) | (lo & ~0xffff)
    out[k * 2] = lo
    out[k * 2 + 1] = hi
  }
  if (n > 3) {
    out[6] = 0 // the fingerprint (0, 0), the empty slot's mark, is stored as (0, 1)
    out[7] = 0
  }
  return out
}

function exercise(set: FingerprintSet, n: number) {
  const fps = fingerprints(n, 7)
  const seen = new Set<string>()
  for (let k = 0; k < n; k++) {
    const lo = fps[k * 2]
    const hi = fps[k * 2 + 1]
    const fresh = !seen.has(`${lo},${hi}`)
    seen.add(`${lo},${hi}`)
    assert.is(set.add(lo, hi), fresh, `fingerprint ${k} added`)
    // Every 1999th step, every fingerprint so far must still be found.
    if (k % 1999 === 0) {
      for (let j = 0; j <= k; j++) assert.is(set.add(fps[j * 2], fps[j * 2 + 1]), false, `fingerprint ${j} lost by step ${k}`)
    }
  }
  for (let j = 0; j < n; j++) assert.is(set.add(fps[j * 2], fps[j * 2 + 1]), false, `fingerprint ${j} lost`)
  assert.is(set.size, seen.size)
}

test('visited table: doubling by copying keeps every fingerprint', () => {
  const set = new FingerprintSet(16, Infinity)
  exercise(set, 20_000)
})

test('visited table: doubling in place (wasm memory) keeps every fingerprint, wrapping clusters too', () => {
  // From 64 KB (8,192 slots) on, the table lives in a wasm memory and grows in place.
  const set = new FingerprintSet(16, 1 << 16)
  exercise(set, 20_000)
  assert.ok(set.bytes >= 1 << 18, `grew to ${set.bytes} bytes`)
})

test.run()
