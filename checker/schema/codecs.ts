// One codec per declared type: where its value lives in the packed words, how to read
// and write it as a plain value, and the view a model reads (or drafts) it through.
// Every write keeps the words canonical (sets and bags sorted, unused slots and inactive
// union variants zero), so that equal states are equal words and hash alike.

import { internedValuesOf, type InternedValues } from './interned.js'
import { Packer, bitsFor, type Position } from './packer.js'
import {
  cardinality,
  NIL,
  type BagType,
  type KeyType,
  type MapType,
  type RecordType,
  type ScalarType,
  type SeqType,
  type SetType,
  type Type,
  type UnionType,
} from './types.js'

/** A value that does not fit its declared type, range or capacity. */
export class SchemaError extends Error {}

/** Enumerable sets up to this many possible elements are stored as bitsets. */
const MAX_BITSET_ELEMENTS = 4096
/** Sequences and sorted sets of at most this many slot words have their decoded contents
 * interned (keyed by every slot); larger ones (raft's allLogs history) are decoded each time. */
const MAX_INTERNED_CONTENT_WORDS = 32

export abstract class Codec {
  constructor(readonly type: Type, readonly path: string) {}
  /** Request positions from the packer of the enclosing block. */
  abstract place(packer: Packer): void
  /** Read the value at `base` (the enclosing block's first word) as a frozen plain value. */
  abstract decode(words: Uint32Array, base: number): unknown
  /** Write a plain value, overwriting every word and bit this codec owns. */
  abstract encode(words: Uint32Array, base: number, value: unknown): void
  /** Records and containers are read through a view bound to `words`; scalars and unions are values. */
  abstract view(words: Uint32Array, base: number, draft: boolean): unknown
  get isValue(): boolean {
    return false
  }
  protected fail(message: string): never {
    throw new SchemaError(`${this.path}: ${message}`)
  }
}

// ---------------------------------------------------------------- scalars

export class ScalarCodec extends Codec {
  override get isValue() {
    return true
  }
  readonly size: number
  readonly width: number
  readonly mask: number
  position!: Position
  private readonly codeOf: (value: unknown) => number
  readonly valueAt: (code: number) => unknown

  constructor(type: ScalarType, path: string) {
    super(type, path)
    this.size = cardinality(type)
    this.width = bitsFor(this.size)
    this.mask = this.width === 31 ? 0x7fffffff : (1 << this.width) - 1
    switch (type.kind) {
      case 'enum': {
        const index = new Map<unknown, number>(type.values.map((v, i) => [v, i]))
        this.codeOf = (v) => index.get(v) ?? this.fail(`${JSON.stringify(v)} is not one of ${type.values.join(', ')}`)
        this.valueAt = (c) => type.values[c]
        break
      }
      case 'bool':
        this.codeOf = (v) => (v === true ? 1 : v === false ? 0 : this.fail(`${JSON.stringify(v)} is not a boolean`))
        this.valueAt = (c) => c === 1
        break
      case 'int': {
        const { min, max } = type
        this.codeOf = (v) =>
          Number.isInteger(v) && (v as number) >= min && (v as number) <= max
            ? (v as number) - min
            : this.fail(`${JSON.stringify(v)} is out of range ${min}..${max}`)
        this.valueAt = (c) => c + min
        break
      }
      case 'node': {
        // NIL, when allowed, is code 0 and node k code k + 1.
        const { count, role } = type
        const min = type.nil ? NIL : 0
        this.codeOf = (v) =>
          Number.isInteger(v) && (v as number) >= min && (v as number) < count
            ? (v as number) - min
            : this.fail(`${JSON.stringify(v)} is not a ${role} id (0..${count - 1}${type.nil ? `, or ${NIL} for nil` : ''})`)
        this.valueAt = (c) => c + min
        break
      }
    }
  }

  /** The ordinal of a value (its code); throws on a value outside the type. */
  code(value: unknown): number {
    return this.codeOf(value)
  }

  place(packer: Packer) {
    this.position = packer.scalar(this.width)
  }

  readCode(words: Uint32Array, base: number): number {
    return (words[base + this.position.word] >>> this.position.shift) & this.mask
  }

  writeCode(words: Uint32Array, base: number, code: number) {
    const i = base + this.position.word
    const shift = this.position.shift
    words[i] = (words[i] & ~(this.mask << shift)) | (code << shift)
  }

