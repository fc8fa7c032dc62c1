// Renaming node ids on packed words, for --symmetry: the state with every id of the
// symmetric roles renamed, written straight from the state's words into another buffer,
// with no decoded object and no encoding (which cost a decode, an object tree and a full
// encode per renaming tried). Node-id codes are mapped, entries of maps keyed by a renamed
// role move to their new key's place, sets and bags are sorted again on their words; every
// part of the state where no renamed id can occur is copied as words.

import {
  BagCodec,
  BitsetCodec,
  MapCodec,
  RecordCodec,
  ScalarCodec,
  SeqCodec,
  SortedSetCodec,
  UnionCodec,
  compile,
  layoutWords,
  type Codec,
} from './codecs.js'
import type { Type } from './types.js'

/** `ids[role][k]`: the new id of node k of `role` (every renamed role present). */
export type Renaming = Readonly<Record<string, readonly number[]>>

/** Writes `src` renamed into `dst`, which must be zero. */
export type WordRenaming = (src: Uint32Array, dst: Uint32Array, renaming: Renaming) => void

/** Copies (and renames) the value of codec `from` at `srcBase` into codec `to` at `dstBase`;
 * both codecs are of one type, possibly at different positions. */
type Move = (src: Uint32Array, srcBase: number, dst: Uint32Array, dstBase: number, renaming: Renaming) => void

export function compileWordRenaming(root: Codec, roles: ReadonlySet<string>): WordRenaming {
  const move = mover(root, root, roles)
  return (src, dst, renaming) => move(src, 0, dst, 0, renaming)
}

/** Does a renamed id occur anywhere in a value of `type`? */
function mentions(type: Type, roles: ReadonlySet<string>): boolean {
  switch (type.kind) {
    case 'node': return roles.has(type.role)
    case 'enum': case 'bool': case 'int': return false
    case 'record': return Object.values(type.fields).some((t) => mentions(t, roles))
    case 'union': return Object.values(type.variants).some((f) => Object.values(f).some((t) => mentions(t, roles)))
    case 'map': return mentions(type.key, roles) || mentions(type.value, roles)
    case 'set': case 'bag': case 'seq': return mentions(type.elem, roles)
  }
}

function mover(from: Codec, to: Codec, roles: ReadonlySet<string>): Move {
  const renamed = mentions(from.type, roles)
  if (from instanceof ScalarCodec && to instanceof ScalarCodec) return scalarMover(from, to, renamed ? roleOf(from.type) : undefined)
  if (from instanceof RecordCodec && to instanceof RecordCodec) {
    const fields = from.fields.map(([, f], i) => mover(f, to.fields[i][1], roles))
    return (src, sb, dst, db, r) => {
      for (let i = 0; i < fields.length; i++) fields[i](src, sb, dst, db, r)
    }
  }
  if (from instanceof MapCodec && to instanceof MapCodec) {
    const key = from.domain.type
    const n = from.entries.length
    if (key.kind === 'node' && roles.has(key.role)) {
      // Entry k moves to the place of k's new id: a move for every (k, new place).
      const role = key.role
      const moves = from.entries.map((f) => to.entries.map((t) => mover(f, t, roles)))
      return (src, sb, dst, db, r) => {
        const ids = r[role]
        for (let k = 0; k < n; k++) moves[k][ids[k]](src, sb, dst, db, r)
      }
    }
    const moves = from.entries.map((f, k) => mover(f, to.entries[k], roles))
    return (src, sb, dst, db, r) => {
      for (let k = 0; k < n; k++) moves[k](src, sb, dst, db, r)
    }
  }
  if (from instanceof UnionCodec && to instanceof UnionCodec) {
    const at = from.position.word
    const toAt = to.position.word
    const size = from.words
    if (!renamed) return (src, sb, dst, db) => dst.set(src.subarray(sb + at, sb + at + size), db + toAt)
    const variants = [...from.variants.values()]
    const targets = [...to.variants.values()]
    const tag = variants[0].tagCodec
    const moves = variants.map((v, i) => mover(v.record, targets[i].record, roles))
    return (src, sb, dst, db, r) => {
      const code = tag.readCode(src, sb + at)
      tag.writeCode(dst, db + toAt, code)
      moves[code](src, sb + at, dst, db + toAt, r)
    }
  }
  if (from instanceof BitsetCodec && to instanceof BitsetCodec) {
    const at = from.position.word
    const toAt = to.position.word
    const size = from.words
    if (!renamed) return (src, sb, dst, db) => dst.set(src.subarray(sb + at, sb + at + size), db + toAt)
    const elem = (from.type as { elem: Type }).elem
    if (elem.kind !== 'node') return bitsetOfRecordsMover(from, to, elem, roles)
    // A set of node ids: bit k is the element of code k (NIL, when allowed, is code 0).
    const role = elem.role
    const offset = elem.nil ? 1 : 0
    const values = from.elements.values.length
    return (src, sb, dst, db, r) => {
      const ids = r[role]
      for (let code = 0; code < values; code++) {
        if (((src[sb + at + (code >>> 5)] >>> (code & 31)) & 1) === 0) continue
        const renamedCode = offset === 1 && code === 0 ? 0 : ids[code - offset] + offset
        dst[db + toAt + (renamedCode >>> 5)] |= 1 << (renamedCode & 31)
      }
    }
  }
  if (
    (from instanceof SortedSetCodec && to instanceof SortedSetCodec) ||
    (from instanceof BagCodec && to instanceof BagCodec) ||
    (from instanceof SeqCodec && to instanceof SeqCodec)
  ) {
    const { slots } = from
    const target = to.slots
    const at = slots.position.word
    const toAt = target.position.word
    const { slotWords, elementWords, capacity } = slots
    const length = slots.length
    if (!renamed) {
      return (src, sb, dst, db) => {
        target.length.writeCode(dst, db, length.readCode(src, sb))
        dst.set(src.subarray(sb + at, sb + at + capacity * slotWords), db + toAt)
      }
    }
    const element = mover(slots.element, target.element, roles)
    const sorted = !(from instanceof SeqCodec)
    return (src, sb, dst, db, r) => {
      const n = length.readCode(src, sb)
      target.length.writeCode(dst, db, n)
      const s = sb + at
      const d = db + toAt
      for (let i = 0; i < n; i++) {
        element(src, s + i * slotWords, dst, d + i * slotWords, r)
        // A bag's count follows its element.
        for (let k = elementWords; k < slotWords; k++) dst[d + i * slotWords + k] = src[s + i * slotWords + k]
      }
      if (sorted) sortSlots(dst, d, n, slotWords, elementWords)
    }
  }
  throw new Error(`rename-words: ${from.path} and ${to.path} are not of one kind`)
}

