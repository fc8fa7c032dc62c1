// Assigns packed positions. Scalars get a bit range inside one 32-bit word (never
// straddling two, so a read is one load, one shift, one mask); blocks get whole words
// (unions and the slots of sets, bags and sequences, which are copied and compared as
// words). Positions are filled in by finish(), after every request is known, so that
// small scalars can share words first-fit whatever order they were declared in.

export interface Position {
  /** Word offset from the start of the enclosing block. */
  word: number
  /** Bit offset inside that word (0 for blocks). */
  shift: number
}

export class Packer {
  private readonly scalars: { width: number; position: Position }[] = []
  private readonly blocks: { words: number; position: Position }[] = []
  private finished = false

  scalar(width: number): Position {
    if (width < 1 || width > 31) throw new Error(`a packed field must be 1 to 31 bits wide, not ${width}`)
    const position = { word: -1, shift: 0 }
    this.scalars.push({ width, position })
    return position
  }

  block(words: number): Position {
    const position = { word: -1, shift: 0 }
    this.blocks.push({ words, position })
    return position
  }

  /** Places everything requested so far and returns the total size in words. */
  finish(): number {
    if (this.finished) throw new Error('Packer.finish called twice')
    this.finished = true
    const bitsUsed: number[] = []
    for (const { width, position } of this.scalars) {
      let word = bitsUsed.findIndex((used) => used + width <= 32)
      if (word < 0) word = bitsUsed.push(0) - 1
      position.word = word
      position.shift = bitsUsed[word]
      bitsUsed[word] += width
    }
    let next = bitsUsed.length
    for (const { words, position } of this.blocks) {
      position.word = next
      next += words
    }
    return next
  }
}

export const bitsFor = (distinctValues: number) => Math.max(1, Math.ceil(Math.log2(distinctValues)))