  decode(words: Uint32Array, base: number) {
    const code = this.readCode(words, base)
    if (code >= this.size) this.fail(`corrupt state: code ${code} for a type of ${this.size} values`)
    return this.valueAt(code)
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    this.writeCode(words, base, this.codeOf(value))
  }

  view(): never {
    throw new Error(`scalar ${this.path} has no view`)
  }
}

// ---------------------------------------------------------------- records

export class RecordCodec extends Codec {
  readonly fields: [string, Codec][]

  constructor(type: RecordType<any>, path: string) {
    super(type, path)
    this.fields = Object.entries(type.fields).map(([name, t]) => [name, compile(t as Type, join(path, name))])
  }

  place(packer: Packer) {
    for (const [, codec] of this.fields) codec.place(packer)
  }

  decode(words: Uint32Array, base: number) {
    const out: Record<string, unknown> = {}
    for (const [name, codec] of this.fields) out[name] = codec.decode(words, base)
    return Object.freeze(out)
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    if (typeof value !== 'object' || value === null) this.fail(`${JSON.stringify(value)} is not a record`)
    for (const [name, codec] of this.fields) {
      if (!(name in value)) this.fail(`missing field '${name}'`)
      codec.encode(words, base, (value as Record<string, unknown>)[name])
    }
  }

  view(words: Uint32Array, base: number, draft: boolean) {
    const view = {}
    for (const [name, codec] of this.fields) {
      if (!codec.isValue) {
        Object.defineProperty(view, name, { value: codec.view(words, base, draft), enumerable: true })
      } else if (codec instanceof ScalarCodec) {
        // Inlined read and write: this is the hot path of every model.
        const { mask, valueAt } = codec
        const { word, shift } = codec.position
        const index = base + word
        Object.defineProperty(view, name, {
          enumerable: true,
          get: () => valueAt((words[index] >>> shift) & mask),
          set: draft ? (v: unknown) => codec.encode(words, base, v) : undefined,
        })
      } else {
        Object.defineProperty(view, name, {
          enumerable: true,
          get: () => codec.decode(words, base),
          set: draft ? (v: unknown) => codec.encode(words, base, v) : undefined,
        })
      }
    }
    return Object.freeze(view)
  }
}

// ---------------------------------------------------------------- unions

export class UnionCodec extends Codec {
  override get isValue() {
    return true
  }
  readonly tag: string
  readonly variants: Map<string, { code: number; tagCodec: ScalarCodec; record: RecordCodec }>
  readonly words: number
  position!: Position

  constructor(type: UnionType<string, any>, path: string) {
    super(type, path)
    this.tag = type.tag
    const names = Object.keys(type.variants)
    this.variants = new Map()
    // Each variant is laid out in a block of its own with the tag first, so the tag sits at
    // the same place in all of them and the variants overlap.
    let words = 0
    names.forEach((name, code) => {
      const packer = new Packer()
      const tagCodec = new ScalarCodec({ kind: 'enum', values: names }, join(path, type.tag))
      tagCodec.place(packer)
      const record = new RecordCodec({ kind: 'record', fields: type.variants[name] }, path)
      record.place(packer)
      words = Math.max(words, packer.finish())
      this.variants.set(name, { code, tagCodec, record })
    })
    this.words = words
  }

  place(packer: Packer) {
    this.position = packer.block(this.words)
  }

  decode(words: Uint32Array, base: number) {
    const b = base + this.position.word
    const anyVariant = this.variants.values().next().value!
    const name = anyVariant.tagCodec.decode(words, b) as string
    const fields = this.variants.get(name)!.record.decode(words, b) as object
    return Object.freeze({ [this.tag]: name, ...fields })
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    if (typeof value !== 'object' || value === null) this.fail(`${JSON.stringify(value)} is not a record`)
    const name = (value as Record<string, unknown>)[this.tag]
    const variant = this.variants.get(name as string)
    if (!variant) this.fail(`'${this.tag}' is ${JSON.stringify(name)}, not one of ${[...this.variants.keys()].join(', ')}`)
    const b = base + this.position.word
    words.fill(0, b, b + this.words)
    variant.tagCodec.writeCode(words, b, variant.code)
    variant.record.encode(words, b, value)
  }

  view(): never {
    throw new Error(`union ${this.path} has no view`)
  }
}

// ---------------------------------------------------------------- maps

