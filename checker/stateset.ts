// The visited set: open addressing with linear probing over an Int32Array of (lo, hi)
// fingerprint pairs. (0, 0) marks an empty slot, so a fingerprint of (0, 0) is stored as
// (0, 1). Load stays at most 0.75; growing doubles the table and re-inserts the stored
// fingerprints (no state is needed for that). Presizing (initialCapacity) avoids the
// last doubling, whose peak holds old and new tables at once.

import { MemoryBudget } from './budget.js'

const MAX_LOAD = 0.75
const BYTES_PER_SLOT = 8

/** Slots (a power of two) to hold `capacity` fingerprints at most MAX_LOAD full. */
const slotsFor = (capacity: number) => 2 ** Math.max(4, Math.ceil(Math.log2(capacity / MAX_LOAD)))

export class FingerprintSet {
  private table: Int32Array
  private mask: number
  private limit: number
  size = 0

  /** Asked before each doubling; a refusal leaves the table fuller than MAX_LOAD until the
   * search stops at the end of the current expansion (it checks budget.reason). */
  budget = new MemoryBudget()

  constructor(initialCapacity = 1 << 16) {
    const slots = slotsFor(initialCapacity)
    this.table = new Int32Array(slots * 2)
    this.mask = slots - 1
    this.limit = Math.floor(slots * MAX_LOAD)
  }

  /** Adds the fingerprint; true if it was not there before. */
  add(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) hi = 1
    const table = this.table
    const mask = this.mask
    let slot = (lo ^ (hi >>> 7)) & mask
    for (;;) {
      const i = slot << 1
      const a = table[i]
      const b = table[i + 1]
      if (a === 0 && b === 0) {
        table[i] = lo
        table[i + 1] = hi
        if (++this.size > this.limit) this.growIfAllowed()
        return true
      }
      if (a === lo && b === hi) return false
      slot = (slot + 1) & mask
    }
  }

  /** Is the fingerprint in the set? (Normalised as add() stores it.) */
  has(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) hi = 1
    const table = this.table
    const mask = this.mask
    for (let slot = (lo ^ (hi >>> 7)) & mask; ; slot = (slot + 1) & mask) {
      const i = slot << 1
      const a = table[i]
      const b = table[i + 1]
      if (a === 0 && b === 0) return false
      if (a === lo && b === hi) return true
    }
  }

  /** How many fingerprints fit before the next add() doubles the table. */
  get capacity(): number {
    return this.limit
  }

  /** Hands `consume` the stored fingerprints sorted as unsigned 64-bit numbers (hi word
   * first), as (lo, hi) pairs moved to the front of the table's own memory (no copy, so a spill
   * to disk needs no second table), then empties the set. */
  drainSorted(consume: (sorted: Uint32Array) => void): void {
    const table = this.table
    let count = 0
    for (let i = 0; i < table.length; i += 2) {
      if (table[i] !== 0 || table[i + 1] !== 0) {
        table[count * 2] = table[i]
        table[count * 2 + 1] = table[i + 1]
        count++
      }
    }
    // Little-endian (lo, hi) pairs read as 64-bit words are hi * 2^32 + lo: the native sort orders them.
    new BigUint64Array(table.buffer, table.byteOffset, count).sort()
    try {
      consume(new Uint32Array(table.buffer, table.byteOffset, count * 2))
    } finally {
      table.fill(0)
      this.size = 0
    }
  }

  /** The table's words as they are (for a checkpoint): restoring them restores the set. */
  get words(): Int32Array {
    return this.table
  }

  /** A set holding exactly the table `words` (as returned by `words`), with `size` fingerprints. */
  static fromWords(words: Int32Array, size: number): FingerprintSet {
    const slots = words.length / 2
    if (!Number.isInteger(Math.log2(slots)) || slots < 16) throw new Error(`visited table of ${slots} slots: not a power of two`)
    const set = new FingerprintSet(16)
    set.table = words
    set.mask = slots - 1
    set.limit = Math.floor(slots * MAX_LOAD)
    set.size = size
    return set
  }

  /** A table of at most `bytes` (a power of two of slots, at least 16). */
  static ofBytes(bytes: number): FingerprintSet {
    const slots = 2 ** Math.max(4, Math.floor(Math.log2(bytes / BYTES_PER_SLOT)))
    return new FingerprintSet(Math.floor(slots * MAX_LOAD))
  }

  /** The table a search with these options starts with. */
  /** The table a search starts with. A presized table that does not fit the budget is not
   * allocated: the search then stops before its first step (budget.reason is set). */
  static forSearch(options: { expectedStates?: number; fingerprintBytes?: number }, budget: MemoryBudget): FingerprintSet {
    let set: FingerprintSet
    if (options.fingerprintBytes === undefined) set = new FingerprintSet(options.expectedStates)
    else if (!budget.allow('presized visited table (--fp-mem)', options.fingerprintBytes)) set = new FingerprintSet(16)
    else {
      try {
        set = FingerprintSet.ofBytes(options.fingerprintBytes)
      } catch (e) {
        if (!(e instanceof RangeError)) throw e
        budget.failed('presized visited table (--fp-mem)', options.fingerprintBytes)
        set = new FingerprintSet(16)
      }
    }
    set.budget = budget
    return set
  }

  /** Bytes the table occupies now. */
  get bytes(): number {
    return this.table.byteLength
  }

  /** Bytes the table would occupy after its next doubling. */
  get bytesAfterGrowth(): number {
    return this.table.byteLength * 2
  }

  private growIfAllowed() {
    const bytes = this.bytesAfterGrowth
    if (this.budget.reason) {
      // Refused already: keep filling (the search stops within one expansion) unless full.
      if (this.size < this.mask) return
      throw new RangeError('visited table full after its growth was refused')
    }
    if (!this.budget.allow('visited table', bytes)) return
    const slots = (this.mask + 1) * 2
    let table: Int32Array
    try {
      if (slots * 2 > 2 ** 31) throw new RangeError('past 2^30 slots')
      table = new Int32Array(slots * 2)
    } catch (e) {
      if (!(e instanceof RangeError)) throw e
      this.budget.failed('visited table', bytes)
      return
    }
    this.rehashInto(table)
  }

  private rehashInto(table: Int32Array) {
    const old = this.table
    const slots = table.length / 2
    this.table = table
    this.mask = slots - 1
    this.limit = Math.floor(slots * MAX_LOAD)
    this.size = 0
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.add(old[i], old[i + 1])
    }
    if (this.size > this.limit) throw new Error('visited table: rehashing left it over its load limit')
  }
}
