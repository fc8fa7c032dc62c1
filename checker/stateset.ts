// The visited set: open addressing with linear probing over an Int32Array of (lo, hi)
// fingerprint pairs. (0, 0) marks an empty slot, so a fingerprint of (0, 0) is stored as
// (0, 1). Load stays at most 0.75; growing doubles the table and re-inserts the stored
// fingerprints (no state is needed for that).
//
// A doubling that allocates a new table holds the old one and the new one at once: 1.5 times
// the final table at the peak, the largest single cost of a long run (two-phase commit rm=10
// peaked at 29.9 bytes a distinct state). So a big table lives in a WebAssembly.Memory, which
// grows in place, and doubles there: the peak is the final table alone. (Plain ArrayBuffers
// cannot grow; resizable ones cost a third more per lookup in V8 11, a wasm memory's view
// about a tenth in the lookup alone.) Presizing (--fp-mem) avoids doubling altogether.

import { MemoryBudget } from './budget.js'

const MAX_LOAD = 0.75
const BYTES_PER_SLOT = 8
/** Tables from this size on grow in place; smaller ones are cheap to copy (and a search for
 * every simulation run need not reserve a wasm memory). */
const IN_PLACE_FROM_BYTES = 1 << 24
const WASM_PAGE_BYTES = 1 << 16
/** A wasm32 memory holds at most 4 GB: 2^29 slots. Past that, doublings copy. */
const WASM_MAX_PAGES = 65536

/** Slots (a power of two) to hold `capacity` fingerprints at most MAX_LOAD full. */
const slotsFor = (capacity: number) => 2 ** Math.max(4, Math.ceil(Math.log2(capacity / MAX_LOAD)))

export class FingerprintSet {
  private table: Int32Array
  /** Where a big table lives (its buffer), once it has grown past IN_PLACE_FROM_BYTES. */
  private memory: WebAssembly.Memory | undefined
  private mask: number
  private limit: number
  size = 0

  /** Asked before each doubling; a refusal leaves the table fuller than MAX_LOAD until the
   * search stops at the end of the current expansion (it checks budget.reason). */
  budget = new MemoryBudget()

  /** `inPlaceFromBytes`: tests lower it to exercise growing in place on small tables. */
  constructor(initialCapacity = 1 << 16, private readonly inPlaceFromBytes = IN_PLACE_FROM_BYTES) {
    const slots = slotsFor(initialCapacity)
    this.table = this.newTable(slots)
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

  /** Bytes the next doubling adds to the process: the new half when it grows in place, else
   * the whole new table (the old one is freed only after the copy). */
  get bytesAfterGrowth(): number {
    return this.table.byteLength * (this.memory ? 1 : 2)
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
    if (this.growInPlace(slots)) return
    let table: Int32Array
    try {
      if (slots * 2 > 2 ** 31) throw new RangeError('past 2^30 slots')
      table = this.newTable(slots)
    } catch (e) {
      if (!(e instanceof RangeError)) throw e
      this.budget.failed('visited table', bytes)
      return
    }
    this.rehashInto(table)
  }

  /** A table of `slots` empty slots: in a wasm memory (to grow in place later) once big. */
  private newTable(slots: number): Int32Array {
    const bytes = slots * BYTES_PER_SLOT
    if (bytes >= Math.max(this.inPlaceFromBytes, WASM_PAGE_BYTES) && bytes <= WASM_MAX_PAGES * WASM_PAGE_BYTES) {
      try {
        const memory = new WebAssembly.Memory({ initial: bytes / WASM_PAGE_BYTES, maximum: WASM_MAX_PAGES })
        this.memory = memory
        return new Int32Array(memory.buffer, 0, slots * 2)
      } catch (e) {
        if (!(e instanceof RangeError)) throw e
        // No address space for a wasm memory here: a plain table, doubled by copying.
      }
    }
    this.memory = undefined
    return new Int32Array(slots * 2)
  }

  /** Double the table inside its wasm memory; false if it has none or it cannot grow. */
  private growInPlace(slots: number): boolean {
    const { memory } = this
    if (!memory) return false
    const oldSlots = this.mask + 1
    try {
      memory.grow((slots - oldSlots) * BYTES_PER_SLOT / WASM_PAGE_BYTES)
    } catch (e) {
      if (!(e instanceof RangeError)) throw e
      return false
    }
    // The old view is detached by the growth; the new half is zero (empty).
    this.table = new Int32Array(memory.buffer, 0, slots * 2)
    this.rehashInPlace(oldSlots)
    return true
  }

  /**
   * Re-place every fingerprint of the first `oldSlots` slots under the doubled mask, in the
   * table itself. Linear probing allows it if no entry is ever placed past a slot not yet
   * processed (removing that slot's entry later would cut the new entry's probe path):
   *   1. The cluster at the start of the old table may hold entries whose probe wrapped
   *      around its end: take those out first (held aside: one cluster, a few entries).
   *   2. Then no old cluster wraps, so each entry's old home h is at or before its slot i.
   *      Scanning i upwards, an entry is removed and re-inserted from its new home, h or
   *      h + oldSlots: from h, every slot before i is processed and slot i is now free; from
   *      h + oldSlots, the upper half holds processed entries only, and a probe wrapping
   *      round to slot 0 again meets only processed slots before the free slot i.
   *   3. The held entries are inserted into the now consistent table.
   */
  private rehashInPlace(oldSlots: number) {
    const table = this.table
    const slots = table.length / 2
    this.mask = slots - 1
    this.limit = Math.floor(slots * MAX_LOAD)
    let firstEmpty = 0
    while (table[firstEmpty * 2] !== 0 || table[firstEmpty * 2 + 1] !== 0) firstEmpty++
    const held = table.slice(0, firstEmpty * 2)
    table.fill(0, 0, firstEmpty * 2)
    for (let slot = firstEmpty + 1; slot < oldSlots; slot++) {
      const i = slot << 1
      const lo = table[i]
      const hi = table[i + 1]
      if (lo === 0 && hi === 0) continue
      table[i] = 0
      table[i + 1] = 0
      this.place(lo, hi)
    }
    for (let i = 0; i < held.length; i += 2) this.place(held[i], held[i + 1])
  }

  /** Put a fingerprint known to be absent (stored form: never (0, 0)) in its first free slot. */
  private place(lo: number, hi: number) {
    const table = this.table
    const mask = this.mask
    let slot = (lo ^ (hi >>> 7)) & mask
    while (table[slot << 1] !== 0 || table[(slot << 1) + 1] !== 0) slot = (slot + 1) & mask
    table[slot << 1] = lo
    table[(slot << 1) + 1] = hi
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
