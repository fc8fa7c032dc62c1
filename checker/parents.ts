// What is kept per distinct state instead of the state itself: the id of the state it was
// first reached from and the ordinal of that step among the parent's successors. A path is
// rebuilt by replaying those ordinals from an initial state (see path.ts).
//
// Like TLC's trace file, the log lives on disk: entries gather in one chunk in memory and
// each full chunk is appended to a temporary file, so it costs 6 bytes per state of disk
// and a constant few MB of memory. Reading a path back is one small read per step.
//
// When the file cannot be written (TMPDIR missing, full or read-only), nothing is lost: the
// log keeps its entries in memory from then on and says why in `failure`, and the search
// stops `incomplete` at its next state with its figures (a path can still be rebuilt).

import { closeSync, fsyncSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CHUNK_ENTRIES = 1 << 20
const ENTRY_BYTES = 6

/** A log as another thread reads it: its file (the flushed chunks) and its in-memory chunk. */
export interface SharedParentLog {
  file: string | null
  flushed: number
  size: number
  parents: Int32Array
  ordinals: Uint16Array
}

export class ParentLog {
  private parents: Int32Array = new Int32Array(CHUNK_ENTRIES)
  private ordinals: Uint16Array = new Uint16Array(CHUNK_ENTRIES)
  /** Entries before this id are in the file. */
  private flushed = 0
  /** The file, and its folder if this log made it (and removes it). */
  private file: { dir: string | null; fd: number } | null = null
  private readonly scratch = Buffer.alloc(4)
  size = 0
  /** Why the file could not be written, once that happened; the search stops on it. */
  failure: string | null = null

  /** `keptAt`: the file to flush to, which close() leaves in place (a checkpoint's log);
   * by default a temporary file that close() removes. */
  constructor(private readonly keptAt?: string) {}

  /** A log continuing one kept at `path`: its first `flushed` entries are in the file, the
   * rest (`tail`, less than a chunk) were in memory when it was checkpointed. */
  static resumed(path: string, flushed: number, tail: { parents: Int32Array; ordinals: Uint16Array }): ParentLog {
    const log = new ParentLog(path)
    if (flushed % CHUNK_ENTRIES !== 0 || tail.parents.length !== tail.ordinals.length || tail.parents.length >= CHUNK_ENTRIES) {
      throw new Error('parent log: flushed entries not a whole number of chunks, or tail too long')
    }
    // Nothing flushed: the file is made (truncated) at the first flush, as for a new log.
    if (flushed > 0) log.file = { dir: null, fd: openSync(path, 'r+') }
    log.flushed = flushed
    log.parents.set(tail.parents)
    log.ordinals.set(tail.ordinals)
    log.size = flushed + tail.parents.length
    return log
  }

  /** For a checkpoint: the flushed entries made durable (fsync), and the entries still in
   * memory (less than a chunk unless the file failed: no checkpoint is written then). */
  durable(): { flushed: number; parents: Int32Array; ordinals: Uint16Array } {
    if (this.file && this.file.fd >= 0) fsyncSync(this.file.fd)
    const inMemory = this.size - this.flushed
    return { flushed: this.flushed, parents: this.parents.subarray(0, inMemory), ordinals: this.ordinals.subarray(0, inMemory) }
  }

  /** Record a new state; returns its id. `parent` is -1 for an initial state. */
  add(parent: number, ordinal: number): number {
    if (ordinal > 0xffff) throw new RangeError(`a state has more than 65535 successors (ordinal ${ordinal})`)
    const k = this.size - this.flushed
    this.parents[k] = parent
    this.ordinals[k] = ordinal
    if (k + 1 === this.parents.length) this.flush()
    return this.size++
  }

  parent(id: number): number {
    if (id >= this.flushed) return this.parents[id - this.flushed]
    return this.read(id, 4).readInt32LE(0)
  }

  ordinal(id: number): number {
    if (id >= this.flushed) return this.ordinals[id - this.flushed]
    return this.read(id, 2).readUInt16LE(0)
  }

  /** Bytes held in memory. */
  get bytes(): number {
    return this.parents.byteLength + this.ordinals.byteLength
  }

  /** What another thread needs to read this log (valid until this log is closed). */
  share(): SharedParentLog {
    return {
      file: this.file?.dir && this.flushed > 0 ? join(this.file.dir, 'log') : null,
      flushed: this.flushed,
      size: this.size,
      parents: this.parents.slice(0, this.size - this.flushed),
      ordinals: this.ordinals.slice(0, this.size - this.flushed),
    }
  }

  /** A read-only log over a shared one (parent() and ordinal() only). */
  static reading(shared: SharedParentLog): ParentLog {
    const log = new ParentLog()
    log.parents = shared.parents
    log.ordinals = shared.ordinals
    log.flushed = shared.flushed
    log.size = shared.size
    if (shared.file) log.file = { dir: null, fd: openSync(shared.file, 'r') }
    return log
  }

  /** Remove the temporary file (the log is unusable afterwards). */
  close() {
    if (!this.file) return
    if (this.file.fd >= 0) closeSync(this.file.fd)
    if (this.file.dir) rmSync(this.file.dir, { recursive: true, force: true })
    this.file = null
    process.off('exit', this.closeAtExit)
  }

  private readonly closeAtExit = () => this.close()

  private flush() {
    if (this.failure === null) {
      try {
        this.writeChunk()
        this.flushed += CHUNK_ENTRIES
        return
      } catch (error) {
        this.failure = `the parent log could not be written to ${this.keptAt ?? `${tmpdir()} (TMPDIR)`}: ${(error as Error).message}`
      }
    }
    // Keep what is not on disk in memory: the chunk grows by one chunk's worth.
    this.parents = grown(this.parents, CHUNK_ENTRIES)
    this.ordinals = grown(this.ordinals, CHUNK_ENTRIES)
  }

  /** Append the in-memory chunk to the file: every parent (4 bytes each), then every ordinal (2 bytes each). */
  private writeChunk() {
    if (!this.file && this.keptAt) this.file = { dir: null, fd: openSync(this.keptAt, 'w+') }
    if (!this.file) {
      const dir = mkdtempSync(join(tmpdir(), 'protocheck-parents-'))
      process.on('exit', this.closeAtExit)
      this.file = { dir, fd: -1 }
      this.file.fd = openSync(join(dir, 'log'), 'w+')
    }
    const position = (this.flushed / CHUNK_ENTRIES) * CHUNK_ENTRIES * ENTRY_BYTES
    writeSync(this.file.fd, new Uint8Array(this.parents.buffer), 0, this.parents.byteLength, position)
    writeSync(this.file.fd, new Uint8Array(this.ordinals.buffer), 0, this.ordinals.byteLength, position + this.parents.byteLength)
  }

  private read(id: number, bytes: 2 | 4): Buffer {
    const chunk = Math.floor(id / CHUNK_ENTRIES)
    const k = id % CHUNK_ENTRIES
    const start = chunk * CHUNK_ENTRIES * ENTRY_BYTES
    const position = bytes === 4 ? start + 4 * k : start + 4 * CHUNK_ENTRIES + 2 * k
    readSync(this.file!.fd, this.scratch, 0, bytes, position)
    return this.scratch
  }
}

function grown<A extends Int32Array | Uint16Array>(array: A, more: number): A {
  const bigger = new (array.constructor as new (length: number) => A)(array.length + more)
  bigger.set(array)
  return bigger
}