/** Maps a key value to its index in the map's domain, and back. */
export class KeyDomain {
  readonly keys: readonly unknown[]
  readonly index: (key: unknown) => number
  constructor(readonly type: KeyType, path: string) {
    const scalar = new ScalarCodec(type, path)
    this.keys = Object.freeze(Array.from({ length: scalar.size }, (_, i) => scalar.valueAt(i)))
    this.index = (key) => scalar.code(key)
  }
  /** How a key is written in paths and messages: `rm2`, `working`, `3`. */
  name(key: unknown): string {
    return this.type.kind === 'node' ? `${this.type.role}${(key as number) + 1}` : String(key)
  }
}

export class MapCodec extends Codec {
  readonly domain: KeyDomain
  readonly entries: Codec[]

  constructor(type: MapType<KeyType, Type>, path: string) {
    super(type, path)
    this.domain = new KeyDomain(type.key, `${path} key`)
    this.entries = this.domain.keys.map((k) => compile(type.value, `${path}[${this.domain.name(k)}]`))
  }

  place(packer: Packer) {
    for (const entry of this.entries) entry.place(packer)
  }

  decode(words: Uint32Array, base: number) {
    const values = this.entries.map((e) => e.decode(words, base))
    if (this.domain.type.kind === 'enum') {
      return Object.freeze(Object.fromEntries(this.domain.keys.map((k, i) => [k, values[i]])))
    }
    return Object.freeze(values)
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    if (typeof value !== 'object' || value === null) this.fail(`${JSON.stringify(value)} is not a map`)
    const isEnum = this.domain.type.kind === 'enum'
    if (!isEnum && (!Array.isArray(value) || value.length !== this.entries.length)) {
      this.fail(`expected an array of ${this.entries.length} values`)
    }
    this.domain.keys.forEach((k, i) => {
      const v = isEnum ? (value as Record<string, unknown>)[k as string] : (value as unknown[])[i]
      if (v === undefined) this.fail(`no value for key ${this.domain.name(k)}`)
      this.entries[i].encode(words, base, v)
    })
  }

  view(words: Uint32Array, base: number, draft: boolean) {
    const { domain, entries } = this
    const keys = domain.keys
    let get: (key: unknown) => unknown
    if (entries[0].isValue) {
      if (entries[0] instanceof ScalarCodec) {
        // Inlined like record fields: maps of scalars (rmState[r]) are read in every step.
        const { mask, valueAt } = entries[0]
        const indexes = entries.map((e) => base + (e as ScalarCodec).position.word)
        const shifts = entries.map((e) => (e as ScalarCodec).position.shift)
        const isNode = domain.type.kind === 'node'
        get = (key) => {
          const i = isNode && (key as number) >= 0 && (key as number) < keys.length ? (key as number) : domain.index(key)
          return valueAt((words[indexes[i]] >>> shifts[i]) & mask)
        }
      } else {
        get = (key) => entries[domain.index(key)].decode(words, base)
      }
    } else {
      const views = entries.map((e) => e.view(words, base, draft))
      get = (key) => views[domain.index(key)]
    }
    const view = {
      get,
      size: keys.length,
      keys: () => keys,
      every: (test: (v: unknown, k: unknown) => boolean) => keys.every((k) => test(get(k), k)),
      some: (test: (v: unknown, k: unknown) => boolean) => keys.some((k) => test(get(k), k)),
      count: (test: (v: unknown, k: unknown) => boolean) => keys.reduce<number>((n, k) => (test(get(k), k) ? n + 1 : n), 0),
      ...(draft ? { set: (key: unknown, value: unknown) => entries[domain.index(key)].encode(words, base, value) } : {}),
    }
    return Object.freeze(view)
  }
}

// ---------------------------------------------------------------- sets as bitsets

/** Ordinal numbering of an enumerable type's values, and the frozen values themselves. */
class Enumeration {
  readonly values: readonly unknown[]
  readonly ordinal: (value: unknown) => number
  constructor(type: Type, path: string) {
    // The ordinal is built arithmetically (mixed radix over fields, offsets over variants);
    // the values are listed by enumerating the type and placing each at its ordinal.
    this.ordinal = ordinalFunction(type, path)
    const values: unknown[] = new Array(cardinality(type))
    for (const v of allValues(type)) values[this.ordinal(v)] = v
    this.values = Object.freeze(values)
  }
}

