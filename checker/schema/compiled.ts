// Generated view classes: the read and draft views a model's `next` runs on, compiled for
// one packed layout at one offset. Each record, scalar map and bitset becomes a class
// whose accessors are straight-line bit operations on constant word indexes, shifts and
// masks (built with `new Function`), so V8 inlines them into the model's code like
// hand-written bit twiddling. Enum values are read from a constant array and written
// through a chain of `===` on interned strings, with no Map lookup.
//
// Semantics are the codecs' (codecs.ts): every fast path falls back to the codec itself
// for anything unusual (a key or value outside its type), so the errors are the same
// SchemaErrors naming the field. Sorted sets, bags and sequences keep the codecs' views.

import {
  BitsetCodec,
  MapCodec,
  RecordCodec,
  ScalarCodec,
  UnionCodec,
  type Codec,
} from './codecs.js'
import { cardinality, type Type } from './types.js'

/** Makes a view bound to one buffer. */
export type ViewFactory = (words: Uint32Array) => unknown

/** Compile the view (or draft) class of `codec` at word offset `base`. */
export function compileView(codec: Codec, base: number, draft: boolean): ViewFactory {
  const gen = new Generator()
  const make = viewMaker(gen, codec, base, draft)
  return gen.link(make) as ViewFactory
}

/**
 * Collects the constants generated code refers to and the classes it defines, then links
 * them in one `new Function` so every constant is a closure variable V8 can fold.
 */
class Generator {
  readonly enumValueArrays = new Map<readonly string[], string>()
  private readonly names: string[] = []
  private readonly values: unknown[] = []
  private readonly definitions: string[] = []
  private counter = 0

  constant(value: unknown, hint: string): string {
    const name = `${hint}${this.counter++}`
    this.names.push(name)
    this.values.push(value)
    return name
  }

  fresh(hint: string): string {
    return `${hint}${this.counter++}`
  }

  define(source: string) {
    this.definitions.push(source)
  }

  /** Returns the value of `expression` evaluated after every definition. */
  link(expression: string): unknown {
    const body = `'use strict';\n${this.definitions.join('\n')}\nreturn ${expression}`
    return new Function(...this.names, body)(...this.values)
  }
}

/** Returns an expression `(w) => view` for `codec` at `base`. */
function viewMaker(gen: Generator, codec: Codec, base: number, draft: boolean): string {
  if (codec instanceof RecordCodec) return recordClass(gen, codec, base, draft)
  if (codec instanceof MapCodec) return mapClass(gen, codec, base, draft)
  if (codec instanceof BitsetCodec) return bitsetClass(gen, codec, base, draft)
  // Sorted sets, bags, sequences: the codec's own closure views.
  const c = gen.constant(codec, 'codec')
  return `((w) => ${c}.view(w, ${base}, ${draft}))`
}

/** `w[i] >>> shift & mask` as an expression, for a scalar at `base`. */
function readCode(s: ScalarCodec, base: number): string {
  const index = base + s.position.word
  const shifted = s.position.shift === 0 ? `w[${index}]` : `(w[${index}] >>> ${s.position.shift})`
  return `(${shifted} & ${s.mask})`
}

/** Statement writing the code expression `code` into the scalar's bits. */
function writeCode(s: ScalarCodec, base: number, code: string): string {
  const index = base + s.position.word
  const cleared = (~(s.mask << s.position.shift)) | 0
  return `w[${index}] = (w[${index}] & ${cleared}) | (${code} << ${s.position.shift});`
}

/** Name of a generated function value -> code of a scalar type, falling back to the codec's check. */
function codeFunction(gen: Generator, s: ScalarCodec): string {
  const slow = gen.constant(s, 'scalar')
  const name = gen.fresh('codeOf')
  const type = s.type as Type
  let fast: string
  switch (type.kind) {
    case 'enum':
      fast = type.values.map((v, i) => `if (v === ${JSON.stringify(v)}) return ${i};`).join(' ')
      break
    case 'bool':
      fast = 'if (v === true) return 1; if (v === false) return 0;'
      break
    case 'int':
      fast = `if (typeof v === 'number' && Number.isInteger(v) && v >= ${type.min} && v <= ${type.max}) return v - ${type.min};`
      break
    case 'node':
      fast = type.nil
        ? `if (typeof v === 'number' && Number.isInteger(v) && v >= -1 && v < ${type.count}) return v + 1;`
        : `if (typeof v === 'number' && (v >>> 0) === v && v < ${type.count}) return v;`
      break
    default:
      throw new Error(`${s.path}: not a scalar`)
  }
  gen.define(`function ${name}(v) { ${fast} return ${slow}.code(v) }`)
  return name
}

