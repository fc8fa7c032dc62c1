// The visited set of a search that records the state graph: like stateset.ts (open
// addressing over 64-bit fingerprints, load at most 0.75, doubling under the memory
// budget) but each fingerprint keeps the id of its state, so a step to a state seen before
// becomes an edge to that state's id. Ids are given in order of first insertion, the order
// in which the breadth-first search logs its states, so they are the parent log's ids.

import { MemoryBudget } from '../budget.js'

const MAX_LOAD = 0.75
/** lo, hi, id + 1 (0 marks an empty slot). */
const STRIDE = 3

export class IndexedFingerprintSet {
  private table: Int32Array
  private mask: number
  private limit: number
  size = 0
  /** The id of the fingerprint the last `add` found or inserted. */
  lastId = -1

  constructor(readonly budget = new MemoryBudget(), initialCapacity = 1 << 16) {
    initialCapacity = Math.max(16, initialCapacity)
    const slots = 2 ** Math.max(4, Math.ceil(Math.log2(initialCapacity / MAX_LOAD)))
    this.table = new Int32Array(slots * STRIDE)
    this.mask = slots - 1
    this.limit = Math.floor(slots * MAX_LOAD)
  }

  /** Adds the fingerprint with the next id; true if it was not there before. */
  add(lo: number, hi: number): boolean {
    const found = this.insert(this.table, this.mask, lo, hi, this.size)
    if (found >= 0) {
      this.lastId = found
      return false
    }
    this.lastId = this.size++
    if (this.size > this.limit) this.grow()
    return true
  }

  /** Bytes the table occupies. */
  get bytes(): number {
    return this.table.byteLength
  }

  /** Insert (lo, hi) -> id unless present; returns the present id, or -1 if inserted. */
  private insert(table: Int32Array, mask: number, lo: number, hi: number, id: number): number {
    let slot = (lo ^ (hi >>> 7)) & mask
    for (;;) {
      const i = slot * STRIDE
      const stored = table[i + 2]
      if (stored === 0) {
        table[i] = lo
        table[i + 1] = hi
        table[i + 2] = id + 1
        return -1
      }
      if (table[i] === lo && table[i + 1] === hi) return stored - 1
      slot = (slot + 1) & mask
    }
  }

  private grow() {
    const slots = (this.mask + 1) * 2
    const bytes = slots * STRIDE * 4
    if (this.budget.reason || !this.budget.allow('state graph index', bytes)) {
      // The search stops at its next expansion (it checks budget.reason); until then the
      // table only needs a free slot.
      if (this.size < this.mask) return
      throw new RangeError('state graph index full after its growth was refused')
    }
    let table: Int32Array
    try {
      table = new Int32Array(slots * STRIDE)
    } catch (e) {
      if (!(e instanceof RangeError)) throw e
      this.budget.failed('state graph index', bytes)
      return
    }
    const old = this.table
    for (let i = 0; i < old.length; i += STRIDE) {
      if (old[i + 2] !== 0) this.insert(table, slots - 1, old[i], old[i + 1], old[i + 2] - 1)
    }
    this.table = table
    this.mask = slots - 1
    this.limit = Math.floor(slots * MAX_LOAD)
  }
}
