// The BFS frontier: a FIFO of fixed-size entries (a packed state and its id) in chunks of
// typed arrays. A chunk is dropped as soon as it has been consumed, so the frontier's
// memory follows its length, not the number of states ever queued.

const ENTRIES_PER_CHUNK = 1 << 14
const EMPTY = new Uint32Array(0)

export class StateQueue {
  private readonly chunks: Uint32Array[] = []
  private readonly entryWords: number
  private headChunk = 0
  private headEntry = 0
  private tailEntry = ENTRIES_PER_CHUNK
  length = 0

  constructor(readonly stateWords: number) {
    this.entryWords = stateWords + 1
  }

  push(state: Uint32Array, id: number) {
    if (this.tailEntry === ENTRIES_PER_CHUNK) {
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
      yield this.chunks[c].subarray(entry * this.entryWords, (entry + count) * this.entryWords)
      left -= count
    }
  }

  /** Append entries laid out as segments() gives them. */
  pushEntries(entries: Uint32Array) {
    const words = this.stateWords
    for (let at = 0; at < entries.length; at += this.entryWords) this.push(entries.subarray(at, at + words), entries[at + words])
  }

  /** Bytes held by chunks not yet consumed. */
  get bytes(): number {
    return (this.chunks.length - this.headChunk) * ENTRIES_PER_CHUNK * this.entryWords * 4
  }

  /** Reused for every shift, so consuming the frontier allocates nothing. */
  private readonly head: { chunk: Uint32Array; offset: number; id: number } = { chunk: EMPTY, offset: 0, id: 0 }
}
