// The fingerprints spilled to disk: one file of 64-bit fingerprints in ascending order (as
// TLC's DiskFPSet keeps them), with a small in-memory index holding the first fingerprint of
// every page. A spill merges the in-memory table (sorted) with the file into a new file.
// Lookups come in sorted batches: each page that holds a candidate is read once, so a batch
// costs at most one pass over the file however many candidates it has.
//
// A fingerprint is a (lo, hi) pair of 32-bit words, ordered as the unsigned number
// hi * 2^32 + lo: the order of the pair read as a little-endian 64-bit word.

import { closeSync, openSync, readSync, rmSync } from 'node:fs'
import { DurableWriter, type FileRecord } from './durable-files.js'

/** Fingerprints per page: a 16 KB read per page that holds a candidate. */
const PAGE = 2048
/** Fingerprints per buffer while merging. */
const MERGE_BLOCK = 1 << 17

export class SortedRun {
  private constructor(
    readonly path: string,
    readonly count: number,
    /** First fingerprint of each page, hi and lo words. */
    private readonly indexHi: Uint32Array,
    private readonly indexLo: Uint32Array,
    /** Size and SHA-256 of the file, for a checkpoint that links it. */
    readonly record: FileRecord,
  ) {}

  /** Write to `path` the union of `previous` (may be null) and `sorted` (ascending (lo, hi)
   * pairs, no repeats); equal fingerprints are kept once. */
  static merge(path: string, previous: SortedRun | null, sorted: Uint32Array): SortedRun {
    const bound = (previous?.count ?? 0) + sorted.length / 2
    const indexHi = new Uint32Array(Math.ceil(bound / PAGE) + 1)
    const indexLo = new Uint32Array(indexHi.length)
    const writer = new DurableWriter(path)
    const out = new Uint32Array(MERGE_BLOCK * 2)
    let filled = 0
    let count = 0
    let lastHi = 0
    let lastLo = 0
    const emit = (lo: number, hi: number) => {
      if (count > 0 && lo === lastLo && hi === lastHi) return
      if (count % PAGE === 0) {
        indexHi[count / PAGE] = hi
        indexLo[count / PAGE] = lo
      }
      out[filled++] = lo
      out[filled++] = hi
      lastLo = lo
      lastHi = hi
      count++
      if (filled === out.length) {
        writer.write(out)
        filled = 0
      }
    }
    const old = previous ? previous.reader() : null
    let i = 0
    const n = sorted.length
    while (old && !old.done) {
      // Take from the table while its fingerprint is smaller than the file's next.
      while (i < n && below(sorted[i + 1], sorted[i], old.hi, old.lo)) {
        emit(sorted[i], sorted[i + 1])
        i += 2
      }
      emit(old.lo, old.hi)
      old.next()
    }
    for (; i < n; i += 2) emit(sorted[i], sorted[i + 1])
    old?.close()
    if (filled > 0) writer.write(out.subarray(0, filled))
    const record = writer.finish(path)
    const pages = Math.ceil(count / PAGE)
    return new SortedRun(path, count, indexHi.slice(0, pages), indexLo.slice(0, pages), record)
  }

  /** A run already on disk (a checkpoint's): its index is rebuilt by reading each page's first fingerprint. */
  static open(path: string, record: FileRecord): SortedRun {
    const count = record.bytes / 8
    const pages = Math.ceil(count / PAGE)
    const indexHi = new Uint32Array(pages)
    const indexLo = new Uint32Array(pages)
    const fd = openSync(path, 'r')
    const first = new Uint32Array(2)
    try {
      for (let p = 0; p < pages; p++) {
        readSync(fd, first, 0, 8, p * PAGE * 8)
        indexLo[p] = first[0]
        indexHi[p] = first[1]
      }
    } finally {
      closeSync(fd)
    }
    return new SortedRun(path, count, indexHi, indexLo, record)
  }

  /** Calls `found` with the index (of the pair) of each fingerprint of `sorted` (ascending
   * (lo, hi) pairs, `length` words of it) that is in the file. */
  lookup(sorted: Uint32Array, length: number, found: (pair: number) => void) {
    const { indexHi, indexLo } = this
    const pages = indexHi.length
    if (pages === 0) return
    const page = new Uint32Array(PAGE * 2)
    const fd = openSync(this.path, 'r')
    try {
      let p = 0
      let loaded = -1
      let pageLength = 0
      let j = 0
      for (let i = 0; i < length; i += 2) {
        const lo = sorted[i]
        const hi = sorted[i + 1]
        if (below(hi, lo, indexHi[0], indexLo[0])) continue
        while (p + 1 < pages && !below(hi, lo, indexHi[p + 1], indexLo[p + 1])) p++
        if (loaded !== p) {
          const entries = Math.min(PAGE, this.count - p * PAGE)
          readFully(fd, page, entries * 8, p * PAGE * 8)
          loaded = p
          pageLength = entries * 2
          j = 0
        }
        while (j < pageLength && below(page[j + 1], page[j], hi, lo)) j += 2
        if (j < pageLength && page[j] === lo && page[j + 1] === hi) found(i / 2)
      }
    } finally {
      closeSync(fd)
    }
  }

  remove() {
    rmSync(this.path, { force: true })
  }

  /** Streams the file's fingerprints in order (for a merge). */
  private reader() {
    const fd = openSync(this.path, 'r')
    const block = new Uint32Array(MERGE_BLOCK * 2)
    const total = this.count
    let start = 0
    let length = 0
    let at = 0
    const cursor = {
      done: false,
      lo: 0,
      hi: 0,
      next() {
        at += 2
        if (at < length) {
          cursor.lo = block[at]
          cursor.hi = block[at + 1]
          return
        }
        start += length / 2
        if (start >= total) {
          cursor.done = true
          return
        }
        const entries = Math.min(MERGE_BLOCK, total - start)
        readFully(fd, block, entries * 8, start * 8)
        length = entries * 2
        at = 0
        cursor.lo = block[0]
        cursor.hi = block[1]
      },
      close: () => closeSync(fd),
    }
    at = -2
    cursor.next()
    return cursor
  }
}

/** Is fingerprint (hiA, loA) below (hiB, loB) as unsigned 64-bit numbers? (Words from Uint32Arrays.) */
function below(hiA: number, loA: number, hiB: number, loB: number): boolean {
  return hiA < hiB || (hiA === hiB && loA < loB)
}

function readFully(fd: number, into: Uint32Array, bytes: number, position: number) {
  const view = new Uint8Array(into.buffer, into.byteOffset, bytes)
  for (let at = 0; at < bytes; ) {
    const read = readSync(fd, view, at, bytes - at, position + at)
    if (read === 0) throw new Error(`spilled fingerprints: file ends early at byte ${position + at}`)
    at += read
  }
}
