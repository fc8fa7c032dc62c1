// The depth-first frontier: a LIFO of fixed-size entries (a packed state, the ordinal of
// the step that reached it, its depth) in one growable typed array. It holds only the
// unexpanded successors of the states on the current path, so it grows with depth
// (times the branching), never with the number of states.

export class StateStack {
  private entries: Uint32Array
  private readonly entryWords: number
  length = 0

  constructor(readonly stateWords: number) {
    this.entryWords = stateWords + 2
    this.entries = new Uint32Array(256 * this.entryWords)
  }

  push(state: Uint32Array, ordinal: number, depth: number) {
    if ((this.length + 1) * this.entryWords > this.entries.length) {
      const bigger = new Uint32Array(this.entries.length * 2)
      bigger.set(this.entries)
      this.entries = bigger
    }
    const at = this.length++ * this.entryWords
    const words = this.stateWords
    for (let i = 0; i < words; i++) this.entries[at + i] = state[i]
    this.entries[at + words] = ordinal
    this.entries[at + words + 1] = depth
  }

  /** Removes the newest entry and returns where its state is; valid until the next push. */
  pop(): { entries: Uint32Array; offset: number; ordinal: number; depth: number } {
    if (this.length === 0) throw new Error('pop from an empty StateStack')
    const offset = --this.length * this.entryWords
    const top = this.top
    top.entries = this.entries
    top.offset = offset
    top.ordinal = this.entries[offset + this.stateWords]
    top.depth = this.entries[offset + this.stateWords + 1]
    return top
  }

  get bytes(): number {
    return this.entries.byteLength
  }

  /** Reused for every pop. */
  private readonly top: { entries: Uint32Array; offset: number; ordinal: number; depth: number } = { entries: new Uint32Array(0), offset: 0, ordinal: 0, depth: 0 }
}