function ordinalFunction(type: Type, path: string): (value: unknown) => number {
  switch (type.kind) {
    case 'enum': case 'bool': case 'int': case 'node': {
      const scalar = new ScalarCodec(type, path)
      return (v) => scalar.code(v)
    }
    case 'record': {
      const parts = Object.entries(type.fields).map(([name, t]) => ({ name, size: cardinality(t), ordinal: ordinalFunction(t, join(path, name)) }))
      return (v) => {
        if (typeof v !== 'object' || v === null) throw new SchemaError(`${path}: ${JSON.stringify(v)} is not a record`)
        let n = 0
        for (const p of parts) n = n * p.size + p.ordinal((v as Record<string, unknown>)[p.name])
        return n
      }
    }
    case 'union': {
      const offsets = new Map<string, { offset: number; ordinal: (v: unknown) => number }>()
      let offset = 0
      for (const [name, fields] of Object.entries(type.variants)) {
        const rec: RecordType<any> = { kind: 'record', fields }
        offsets.set(name, { offset, ordinal: ordinalFunction(rec, path) })
        offset += cardinality(rec)
      }
      return (v) => {
        const variant = offsets.get((v as Record<string, unknown> | null)?.[type.tag] as string)
        if (!variant) throw new SchemaError(`${path}: ${JSON.stringify(v)} is not one of ${[...offsets.keys()].join(', ')}`)
        return variant.offset + variant.ordinal(v)
      }
    }
    default:
      throw new Error(`${path}: ${type.kind} values cannot be set elements without a capacity`)
  }
}

/** Every value of a scalar, record or union type (sets, bags, sequences and maps are not enumerated). */
export function* allValues(type: Type): Generator<unknown> {
  switch (type.kind) {
    case 'enum': case 'bool': case 'int': case 'node': {
      const scalar = new ScalarCodec(type, '')
      for (let c = 0; c < scalar.size; c++) yield scalar.valueAt(c)
      return
    }
    case 'record':
      yield* recordValues(Object.entries(type.fields), {})
      return
    case 'union':
      for (const [name, fields] of Object.entries(type.variants)) {
        yield* recordValues(Object.entries(fields), { [type.tag]: name })
      }
      return
    default:
      throw new Error(`${type.kind} values are not enumerable`)
  }
}

function* recordValues(fields: [string, Type][], prefix: Record<string, unknown>): Generator<unknown> {
  if (fields.length === 0) {
    yield Object.freeze({ ...prefix })
    return
  }
  const [[name, t], ...rest] = fields
  for (const v of allValues(t)) yield* recordValues(rest, { ...prefix, [name]: v })
}

export class BitsetCodec extends Codec {
  readonly elements: Enumeration
  readonly words: number
  position!: Position

  constructor(type: SetType<Type>, path: string) {
    super(type, path)
    this.elements = new Enumeration(type.elem, `${path} element`)
    this.words = Math.ceil(this.elements.values.length / 32)
  }

  place(packer: Packer) {
    this.position = packer.block(this.words)
  }

  decode(words: Uint32Array, base: number) {
    const b = base + this.position.word
    const out: unknown[] = []
    const { values } = this.elements
    for (let i = 0; i < values.length; i++) if ((words[b + (i >>> 5)] >>> (i & 31)) & 1) out.push(values[i])
    // Bits past the last element must be clear, or two states would differ invisibly.
    const spare = this.words * 32 - values.length
    if (spare > 0 && words[b + this.words - 1] >>> (32 - spare) !== 0) this.fail('corrupt state: bits set past the last element')
    return Object.freeze(out)
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    if (!Array.isArray(value)) this.fail(`${JSON.stringify(value)} is not a set (array)`)
    const b = base + this.position.word
    words.fill(0, b, b + this.words)
    for (const v of value) {
      const i = this.elements.ordinal(v)
      words[b + (i >>> 5)] |= 1 << (i & 31)
    }
  }

  view(words: Uint32Array, base: number, draft: boolean) {
    const b = base + this.position.word
    const { values, ordinal } = this.elements
    const n = this.words
    const has = (v: unknown) => {
      const i = ordinal(v)
      return ((words[b + (i >>> 5)] >>> (i & 31)) & 1) === 1
    }
    const toArray = () => this.decode(words, base) as unknown[]
    const view: Record<string, unknown> = {
      has,
      get size() {
        let count = 0
        for (let w = 0; w < n; w++) count += popcount(words[b + w])
        return count
      },
      toArray,
      [Symbol.iterator]: () => toArray()[Symbol.iterator](),
      some: (test: (v: unknown) => boolean) => {
        for (let i = 0; i < values.length; i++) if ((words[b + (i >>> 5)] >>> (i & 31)) & 1 && test(values[i])) return true
        return false
      },
      every: (test: (v: unknown) => boolean) => {
        for (let i = 0; i < values.length; i++) if ((words[b + (i >>> 5)] >>> (i & 31)) & 1 && !test(values[i])) return false
        return true
      },
      subsetOf: (other: { has(v: unknown): boolean }) => toArray().every((v) => other.has(v)),
    }
    if (draft) {
      view.add = (v: unknown) => {
        const i = ordinal(v)
        words[b + (i >>> 5)] |= 1 << (i & 31)
      }
      view.delete = (v: unknown) => {
        const i = ordinal(v)
        words[b + (i >>> 5)] &= ~(1 << (i & 31))
      }
      view.clear = () => words.fill(0, b, b + n)
    }
    return Object.freeze(view)
  }
}

