// The BFS frontier: a FIFO of fixed-size entries (a packed state and its id) in chunks of
// typed arrays. A chunk is dropped as soon as it has been consumed, so the frontier's
// memory follows its length, not the number of states ever queued. With a chunk store
// (--disk), full chunks past the first few in memory go to disk and come back when the head
// reaches them, so a frontier bigger than memory fits too.

const ENTRIES_PER_CHUNK = 1 << 14
const EMPTY = new Uint32Array(0)

/** Where a queue puts full chunks it does not keep in memory (persist/queue-spill.ts). */
export interface ChunkStore {
  /** Store a chunk; returns its handle. Chunks are read back in the order they were written. */
  write(chunk: Uint32Array): number
  /** Read the chunk back into `into`; `consume`: it will not be read again (its space can go). */
  read(handle: number, into: Uint32Array, consume: boolean): void
}

export class StateQueue {
  private readonly chunks: Uint32Array[] = []
  private readonly entryWords: number
  private headChunk = 0
  private headEntry = 0
  private tailEntry = ENTRIES_PER_CHUNK
  length = 0
  /** Chunk index -> handle in the store, for chunks on disk. */
  private readonly spilled = new Map<number, number>()
  private spill: { store: ChunkStore; keepChunks: number } | null = null

  constructor(readonly stateWords: number) {
    this.entryWords = stateWords + 1
  }

  /** From now on keep at most about `keepChunks` chunks in memory, the rest in `store`. */
  spillTo(store: ChunkStore, keepChunks: number) {
    this.spill = { store, keepChunks }
  }

  push(state: Uint32Array, id: number) {
    if (this.tailEntry === ENTRIES_PER_CHUNK) {
      const tail = this.chunks.length - 1
      if (this.spill && tail > this.headChunk && this.chunks.length - this.headChunk - this.spilled.size > this.spill.keepChunks) {
        // The full tail chunk is read last: it goes to disk, the head stays.
        this.spilled.set(tail, this.spill.store.write(this.chunks[tail]))
        this.chunks[tail] = EMPTY
      }
      this.chunks.push(new Uint32Array(ENTRIES_PER_CHUNK * this.entryWords))
      this.tailEntry = 0
    }
    const chunk = this.chunks[this.chunks.length - 1]
    const at = this.tailEntry++ * this.entryWords
    const words = this.stateWords
    for (let i = 0; i < words; i++) chunk[at + i] = state[i]
    chunk[at + words] = id
    this.length++
  }

  /** Removes the oldest entry and returns where its state is; valid until the next shift. */
  shift(): { chunk: Uint32Array; offset: number; id: number } {
    if (this.length === 0) throw new Error('shift from an empty StateQueue')
    if (this.headEntry === ENTRIES_PER_CHUNK) {
      // Consumed: release it (the slot stays as an empty placeholder to keep indexes stable).
      this.chunks[this.headChunk] = EMPTY
      this.headChunk++
      this.headEntry = 0
      this.load(this.headChunk)
    }
    const chunk = this.chunks[this.headChunk]
    const offset = this.headEntry++ * this.entryWords
    this.length--
    this.head.chunk = chunk
    this.head.offset = offset
    this.head.id = chunk[offset + this.stateWords]
    return this.head
  }

  /** The id of the oldest entry (the one the next shift returns), without removing it. */
  peekId(): number {
    if (this.length === 0) throw new Error('peek into an empty StateQueue')
    if (this.headEntry === ENTRIES_PER_CHUNK) this.load(this.headChunk + 1)
    const [chunk, entry] = this.headEntry === ENTRIES_PER_CHUNK ? [this.chunks[this.headChunk + 1], 0] : [this.chunks[this.headChunk], this.headEntry]
    return chunk[entry * this.entryWords + this.stateWords]
  }

  /** The queued entries, oldest first, as views of whole entries (a state's words, then its
   * id): what a checkpoint writes, and what pushEntries reads back. */
  *segments(): Generator<Uint32Array> {
    let left = this.length
    let entry = this.headEntry
    for (let c = this.headChunk; left > 0; c++, entry = 0) {
      if (entry === ENTRIES_PER_CHUNK) continue
      const count = Math.min(left, ENTRIES_PER_CHUNK - entry)
      const handle = this.spilled.get(c)
      let chunk = this.chunks[c]
      if (handle !== undefined) this.spill!.store.read(handle, (chunk = new Uint32Array(ENTRIES_PER_CHUNK * this.entryWords)), false)
      yield chunk.subarray(entry * this.entryWords, (entry + count) * this.entryWords)
      left -= count
    }
  }

  /** Append entries laid out as segments() gives them. */
  pushEntries(entries: Uint32Array) {
    const words = this.stateWords
    for (let at = 0; at < entries.length; at += this.entryWords) this.push(entries.subarray(at, at + words), entries[at + words])
  }

  /** Bytes held in memory by chunks not yet consumed. */
  get bytes(): number {
    return (this.chunks.length - this.headChunk - this.spilled.size) * ENTRIES_PER_CHUNK * this.entryWords * 4
  }

  /** Bring chunk `index` back from the store if it is there. */
  private load(index: number) {
    const handle = this.spilled.get(index)
    if (handle === undefined) return
    const chunk = new Uint32Array(ENTRIES_PER_CHUNK * this.entryWords)
    this.spill!.store.read(handle, chunk, true)
    this.chunks[index] = chunk
    this.spilled.delete(index)
  }

  /** Reused for every shift, so consuming the frontier allocates nothing. */
  private readonly head: { chunk: Uint32Array; offset: number; id: number } = { chunk: EMPTY, offset: 0, id: 0 }
}
