// A model's state schema compiled for the checker: the packed layout, views bound to a
// buffer, plain values and ITF. The declaration vocabulary is in schema/types.ts, the
// packing in schema/packer.ts and schema/codecs.ts, the ITF mapping in schema/itf.ts.

import { RecordCodec, SchemaError, type Codec } from './schema/codecs.js'
import { compileView, type ViewFactory } from './schema/compiled.js'
import { compileCanonicalCheck, type CanonicalCheck } from './schema/canonical.js'
import { fromItf, toItf, type ItfValue } from './schema/itf.js'
import { Packer } from './schema/packer.js'
import type { Draft, Fields, RecordType, Type, Value, View } from './schema/types.js'

export * from './schema/types.js'
export { SchemaError, allValues } from './schema/codecs.js'
export { nodeName, toItf as valueToItf, fromItf as valueFromItf, type ItfValue } from './schema/itf.js'

export class Schema<T extends RecordType<Fields> = RecordType<Fields>> {
  /** Size of one packed state. */
  readonly words: number
  /** The state variables, in declaration order. */
  readonly variables: readonly string[]
  private readonly codec: RecordCodec
  /** Generated view classes, by offset and kind (`v0`, `d0`), compiled on first use. */
  private readonly viewFactories = new Map<string, ViewFactory>()

  constructor(readonly type: T) {
    this.codec = new RecordCodec(type, '')
    const packer = new Packer()
    this.codec.place(packer)
    this.words = Math.max(1, packer.finish())
    this.variables = Object.keys(type.fields)
    this.canonicalCheck = compileCanonicalCheck(this.codec, this.words)
  }

  private readonly canonicalCheck: CanonicalCheck

  /** Are these words a well-typed canonical state? (malformation() === null, without allocating) */
  isCanonical(words: Uint32Array, offset = 0): boolean {
    return this.canonicalCheck(words, offset)
  }

  /** A read-only view of whatever state is in `buffer` (re-read on every access). */
  view(buffer: Uint32Array, offset = 0): View<T> {
    return this.viewFactory(offset, false)(buffer) as never
  }

  /** A writable view: assignments change `buffer` in place, keeping it canonical. */
  draft(buffer: Uint32Array, offset = 0): Draft<T> {
    return this.viewFactory(offset, true)(buffer) as never
  }

  private viewFactory(offset: number, draft: boolean): ViewFactory {
    const key = `${draft ? 'd' : 'v'}${offset}`
    let factory = this.viewFactories.get(key)
    if (!factory) this.viewFactories.set(key, (factory = compileView(this.codec, offset, draft)))
    return factory
  }

  /** The state as a frozen plain object; throws SchemaError if the words are not canonical. */
  decode(words: Uint32Array, offset = 0): Value<T> {
    return this.codec.decode(words, offset) as never
  }

  /** Pack a plain value (canonicalising sets and bags). */
  encode(value: Value<T> | Record<string, unknown>): Uint32Array {
    const words = new Uint32Array(this.words)
    this.codec.encode(words, 0, value)
    return words
  }

  /** Why these words are not a well-typed canonical state, or null if they are. Decoding then
   * re-encoding must give the same words: every code in range, sets sorted, spare slots zero. */
  malformation(words: Uint32Array, offset = 0): string | null {
    try {
      const again = this.encode(this.decode(words, offset))
      for (let i = 0; i < this.words; i++) {
        if (again[i] !== words[offset + i]) return `word ${i} is not canonical`
      }
      return null
    } catch (e) {
      if (e instanceof SchemaError) return e.message
      throw e
    }
  }

  /** One state variable as ITF. */
  variableToItf(name: string, value: unknown): ItfValue {
    return toItf(this.fieldType(name), value)
  }

  /** The whole state as an ITF object (variables only, no #meta). */
  toItf(value: Value<T>): Record<string, ItfValue> {
    const out: Record<string, ItfValue> = {}
    for (const name of this.variables) out[name] = this.variableToItf(name, (value as unknown as Record<string, unknown>)[name])
    return out
  }

  /** Read a state's variables from an ITF object; throws SchemaError naming the first bad value. */
  fromItf(itf: Record<string, unknown>, where = 'state'): Value<T> {
    const out: Record<string, unknown> = {}
    for (const name of this.variables) {
      if (!(name in itf)) throw new SchemaError(`${where}: missing variable '${name}'`)
      out[name] = fromItf(this.fieldType(name), itf[name], `${where}.${name}`)
    }
    // Encoding checks capacities and canonicalises; decoding gives the canonical plain form.
    return this.decode(this.encode(out as never))
  }

  fieldType(name: string): Type {
    const t = this.type.fields[name]
    if (!t) throw new SchemaError(`no state variable '${name}'`)
    return t
  }

  /** For tools that work below the view level (symmetry, debugging). */
  get rootCodec(): Codec {
    return this.codec
  }
}