/** Name of a generated function: value of an enumerable type -> its ordinal (BitsetCodec's numbering). */
function ordinalFunction(gen: Generator, codec: BitsetCodec): string {
  const slow = gen.constant(codec.elements.ordinal, 'ordinalOf')
  const name = gen.fresh('ordinal')
  const expression = ordinalExpression(gen, (codec.type as { elem: Type }).elem, 'v')
  // An expression that cannot decide (a value outside the type) yields -1; the slow path then throws.
  gen.define(`function ${name}(v) { const o = ${expression}; return o >= 0 ? o : ${slow}(v) }`)
  return name
}

/** Expression giving the ordinal of `v` (an expression) or -1 if `v` is not of the type. */
function ordinalExpression(gen: Generator, type: Type, v: string): string {
  switch (type.kind) {
    case 'enum':
      return `(${type.values.map((x, i) => `${v} === ${JSON.stringify(x)} ? ${i} : `).join('')}-1)`
    case 'bool':
      return `(${v} === true ? 1 : ${v} === false ? 0 : -1)`
    case 'int':
      return `(typeof ${v} === 'number' && Number.isInteger(${v}) && ${v} >= ${type.min} && ${v} <= ${type.max} ? ${v} - ${type.min} : -1)`
    case 'node':
      return type.nil
        ? `(typeof ${v} === 'number' && Number.isInteger(${v}) && ${v} >= -1 && ${v} < ${type.count} ? ${v} + 1 : -1)`
        : `(typeof ${v} === 'number' && (${v} >>> 0) === ${v} && ${v} < ${type.count} ? ${v} : -1)`
    case 'record':
    case 'union': {
      // Mixed radix over the fields (first field most significant), offsets over variants:
      // the numbering of codecs.ts's ordinalFunction.
      const fn = gen.fresh('ordinalOfValue')
      let body: string
      if (type.kind === 'record') {
        body = recordOrdinalBody(gen, Object.entries(type.fields))
      } else {
        let offset = 0
        const cases: string[] = []
        for (const [name, fields] of Object.entries(type.variants)) {
          cases.push(`if (t === ${JSON.stringify(name)}) { const r = ${recordOrdinalInline(gen, Object.entries(fields))}; return r < 0 ? -1 : ${offset} + r }`)
          offset += Object.values(fields).reduce((n, f) => n * cardinality(f), 1)
        }
        body = `const t = x[${JSON.stringify(type.tag)}]; ${cases.join(' ')} return -1`
      }
      gen.define(`function ${fn}(x) { if (typeof x !== 'object' || x === null) return -1; ${body} }`)
      return `${fn}(${v})`
    }
    default:
      return '-1'
  }
}

function recordOrdinalBody(gen: Generator, fields: [string, Type][]): string {
  return `return ${recordOrdinalInline(gen, fields)}`
}

/** Expression: mixed-radix ordinal of record `x`'s fields, or -1. */
function recordOrdinalInline(gen: Generator, fields: [string, Type][]): string {
  if (fields.length === 0) return '0'
  const fn = gen.fresh('fieldsOrdinal')
  const lines = ['let n = 0, o']
  for (const [name, t] of fields) {
    lines.push(`o = ${ordinalExpression(gen, t, `x[${JSON.stringify(name)}]`)}; if (o < 0) return -1; n = n * ${cardinality(t)} + o`)
  }
  gen.define(`function ${fn}(x) { ${lines.join('; ')}; return n }`)
  return `${fn}(x)`
}

// ---------------------------------------------------------------- records