/** A bitset of records or unions holding renamed ids (Paxos's messages): each element is
 * encoded once, renamed on its words and looked up by its renamed words. */
function bitsetOfRecordsMover(from: BitsetCodec, to: BitsetCodec, elem: Type, roles: ReadonlySet<string>): Move {
  const codec = compile(elem, `${from.path} element`)
  const width = Math.max(1, layoutWords(codec))
  const { values } = from.elements
  const encoded = new Uint32Array(values.length * width)
  const ordinalOf = new Map<string, number>()
  values.forEach((v, i) => {
    codec.encode(encoded, i * width, v)
    ordinalOf.set(encoded.subarray(i * width, (i + 1) * width).join(','), i)
  })
  const move = mover(codec, codec, roles)
  const scratch = new Uint32Array(width)
  const at = from.position.word
  const toAt = to.position.word
  return (src, sb, dst, db, r) => {
    for (let i = 0; i < values.length; i++) {
      if (((src[sb + at + (i >>> 5)] >>> (i & 31)) & 1) === 0) continue
      scratch.fill(0)
      move(encoded, i * width, scratch, 0, r)
      const renamed = ordinalOf.get(scratch.join(','))
      if (renamed === undefined) throw new Error(`rename-words: ${from.path}: a renamed element is not an element`)
      dst[db + toAt + (renamed >>> 5)] |= 1 << (renamed & 31)
    }
  }
}

function roleOf(type: Type): string | undefined {
  return type.kind === 'node' ? type.role : undefined
}

function scalarMover(from: ScalarCodec, to: ScalarCodec, role: string | undefined): Move {
  if (role === undefined) return (src, sb, dst, db) => to.writeCode(dst, db, from.readCode(src, sb))
  // NIL, when allowed, is code 0 and node k code k + 1; NIL stays NIL.
  const nil = (from.type as { nil?: boolean }).nil === true
  if (!nil) return (src, sb, dst, db, r) => to.writeCode(dst, db, r[role][from.readCode(src, sb)])
  return (src, sb, dst, db, r) => {
    const code = from.readCode(src, sb)
    to.writeCode(dst, db, code === 0 ? 0 : r[role][code - 1] + 1)
  }
}

/** Insertion sort of `n` slots at `start` by their element words (unsigned, word by word), as
 * the codecs keep sets and bags: renaming is a bijection, so no two elements become equal. */
function sortSlots(words: Uint32Array, start: number, n: number, slotWords: number, elementWords: number) {
  const slot = new Uint32Array(slotWords)
  for (let i = 1; i < n; i++) {
    const at = start + i * slotWords
    let j = i
    while (j > 0 && before(words, at, start + (j - 1) * slotWords, elementWords)) j--
    if (j === i) continue
    slot.set(words.subarray(at, at + slotWords))
    const to = start + j * slotWords
    words.copyWithin(to + slotWords, to, at)
    words.set(slot, to)
  }
}

function before(words: Uint32Array, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    const x = words[a + k]
    const y = words[b + k]
    if (x !== y) return x < y
  }
  return false
}
