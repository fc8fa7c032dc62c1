// Decoded elements of sets, bags and sequences, interned by their words. Raft-class models
// read the same few hundred messages, log entries and elections in state after state:
// decoding each one again (a frozen object per record, union and nested sequence, then the
// garbage collector) was a third of a raft run. A value here is decoded once per distinct
// word pattern and then found by hashing and comparing its words.
//
// The other direction too: a value this cache handed out is frozen (deeply: codecs freeze
// everything they decode), so its encoding can never change, and writing it back into a
// state (a message received, removed or duplicated) copies its words instead of encoding
// it field by field. Only words that are the value's own encoding are recorded as such:
// words that are not canonical (a stray bit, corrupted input) decode to a value whose
// encoding differs, and copying them back would hide that from TypeOK and malformation.
//
// The cache is direct-mapped and bounded: a slot holds the last pattern hashed to it. A miss
// costs one decode, as before; nothing grows with the state space.

/** Slots per cache: a power of two. Raft with 3 servers has a few thousand distinct messages. */
const SLOTS = 1 << 12

export class InternedValues {
  /** Slot k's words: keys[k * width .. (k + 1) * width). */
  private readonly keys: Uint32Array
  private readonly values: unknown[] = new Array(SLOTS).fill(undefined)
  private readonly filled = new Uint8Array(SLOTS)
  private readonly tags = new Uint32Array(SLOTS)
  /** Frozen value handed out -> its words. Weak: values evicted from a slot may be dropped. */
  private readonly encodings = new WeakMap<object, Uint32Array>()

  constructor(readonly width: number) {
    this.keys = new Uint32Array(SLOTS * width)
  }

  /**
   * The value of the `width` words at `at` tagged `tag` (a container's length, 0 for an
   * element), decoded by `decode(words, base)` on a miss. With `encode` (writing a value at
   * word 0 of zeroed words), the words are recorded as the value's encoding when they are it.
   */
  get(
    words: Uint32Array,
    at: number,
    tag: number,
    base: number,
    decode: (words: Uint32Array, base: number) => unknown,
    encode?: (into: Uint32Array, value: unknown) => void,
  ): unknown {
    const { width, keys } = this
    let h = Math.imul(0x811c9dc5 ^ tag, 0x01000193)
    for (let k = 0; k < width; k++) h = Math.imul(h ^ words[at + k], 0x01000193)
    const slot = (h ^ (h >>> 15)) & (SLOTS - 1)
    const key = slot * width
    if (this.filled[slot] === 1 && this.tags[slot] === tag) {
      let same = true
      for (let k = 0; k < width; k++) {
        if (keys[key + k] !== words[at + k]) {
          same = false
          break
        }
      }
      if (same) return this.values[slot]
    }
    const value = decode(words, base)
    for (let k = 0; k < width; k++) keys[key + k] = words[at + k]
    this.tags[slot] = tag
    this.values[slot] = value
    this.filled[slot] = 1
    if (encode && typeof value === 'object' && value !== null && Object.isFrozen(value)) {
      const own = new Uint32Array(width)
      encode(own, value)
      let canonical = true
      for (let k = 0; k < width && canonical; k++) canonical = own[k] === words[at + k]
      if (canonical) this.encodings.set(value, own)
    }
    return value
  }

  /** The words of a value this cache handed out, or undefined for any other value (for a
   * container, its slots: the length is the value's own length). */
  encodingOf(value: unknown): Uint32Array | undefined {
    return typeof value === 'object' && value !== null ? this.encodings.get(value) : undefined
  }
}

/** One cache per element type: elements of the same declared type (a message in the bag and
 * in a history set, a log entry in a log and in a message) have the same layout, so the same
 * words mean the same value. Keyed weakly by the type object the model declared. */
const elementsByType = new WeakMap<object, InternedValues>()
/** One cache per container type, for whole sequences and sets read as arrays (a server's log):
 * keyed by their length and every slot (spare slots are zero). */
const contentsByType = new WeakMap<object, InternedValues>()

export function internedValuesOf(type: object, width: number, what: 'elements' | 'contents'): InternedValues {
  const byType = what === 'elements' ? elementsByType : contentsByType
  let cache = byType.get(type)
  if (!cache) byType.set(type, (cache = new InternedValues(width)))
  if (cache.width !== width) throw new Error(`one ${what} type laid out in two widths`)
  return cache
}
