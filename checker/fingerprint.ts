// 64-bit fingerprint of a packed state: two 32-bit murmur3-style lanes with different
// constants, cross-mixed at the end. Plain Math.imul arithmetic: in V8 this beats both
// WASM (the call costs more than the hash) and BigInt. Never fewer than 64 bits: shorter
// hashes lose states to collisions at tens of millions (Spin's hash-compact modes did).

/** The fingerprint's two halves; written by fingerprint() to avoid allocating a pair. */
export const fingerprintOut = new Int32Array(2)

export function fingerprint(words: Uint32Array, offset: number, length: number): void {
  let h1 = 0x9747b28c ^ length
  let h2 = 0x2f8e1b53 ^ Math.imul(length, 0x85ebca6b)
  for (let i = offset, end = offset + length; i < end; i++) {
    const w = words[i]
    let k1 = Math.imul(w, 0xcc9e2d51)
    k1 = (k1 << 15) | (k1 >>> 17)
    h1 ^= Math.imul(k1, 0x1b873593)
    h1 = (h1 << 13) | (h1 >>> 19)
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0
    let k2 = Math.imul(w, 0x239b961b)
    k2 = (k2 << 16) | (k2 >>> 16)
    h2 ^= Math.imul(k2, 0xab0e9789)
    h2 = (h2 << 17) | (h2 >>> 15)
    h2 = (Math.imul(h2, 9) + 0x38b34ae5) | 0
  }
  h1 = (h1 + h2) | 0
  h2 = (h2 + h1) | 0
  h1 = finalMix(h1)
  h2 = finalMix(h2)
  fingerprintOut[0] = (h1 + h2) | 0
  fingerprintOut[1] = (h2 + h1 + h1) | 0
}

function finalMix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** TLC's optimistic estimate of the chance that two distinct states shared a fingerprint. */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64
}
