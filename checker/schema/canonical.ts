// The fast form of TLA+'s TypeOK on packed words: are these words exactly what encoding
// their decoded value would give? Same answer as Schema.malformation (decode, re-encode,
// compare), but without decoding: every scalar code in range, every bit no field owns
// zero, union variants' unused words zero, sorted slots strictly increasing, counts in
// range, spare slots zero. It runs on every new state, so it allocates nothing.

import {
  BagCodec,
  BitsetCodec,
  MapCodec,
  RecordCodec,
  ScalarCodec,
  SeqCodec,
  SortedSetCodec,
  UnionCodec,
  type Codec,
} from './codecs.js'

/** True if the words at `base` are a canonical encoding. */
export type CanonicalCheck = (words: Uint32Array, base: number) => boolean

/** The check of a record laid out from word 0 of its own block (a state). */
export function compileCanonicalCheck(codec: RecordCodec, words: number): CanonicalCheck {
  return areaCheck([codec], words)
}

/**
 * An area is a run of words laid out by one packer: scalars share words bit by bit, blocks
 * own whole words. Collect which bits the scalars own, which scalars need a range check
 * (their type has fewer values than their bits can hold) and the blocks' own checks.
 */
function areaCheck(codecs: readonly Codec[], areaWords: number): CanonicalCheck {
  const allowed = new Uint32Array(areaWords)
  const ranges: number[] = [] // (word, shift, mask, size) per scalar needing a range check
  const blocks: CanonicalCheck[] = []
  const blockWord = new Uint8Array(areaWords)

  const scalar = (s: ScalarCodec) => {
    allowed[s.position.word] |= (s.mask << s.position.shift) >>> 0
    if (s.size <= s.mask) ranges.push(s.position.word, s.position.shift, s.mask, s.size)
  }
  const block = (word: number, length: number, check: CanonicalCheck) => {
    blockWord.fill(1, word, word + length)
    blocks.push(check)
  }
  const visit = (codec: Codec) => {
    if (codec instanceof ScalarCodec) scalar(codec)
    else if (codec instanceof RecordCodec) codec.fields.forEach(([, c]) => visit(c))
    else if (codec instanceof MapCodec) codec.entries.forEach(visit)
    else if (codec instanceof UnionCodec) block(codec.position.word, codec.words, unionCheck(codec))
    else if (codec instanceof BitsetCodec) block(codec.position.word, codec.words, bitsetCheck(codec))
    else if (codec instanceof SortedSetCodec || codec instanceof BagCodec || codec instanceof SeqCodec) {
      scalar(codec.slots.length)
      const { slots } = codec
      block(slots.position.word, slots.capacity * slots.slotWords, slotsCheck(codec))
    } else throw new Error(`no canonical check for ${codec.path}`)
  }
  codecs.forEach(visit)

  // Words no block owns: only the bits some scalar owns may be set.
  const plain: number[] = []
  for (let i = 0; i < areaWords; i++) if (!blockWord[i]) plain.push(i, allowed[i])
  const plainWords = Int32Array.from(plain)
  const rangeChecks = Int32Array.from(ranges)
  return (words, base) => {
    for (let k = 0; k < plainWords.length; k += 2) {
      if ((words[base + plainWords[k]] & ~plainWords[k + 1]) !== 0) return false
    }
    for (let k = 0; k < rangeChecks.length; k += 4) {
      if (((words[base + rangeChecks[k]] >>> rangeChecks[k + 1]) & rangeChecks[k + 2]) >= rangeChecks[k + 3]) return false
    }
    for (let k = 0; k < blocks.length; k++) if (!blocks[k](words, base)) return false
    return true
  }
}

function unionCheck(codec: UnionCodec): CanonicalCheck {
  const variants = [...codec.variants.values()]
  const tag = variants[0].tagCodec
  // Each variant lays out the tag and its fields in a block of the union's size.
  const checks = variants.map((v) => areaCheck([v.tagCodec, v.record], codec.words))
  const at = codec.position.word
  return (words, base) => {
    const b = base + at
    const code = tag.readCode(words, b)
    return code < checks.length && checks[code](words, b)
  }
}

function bitsetCheck(codec: BitsetCodec): CanonicalCheck {
  const at = codec.position.word
  const last = codec.words - 1
  const spare = codec.words * 32 - codec.elements.values.length
  return (words, base) => spare === 0 || words[base + at + last] >>> (32 - spare) === 0
}

function slotsCheck(codec: SortedSetCodec | BagCodec | SeqCodec): CanonicalCheck {
  const { slots } = codec
  const { capacity, slotWords, elementWords } = slots
  const element = areaCheck([slots.element], elementWords)
  const sorted = !(codec instanceof SeqCodec)
  const maxCount = codec instanceof BagCodec ? codec.maxCount : 0
  const length = slots.length
  const at = slots.position.word
  return (words, base) => {
    const n = length.readCode(words, base)
    if (n > capacity) return false
    const start = base + at
    for (let i = 0; i < n; i++) {
      const s = start + i * slotWords
      if (!element(words, s)) return false
      if (sorted && i > 0 && !before(words, s - slotWords, s, elementWords)) return false
      if (maxCount > 0) {
        const count = words[s + elementWords]
        if (count < 1 || count > maxCount) return false
      }
    }
    for (let i = start + n * slotWords, end = start + capacity * slotWords; i < end; i++) if (words[i] !== 0) return false
    return true
  }
}

/** Is the element at `a` strictly before the one at `b` (word by word, unsigned)? */
function before(words: Uint32Array, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    const x = words[a + k]
    const y = words[b + k]
    if (x !== y) return x < y
  }
  return false
}
