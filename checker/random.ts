// Seeded random streams for simulation. Each walk gets its own stream, derived by hashing
// (seed, walk index): walks are independent of each other and of how they are spread over
// workers, and adjacent seeds give unrelated streams (a counter used directly as the
// generator's state, as Quint's seeds are, gives shifted copies of one stream).
// The generator is xoshiro128** (Blackman and Vigna), seeded through a murmur3 finaliser.

/** The largest seed: seeds are whole numbers a double holds exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER

export class RandomStream {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  constructor(seed: number, stream: number) {
    // Hash the seed's two 32-bit halves and the stream index into one word, then expand it
    // into the four words of state with a Weyl sequence, each word finalised again.
    let h = mix(0x243f6a88 ^ (seed >>> 0))
    h = mix(h ^ Math.floor(seed / 2 ** 32))
    h = mix(h ^ stream)
    this.s0 = mix((h + 0x9e3779b9) | 0)
    this.s1 = mix((h + 0x3c6ef372) | 0)
    this.s2 = mix((h + 0xdaa66d2b) | 0)
    this.s3 = mix((h + 0x78dde6a4) | 0)
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1 // the one state xoshiro cannot leave
  }

  /** The next 32 random bits, as an unsigned number. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  /** A whole number in [0, n), n at most 2^32; unbiased (rejects the uneven top of the range). */
  below(n: number): number {
    const limit = 2 ** 32 - (2 ** 32 % n)
    for (;;) {
      const x = this.next()
      if (x < limit) return x % n
    }
  }
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k))

function mix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) | 0
}