const popcount = (x: number) => {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24)
}

// ---------------------------------------------------------------- slotted containers

/**
 * Fixed-capacity storage shared by sorted sets, bags and sequences: a length field and
 * `capacity` slots of `slotWords` words. An element is laid out in a block of its own at
 * the start of its slot, so elements compare and move as whole words.
 */
class Slots {
  readonly element: Codec
  readonly elementWords: number
  readonly slotWords: number
  readonly length: ScalarCodec
  position!: Position
  /** Scratch space to encode a value being looked up. */
  readonly probe: Uint32Array
  /** Elements decoded before, by their words (and back). */
  private readonly interned: InternedValues | undefined
  private readonly decodeElement: (words: Uint32Array, at: number) => unknown
  private readonly encodeElement: (into: Uint32Array, value: unknown) => void
  /** Whole contents read before (a server's log), for containers small enough to key by every slot. */
  private readonly internedContents: InternedValues | undefined
  private readonly decodeSorted: (words: Uint32Array, base: number) => unknown
  private readonly decodeSequence: (words: Uint32Array, base: number) => unknown

  constructor(
    readonly owner: Codec,
    elementType: Type,
    readonly capacity: number,
    extraWords: number,
  ) {
    this.element = compile(elementType, `${owner.path} element`)
    this.elementWords = Math.max(1, layoutWords(this.element))
    this.slotWords = this.elementWords + extraWords
    this.length = new ScalarCodec({ kind: 'int', min: 0, max: capacity }, `${owner.path} length`)
    this.probe = new Uint32Array(this.elementWords)
    // A scalar decodes in one shift and mask: nothing to gain from looking it up.
    this.interned = this.element instanceof ScalarCodec ? undefined : internedValuesOf(elementType, this.elementWords, 'elements')
    const element = this.element
    this.decodeElement = (words, at) => element.decode(words, at)
    this.encodeElement = (into, value) => element.encode(into, 0, value)
    const contentWords = capacity * this.slotWords
    this.internedContents = contentWords <= MAX_INTERNED_CONTENT_WORDS ? internedValuesOf(owner.type, contentWords, 'contents') : undefined
    this.decodeSorted = (words, base) => this.decodeElementsOnce(words, base, true)
    this.decodeSequence = (words, base) => this.decodeElementsOnce(words, base, false)
  }

  place(packer: Packer) {
    this.length.place(packer)
    this.position = packer.block(this.capacity * this.slotWords)
  }

  start(base: number) {
    return base + this.position.word
  }

  /** Encode `value` into the probe, as an element. */
  encodeProbe(value: unknown): Uint32Array {
    const known = this.interned?.encodingOf(value)
    if (known) {
      this.probe.set(known)
      return this.probe
    }
    this.probe.fill(0)
    this.element.encode(this.probe, 0, value)
    return this.probe
  }

  /** Write `value` as the element of the (zeroed) slot at word `at`. */
  encodeAt(words: Uint32Array, at: number, value: unknown) {
    const known = this.interned?.encodingOf(value)
    if (known) words.set(known, at)
    else this.element.encode(words, at, value)
  }

  /** Compare the element in slot `slot` with the probe: <0, 0, >0 like a sort comparator. */
  compareWithProbe(words: Uint32Array, start: number, slot: number): number {
    const s = start + slot * this.slotWords
    for (let k = 0; k < this.elementWords; k++) {
      const a = words[s + k]
      const b = this.probe[k]
      if (a !== b) return a < b ? -1 : 1
    }
    return 0
  }