function recordClass(gen: Generator, codec: RecordCodec, base: number, draft: boolean): string {
  const cls = gen.fresh('RecordView')
  const members: string[] = []
  const nested: string[] = []
  for (const [name, field] of codec.fields) {
    const key = JSON.stringify(name)
    if (field instanceof ScalarCodec) {
      members.push(`get [${key}]() { const w = this.#w; return ${valueOf(gen, field, readCode(field, base))} }`)
      if (draft) {
        const codeOf = codeFunction(gen, field)
        members.push(`set [${key}](v) { const c = ${codeOf}(v); const w = this.#w; ${writeCode(field, base, 'c')} }`)
      }
    } else if (field instanceof UnionCodec) {
      const u = gen.constant(field, 'union')
      members.push(`get [${key}]() { return ${u}.decode(this.#w, ${base}) }`)
      if (draft) members.push(`set [${key}](v) { ${u}.encode(this.#w, ${base}, v) }`)
    } else {
      const slot = `#n${nested.length}`
      nested.push(`this.${slot} = ${viewMaker(gen, field, base, draft)}(w)`)
      members.push(`get [${key}]() { return this.${slot} }`)
    }
  }
  const privateFields = ['#w', ...nested.map((_, i) => `#n${i}`)].join('; ')
  gen.define(`class ${cls} {
    ${privateFields}
    constructor(w) { this.#w = w; ${nested.join('; ')}; Object.freeze(this) }
    ${members.join('\n    ')}
  }`)
  return `((w) => new ${cls}(w))`
}

/** Expression: the value of scalar `s` whose code is `code` (ScalarCodec.valueAt, inlined). */
function valueOf(gen: Generator, s: ScalarCodec, code: string): string {
  const type = s.type as Type
  switch (type.kind) {
    case 'enum': {
      // One constant array per enum type, shared by every field of that type.
      let values = gen.enumValueArrays.get(type.values)
      if (!values) gen.enumValueArrays.set(type.values, (values = gen.constant(Object.freeze([...type.values]), 'values')))
      return `${values}[${code}]`
    }
    case 'bool':
      return `(${code} === 1)`
    case 'int':
      return `(${code} + ${type.min})`
    case 'node':
      return type.nil ? `(${code} - 1)` : code
    default:
      return code
  }
}

// ---------------------------------------------------------------- maps

function mapClass(gen: Generator, codec: MapCodec, base: number, draft: boolean): string {
  const cls = gen.fresh('MapView')
  const { domain, entries } = codec
  const keys = gen.constant(domain.keys, 'keys')
  const n = entries.length
  const slowIndex = gen.constant(domain.index, 'keyIndex')
  // Key -> entry index: node ids and ints index directly, enums by `===`; else the codec's check.
  const keyType = domain.type
  let fastIndex: string
  switch (keyType.kind) {
    case 'node':
      fastIndex = `(typeof k === 'number' && (k >>> 0) === k && k < ${n} ? k : ${slowIndex}(k))`
      break
    case 'int':
      fastIndex = `(typeof k === 'number' && Number.isInteger(k) && k >= ${keyType.min} && k <= ${keyType.max} ? k - ${keyType.min} : ${slowIndex}(k))`
      break
    case 'enum':
      fastIndex = `(${keyType.values.map((x, i) => `k === ${JSON.stringify(x)} ? ${i} : `).join('')}${slowIndex}(k))`
      break
    default:
      fastIndex = `${slowIndex}(k)`
  }
  const indexOf = gen.fresh('indexOf')
  gen.define(`function ${indexOf}(k) { return ${fastIndex} }`)

  const members: string[] = []
  let constructorBody = 'this.#w = w'
  const fieldDeclarations = ['#w']
  let read: (i: number) => string
  const scalar = entries[0] instanceof ScalarCodec
  if (scalar) {
    read = (i) => valueOf(gen, entries[i] as ScalarCodec, readCode(entries[i] as ScalarCodec, base))
    members.push(`get(k) { const w = this.#w; switch (${indexOf}(k)) { ${entries.map((_, i) => `case ${i}: return ${read(i)};`).join(' ')} } }`)
    if (draft) {
      const codeOf = codeFunction(gen, entries[0] as ScalarCodec)
      members.push(
        `set(k, v) { const i = ${indexOf}(k); const c = ${codeOf}(v); const w = this.#w; switch (i) { ${entries
          .map((e, i) => `case ${i}: ${writeCode(e as ScalarCodec, base, 'c')} return;`)
          .join(' ')} } }`,
      )
    }
  } else if (entries[0] instanceof UnionCodec) {
    const list = gen.constant(entries, 'entries')
    read = (i) => `${list}[${i}].decode(w, ${base})`
    members.push(`get(k) { const w = this.#w; return ${list}[${indexOf}(k)].decode(w, ${base}) }`)
    if (draft) members.push(`set(k, v) { ${list}[${indexOf}(k)].encode(this.#w, ${base}, v) }`)
  } else {
    const makers = entries.map((e) => viewMaker(gen, e, base, draft))
    fieldDeclarations.push('#views')
    constructorBody += `; this.#views = Object.freeze([${makers.map((m) => `${m}(w)`).join(', ')}])`
    read = (i) => `this.#views[${i}]`
    members.push(`get(k) { return this.#views[${indexOf}(k)] }`)
    if (draft) {
      const list = gen.constant(entries, 'entries')
      members.push(`set(k, v) { ${list}[${indexOf}(k)].encode(this.#w, ${base}, v) }`)
    }
  }
  // Unrolled: the domain is small and fixed, and each entry has its own constant position.
  const loop = (test: (i: number) => string) => entries.map((_, i) => test(i)).join(' ')
  const key = (i: number) => `${keys}[${i}]`
  members.push(`get size() { return ${n} }`)
  members.push(`keys() { return ${keys} }`)
  members.push(`every(test) { const w = this.#w; ${loop((i) => `if (!test(${read(i)}, ${key(i)})) return false;`)} return true }`)
  members.push(`some(test) { const w = this.#w; ${loop((i) => `if (test(${read(i)}, ${key(i)})) return true;`)} return false }`)
  members.push(`count(test) { const w = this.#w; let c = 0; ${loop((i) => `if (test(${read(i)}, ${key(i)})) c++;`)} return c }`)
  gen.define(`class ${cls} {
    ${fieldDeclarations.join('; ')}
    constructor(w) { ${constructorBody}; Object.freeze(this) }
    ${members.join('\n    ')}
  }`)
  return `((w) => new ${cls}(w))`
}

