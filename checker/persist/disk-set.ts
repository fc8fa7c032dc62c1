// The visited set of `--disk DIR`: a table in memory of the fingerprints seen since the last
// spill, and the older ones in a sorted file (sorted-run.ts). When the table may not grow
// within the memory budget, it is sorted in place and merged into the file, then emptied.
//
// A successor whose fingerprint is not in the table may still be in the file. Looking each
// one up on its own would cost a disk read per successor, so such successors wait, packed,
// in a pending list, and are settled in batches: their fingerprints sorted and looked up
// together, then the new ones stored in the order they were generated. The search settles
// before it needs them (the next BFS level starts, a checkpoint, the end), so ids, queue
// order, counts and counterexamples are those of a search held in memory.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { MemoryBudget } from '../budget.js'
import { InputError } from '../errors.js'
import { FingerprintSet } from '../stateset.js'
import type { VisitedSet } from '../steps.js'
import { SortedRun } from './sorted-run.js'

/** Stores a new state found by `parent`'s step `ordinal`; returns its id. */
export type Enqueue = (state: Uint32Array, parent: number, ordinal: number) => number

/** The table takes at most this share of the memory budget, leaving the rest to the frontier. */
const TABLE_SHARE = 0.5
/** Pending successors are settled when their list reaches this many bytes. */
const PENDING_BYTES = 16 << 20

export class DiskVisitedSet implements VisitedSet {
  private run: SortedRun | null = null
  private spills = 0
  /** Per pending successor: its state words, parent, ordinal, fingerprint lo and hi. */
  private pending: Uint32Array
  private readonly entryWords: number
  pendingCount = 0
  private readonly pendingLimit: number

  constructor(
    /** Where the spilled fingerprints go (a folder of their own: spillFolder()). */
    private readonly folder: string,
    private table: FingerprintSet,
    private readonly stateWords: number,
    private readonly enqueue: Enqueue,
    private readonly budget: MemoryBudget,
    /** Fixed table size (--fp-mem): never grown, spilled when full. */
    private readonly fixedTable: boolean,
  ) {
    this.entryWords = stateWords + 4
    this.pendingLimit = Math.max(1024, Math.floor(PENDING_BYTES / 4 / this.entryWords))
    this.pending = new Uint32Array(1024 * this.entryWords)
  }

  /** The fingerprints on disk (null before the first spill). */
  get spilled(): SortedRun | null {
    return this.run
  }

  get memoryTable(): FingerprintSet {
    return this.table
  }

  /** Spilled fingerprints (a checkpoint's) become this set's file. */
  adoptRun(run: SortedRun) {
    this.run = run
  }

  /** Not in the table: true. The caller then defers the successor (it may be in the file). */
  add(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) hi = 1
    if (this.table.has(lo, hi)) return false
    if (this.table.size >= this.table.capacity && !this.mayGrow()) this.spill()
    this.table.add(lo, hi)
    this.lastLo = lo
    this.lastHi = hi
    return true
  }

  private lastLo = 0
  private lastHi = 0

  /** Stores the successor whose fingerprint add() just took: at once while nothing is on
   * disk, else once settled. Returns its id, or -1 while it is pending. */
  defer(state: Uint32Array, parent: number, ordinal: number): number {
    if (!this.run) return this.enqueue(state, parent, ordinal)
    if ((this.pendingCount + 1) * this.entryWords > this.pending.length) this.growPending()
    const at = this.pendingCount++ * this.entryWords
    const words = this.stateWords
    const pending = this.pending
    for (let i = 0; i < words; i++) pending[at + i] = state[i]
    pending[at + words] = parent
    pending[at + words + 1] = ordinal
    pending[at + words + 2] = this.lastLo
    pending[at + words + 3] = this.lastHi
    if (this.pendingCount >= this.pendingLimit) this.settle()
    return -1
  }

  /** Look the pending successors up on disk and store, in order, those not there. */
  settle() {
    if (this.pendingCount === 0) return
    const count = this.pendingCount
    const words = this.stateWords
    const entry = this.entryWords
    const pending = this.pending
    // Buffers kept from one settle to the next: a settle allocates nothing once they are grown.
    if (this.sorted.length < count * 2) {
      this.sorted = new Uint32Array(this.pendingLimit * 2)
      this.onDisk = new Uint8Array(this.pendingLimit)
    }
    const sorted = this.sorted
    const onDisk = this.onDisk
    for (let k = 0; k < count; k++) {
      sorted[2 * k] = pending[k * entry + words + 2]
      sorted[2 * k + 1] = pending[k * entry + words + 3]
    }
    new BigUint64Array(sorted.buffer, 0, count).sort()
    onDisk.fill(0, 0, count)
    this.run!.lookup(sorted, count * 2, (pair) => (onDisk[pair] = 1))
    this.pendingCount = 0
    for (let k = 0; k < count; k++) {
      const at = k * entry
      if (onDisk[indexOf(sorted, count, pending[at + words + 2], pending[at + words + 3])]) continue
      this.enqueue(pending.subarray(at, at + words), pending[at + words] | 0, pending[at + words + 1])
    }
  }

  private sorted = new Uint32Array(0)
  private onDisk = new Uint8Array(0)

  /** May the table double within its share of the budget? */
  private mayGrow(): boolean {
    if (this.fixedTable) return false
    const limit = this.budget.limitBytes
    if (limit === Infinity) return true
    return process.memoryUsage.rss() + this.table.bytesAfterGrowth <= limit * TABLE_SHARE
  }

  /** Settle what waits (its fingerprints are in the table), then merge the table into the file. */
  private spill() {
    this.settle()
    const path = join(this.folder, `visited-${++this.spills}.bin`)
    const previous = this.run
    this.table.drainSorted((sorted) => {
      this.run = SortedRun.merge(path, previous, sorted)
    })
    previous?.remove()
  }

  private growPending() {
    const grown = new Uint32Array(Math.min(this.pending.length * 2, this.pendingLimit * this.entryWords))
    grown.set(this.pending)
    this.pending = grown
  }

}

/** The index of the pair (lo, hi) among the first `count` ascending pairs of `sorted` (it is there). */
function indexOf(sorted: Uint32Array, count: number, lo: number, hi: number): number {
  let low = 0
  let high = count - 1
  while (low < high) {
    const middle = (low + high) >>> 1
    const h = sorted[2 * middle + 1]
    if (h < hi || (h === hi && sorted[2 * middle] < lo)) low = middle + 1
    else high = middle
  }
  return low
}

/** A folder of its own inside the user's DIR for one run's spilled fingerprints, removed by
 * the returned function, which also runs at exit (Ctrl-C, SIGTERM and errors included; only
 * a kill -9 leaves it behind, in DIR). */
export function spillFolder(dir: string): { path: string; remove: () => void } {
  try {
    mkdirSync(dir, { recursive: true })
  } catch (e) {
    throw new InputError(`--disk ${dir}: cannot create the folder (${(e as Error).message})`)
  }
  const path = mkdtempSync(join(dir, 'protocheck-spill-'))
  const remove = () => {
    rmSync(path, { recursive: true, force: true })
    process.off('exit', remove)
  }
  process.on('exit', remove)
  return { path, remove }
}