  /** Binary search of the sorted slots for the probe: index if found, else -(insertion point) - 1. */
  search(words: Uint32Array, start: number, length: number): number {
    let lo = 0
    let hi = length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const c = this.compareWithProbe(words, start, mid)
      if (c === 0) return mid
      if (c < 0) lo = mid + 1
      else hi = mid - 1
    }
    return -lo - 1
  }

  /** Open a zeroed slot at `at`, shifting later slots up; the caller has checked capacity. */
  insertGap(words: Uint32Array, start: number, length: number, at: number) {
    const w = this.slotWords
    words.copyWithin(start + (at + 1) * w, start + at * w, start + length * w)
    words.fill(0, start + at * w, start + (at + 1) * w)
  }

  /** Remove slot `at`, shifting later slots down and zeroing the freed last slot. */
  removeSlot(words: Uint32Array, start: number, length: number, at: number) {
    const w = this.slotWords
    words.copyWithin(start + at * w, start + (at + 1) * w, start + length * w)
    words.fill(0, start + (length - 1) * w, start + length * w)
  }

  decodeAt(words: Uint32Array, start: number, slot: number) {
    const at = start + slot * this.slotWords
    return this.interned ? this.interned.get(words, at, 0, at, this.decodeElement, this.encodeElement) : this.element.decode(words, at)
  }

  /** The elements in use, frozen, after checking the words are canonical. */
  decodeElements(words: Uint32Array, base: number, strictlySorted: boolean): readonly unknown[] {
    const contents = this.internedContents
    if (contents) {
      const length = this.length.readCode(words, base)
      if (length <= this.capacity) {
        return contents.get(words, this.start(base), length, base, strictlySorted ? this.decodeSorted : this.decodeSequence) as readonly unknown[]
      }
    }
    return this.decodeElementsOnce(words, base, strictlySorted)
  }

  private decodeElementsOnce(words: Uint32Array, base: number, strictlySorted: boolean): readonly unknown[] {
    const length = this.length.decode(words, base) as number
    const start = this.start(base)
    this.checkSpareZero(words, start, length)
    if (strictlySorted) this.checkStrictlySorted(words, start, length)
    const out = []
    for (let i = 0; i < length; i++) out.push(this.decodeAt(words, start, i))
    return Object.freeze(out)
  }

  /** Elements must be strictly ascending, or one set (or bag) would have two encodings. */
  checkStrictlySorted(words: Uint32Array, start: number, length: number) {
    for (let i = 1; i < length; i++) {
      if (compareSlots(words, start, this.slotWords, this.elementWords, i - 1, i) >= 0) {
        throw new SchemaError(`${this.owner.path}: corrupt state: elements not strictly sorted`)
      }
    }
  }

  /** Unused slots must be zero, or equal states would differ in their words. */
  checkSpareZero(words: Uint32Array, start: number, length: number) {
    for (let i = start + length * this.slotWords; i < start + this.capacity * this.slotWords; i++) {
      if (words[i] !== 0) throw new SchemaError(`${this.owner.path}: corrupt state: unused slot not zero`)
    }
  }
}

export class SortedSetCodec extends Codec {
  readonly slots: Slots

  constructor(type: SetType<Type>, path: string) {
    super(type, path)
    this.slots = new Slots(this, type.elem, type.capacity!, 0)
  }

  place(packer: Packer) {
    this.slots.place(packer)
  }

  decode(words: Uint32Array, base: number) {
    return this.slots.decodeElements(words, base, true)
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    if (!Array.isArray(value)) this.fail(`${JSON.stringify(value)} is not a set (array)`)
    const { slots } = this
    const start = slots.start(base)
    slots.length.writeCode(words, base, 0)
    words.fill(0, start, start + slots.capacity * slots.slotWords)
    for (const v of value) this.add(words, base, v)
  }

  add(words: Uint32Array, base: number, value: unknown) {
    const { slots } = this
    const start = slots.start(base)
    const length = slots.length.readCode(words, base)
    slots.encodeProbe(value)
    const found = slots.search(words, start, length)
    if (found >= 0) return
    if (length === slots.capacity) this.fail(`capacity ${slots.capacity} exceeded adding ${JSON.stringify(value)}`)
    const at = -found - 1
    slots.insertGap(words, start, length, at)
    words.set(slots.probe, start + at * slots.slotWords)
    slots.length.writeCode(words, base, length + 1)
  }