// ---------------------------------------------------------------- bitsets

function bitsetClass(gen: Generator, codec: BitsetCodec, base: number, draft: boolean): string {
  const cls = gen.fresh('BitsetView')
  const c = gen.constant(codec, 'bitset')
  const values = gen.constant(codec.elements.values, 'elements')
  const ordinal = ordinalFunction(gen, codec)
  const b = base + codec.position.word
  const n = codec.words
  const word = (i: string) => (n === 1 ? `w[${b}]` : `w[${b} + (${i} >>> 5)]`)
  const bit = (i: string) => (n === 1 ? `(1 << ${i})` : `(1 << (${i} & 31))`)
  const popcount = gen.constant(popcount32, 'popcount')
  // Visit the members in element order: `visit` is a statement using `x` (the element).
  const forEachMember = (visit: string) =>
    `for (let k = 0; k < ${n}; k++) { let bits = w[${b} + k]; while (bits !== 0) { const low = bits & -bits; const x = ${values}[(k << 5) + (31 - Math.clz32(low))]; ${visit} bits ^= low } }`
  const members = [
    `has(v) { const i = ${ordinal}(v); const w = this.#w; return (${word('i')} & ${bit('i')}) !== 0 }`,
    `get size() { const w = this.#w; let s = 0; for (let k = 0; k < ${n}; k++) s += ${popcount}(w[${b} + k]); return s }`,
    `toArray() { return ${c}.decode(this.#w, ${base}) }`,
    `[Symbol.iterator]() { return this.toArray()[Symbol.iterator]() }`,
    `some(test) { const w = this.#w; ${forEachMember('if (test(x)) return true;')} return false }`,
    `every(test) { const w = this.#w; ${forEachMember('if (!test(x)) return false;')} return true }`,
    `subsetOf(other) { const w = this.#w; ${forEachMember('if (!other.has(x)) return false;')} return true }`,
  ]
  if (draft) {
    members.push(
      `add(v) { const i = ${ordinal}(v); const w = this.#w; ${word('i')} |= ${bit('i')} }`,
      `delete(v) { const i = ${ordinal}(v); const w = this.#w; ${word('i')} &= ~${bit('i')} }`,
      `clear() { const w = this.#w; ${Array.from({ length: n }, (_, k) => `w[${b + k}] = 0;`).join(' ')} }`,
    )
  }
  gen.define(`class ${cls} {
    #w
    constructor(w) { this.#w = w; Object.freeze(this) }
    ${members.join('\n    ')}
  }`)
  return `((w) => new ${cls}(w))`
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24
}
