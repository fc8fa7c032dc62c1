// The visited set shared by the workers of a parallel search (--workers): the same open
// addressing over (lo, hi) fingerprint pairs as stateset.ts, in a SharedArrayBuffer, with
// a slot claimed by compare-and-swap of its lo word and published by storing its hi word.
// Neither half is ever 0 (0 marks "empty" and "not yet published"), which merges a
// fingerprint half of 0 with 1: one 2^-32 sliver of the 64-bit space.
//
// The table does not grow while workers insert: the coordinator doubles it while they
// are paused (see parallel.ts), once the shared count passes the load limit.

export const MAX_LOAD = 0.75
const BYTES_PER_SLOT = 8

export class SharedFingerprintSet {
  table!: Int32Array
  buffer!: SharedArrayBuffer
  private mask = 0

  constructor(buffer: SharedArrayBuffer) {
    this.adopt(buffer)
  }

  /** Switch to another table (the doubled one, once the coordinator has filled it). */
  adopt(buffer: SharedArrayBuffer) {
    this.buffer = buffer
    this.table = new Int32Array(buffer)
    this.mask = this.table.length / 2 - 1
    this.limit = Math.floor((this.mask + 1) * MAX_LOAD)
  }

  static withSlots(slots: number): SharedFingerprintSet {
    return new SharedFingerprintSet(new SharedArrayBuffer(slots * BYTES_PER_SLOT))
  }

  get slots(): number {
    return this.mask + 1
  }

  /** The load limit: past it, workers pause for the table to double. */
  limit = 0

  /** Adds the fingerprint; true if no worker added it before. */
  add(lo: number, hi: number): boolean {
    if (lo === 0) lo = 1
    if (hi === 0) hi = 1
    const table = this.table
    const mask = this.mask
    let slot = (lo ^ (hi >>> 7)) & mask
    for (;;) {
      const i = slot << 1
      let a = table[i]
      if (a === 0) {
        a = Atomics.compareExchange(table, i, 0, lo)
        if (a === 0) {
          Atomics.store(table, i + 1, hi)
          return true
        }
      }
      if (a === lo) {
        // Same lo: wait for the claimer to publish hi, then compare.
        let b = Atomics.load(table, i + 1)
        while (b === 0) b = Atomics.load(table, i + 1)
        if (b === hi) return false
      }
      slot = (slot + 1) & mask
    }
  }

  /** A table twice the size holding the same fingerprints (no worker may be inserting). */
  doubled(): SharedFingerprintSet {
    const bigger = SharedFingerprintSet.withSlots(this.slots * 2)
    const old = this.table
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) bigger.add(old[i], old[i + 1])
    return bigger
  }
}