  view(words: Uint32Array, base: number, draft: boolean) {
    const { slots } = this
    const start = slots.start(base)
    const length = () => slots.length.readCode(words, base)
    const has = (v: unknown) => {
      slots.encodeProbe(v)
      return slots.search(words, start, length()) >= 0
    }
    const toArray = () => {
      const out = []
      for (let i = 0, n = length(); i < n; i++) out.push(slots.decodeAt(words, start, i))
      return out
    }
    const view: Record<string, unknown> = {
      has,
      get size() {
        return length()
      },
      toArray,
      [Symbol.iterator]: () => toArray()[Symbol.iterator](),
      some: (test: (v: unknown) => boolean) => toArray().some(test),
      every: (test: (v: unknown) => boolean) => toArray().every(test),
      subsetOf: (other: { has(v: unknown): boolean }) => toArray().every((v) => other.has(v)),
    }
    if (draft) {
      view.add = (v: unknown) => this.add(words, base, v)
      view.delete = (v: unknown) => {
        const n = length()
        slots.encodeProbe(v)
        const at = slots.search(words, start, n)
        if (at < 0) return
        slots.removeSlot(words, start, n, at)
        slots.length.writeCode(words, base, n - 1)
      }
      view.clear = () => this.encode(words, base, [])
    }
    return Object.freeze(view)
  }
}

function compareSlots(words: Uint32Array, start: number, slotWords: number, compareWords: number, a: number, b: number) {
  for (let k = 0; k < compareWords; k++) {
    const x = words[start + a * slotWords + k]
    const y = words[start + b * slotWords + k]
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

export class BagCodec extends Codec {
  readonly slots: Slots
  readonly maxCount: number

  constructor(type: BagType<Type>, path: string) {
    super(type, path)
    // One extra word per slot holds the element's count.
    this.slots = new Slots(this, type.elem, type.capacity, 1)
    this.maxCount = type.maxCount
  }

  place(packer: Packer) {
    this.slots.place(packer)
  }

  private countWord(start: number, slot: number) {
    return start + slot * this.slots.slotWords + this.slots.elementWords
  }

  decode(words: Uint32Array, base: number) {
    const { slots } = this
    const length = slots.length.decode(words, base) as number
    const start = slots.start(base)
    slots.checkSpareZero(words, start, length)
    slots.checkStrictlySorted(words, start, length)
    const out = []
    for (let i = 0; i < length; i++) {
      const count = words[this.countWord(start, i)]
      if (count < 1 || count > this.maxCount) this.fail(`corrupt state: count ${count} outside 1..${this.maxCount}`)
      out.push(Object.freeze([slots.decodeAt(words, start, i), count]))
    }
    return Object.freeze(out)
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    if (!Array.isArray(value)) this.fail(`${JSON.stringify(value)} is not a bag (array of [element, count])`)
    const { slots } = this
    const start = slots.start(base)
    slots.length.writeCode(words, base, 0)
    words.fill(0, start, start + slots.capacity * slots.slotWords)
    for (const entry of value) {
      if (!Array.isArray(entry) || entry.length !== 2 || !Number.isInteger(entry[1]) || entry[1] < 1) {
        this.fail(`${JSON.stringify(entry)} is not an [element, count >= 1] pair`)
      }
      for (let i = 0; i < entry[1]; i++) this.add(words, base, entry[0])
    }
  }

  add(words: Uint32Array, base: number, value: unknown) {
    const { slots } = this
    const start = slots.start(base)
    const length = slots.length.readCode(words, base)
    slots.encodeProbe(value)
    let at = slots.search(words, start, length)
    if (at < 0) {
      if (length === slots.capacity) this.fail(`capacity ${slots.capacity} exceeded adding ${JSON.stringify(value)}`)
      at = -at - 1
      slots.insertGap(words, start, length, at)
      words.set(slots.probe, start + at * slots.slotWords)
      slots.length.writeCode(words, base, length + 1)
    }
    const c = this.countWord(start, at)
    if (words[c] === this.maxCount) this.fail(`more than ${this.maxCount} copies of ${JSON.stringify(value)}`)
    words[c]++
  }

  view(words: Uint32Array, base: number, draft: boolean) {
    const { slots } = this
    const start = slots.start(base)
    const length = () => slots.length.readCode(words, base)
    const count = (v: unknown) => {
      slots.encodeProbe(v)
      const at = slots.search(words, start, length())
      return at < 0 ? 0 : words[this.countWord(start, at)]
    }
    const entries = () => {
      const out = []
      for (let i = 0, n = length(); i < n; i++) out.push([slots.decodeAt(words, start, i), words[this.countWord(start, i)]])
      return out
    }
    const countWord = (i: number) => this.countWord(start, i)
    const view: Record<string, unknown> = {
      count,
      get size() {
        let total = 0
        for (let i = 0, n = length(); i < n; i++) total += words[countWord(i)]
        return total
      },
      get distinct() {
        return length()
      },
      entries,
    }
    if (draft) {
      view.add = (v: unknown) => this.add(words, base, v)
      view.remove = (v: unknown) => {
        const n = length()
        slots.encodeProbe(v)
        const at = slots.search(words, start, n)
        if (at < 0) this.fail(`removing ${JSON.stringify(v)}, which is not in the bag`)
        const c = countWord(at)
        if (--words[c] === 0) {
          slots.removeSlot(words, start, n, at)
          slots.length.writeCode(words, base, n - 1)
        }
      }
    }
    return Object.freeze(view)
  }
}

export class SeqCodec extends Codec {
  readonly slots: Slots

  constructor(type: SeqType<Type>, path: string) {
    super(type, path)
    this.slots = new Slots(this, type.elem, type.maxLength, 0)
  }

  place(packer: Packer) {
    this.slots.place(packer)
  }

  decode(words: Uint32Array, base: number) {
    return this.slots.decodeElements(words, base, false)
  }

  encode(words: Uint32Array, base: number, value: unknown) {
    if (!Array.isArray(value)) this.fail(`${JSON.stringify(value)} is not a sequence (array)`)
    const { slots } = this
    if (value.length > slots.capacity) this.fail(`length ${value.length} exceeds the maximum ${slots.capacity}`)
    const start = slots.start(base)
    words.fill(0, start, start + slots.capacity * slots.slotWords)
    value.forEach((v, i) => slots.encodeAt(words, start + i * slots.slotWords, v))
    slots.length.writeCode(words, base, value.length)
  }

  view(words: Uint32Array, base: number, draft: boolean) {
    const { slots } = this
    const start = slots.start(base)
    const length = () => slots.length.readCode(words, base)
    const at = (i: number) => {
      if (!Number.isInteger(i) || i < 0 || i >= length()) this.fail(`index ${i} outside 0..${length() - 1}`)
      return slots.decodeAt(words, start, i)
    }
    const toArray = () => this.decode(words, base) as unknown[]
    const view: Record<string, unknown> = {
      get length() {
        return length()
      },
      at,
      last: () => (length() === 0 ? undefined : slots.decodeAt(words, start, length() - 1)),
      toArray,
      [Symbol.iterator]: () => toArray()[Symbol.iterator](),
    }
    if (draft) {
      const writeAt = (i: number, v: unknown) => {
        const s = start + i * slots.slotWords
        words.fill(0, s, s + slots.slotWords)
        slots.encodeAt(words, s, v)
      }
      view.push = (v: unknown) => {
        const n = length()
        if (n === slots.capacity) this.fail(`maximum length ${slots.capacity} exceeded`)
        writeAt(n, v)
        slots.length.writeCode(words, base, n + 1)
      }
      view.set = (i: number, v: unknown) => {
        if (!Number.isInteger(i) || i < 0 || i >= length()) this.fail(`index ${i} outside 0..${length() - 1}`)
        writeAt(i, v)
      }
      view.truncate = (n: number) => {
        const old = length()
        if (!Number.isInteger(n) || n < 0 || n > old) this.fail(`cannot truncate length ${old} to ${n}`)
        words.fill(0, start + n * slots.slotWords, start + old * slots.slotWords)
        slots.length.writeCode(words, base, n)
      }
      view.assign = (values: unknown[]) => this.encode(words, base, values)
    }
    return Object.freeze(view)
  }
}

// ---------------------------------------------------------------- compilation

export function compile(type: Type, path: string): Codec {
  switch (type.kind) {
    case 'enum': case 'bool': case 'int': case 'node': return new ScalarCodec(type, path)
    case 'record': return new RecordCodec(type, path)
    case 'union': return new UnionCodec(type, path)
    case 'map': return new MapCodec(type, path)
    case 'set':
      if (type.capacity !== undefined) return new SortedSetCodec(type, path)
      if (cardinality(type.elem) > MAX_BITSET_ELEMENTS) {
        throw new Error(`${path}: a set of ${cardinality(type.elem)} possible elements needs a capacity`)
      }
      return new BitsetCodec(type, path)
    case 'bag': return new BagCodec(type, path)
    case 'seq': return new SeqCodec(type, path)
  }
}

/** Lay out a codec as a block of its own, returning its size in words. */
export function layoutWords(codec: Codec): number {
  const packer = new Packer()
  codec.place(packer)
  return packer.finish()
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name)
