// The vocabulary a model declares its state with. A type here is pure description;
// layout.ts compiles it to packed 32-bit words, views.ts to read and draft views.
// The TypeScript types below let a model's views and plain values be inferred from
// its declaration, so models are checked by the compiler without writing types twice.

export type Type =
  | EnumType<string>
  | BoolType
  | IntType
  | NodeIdType
  | RecordType<Fields>
  | UnionType<string, Variants>
  | MapType<KeyType, Type>
  | SetType<Type>
  | BagType<Type>
  | SeqType<Type>

export type Fields = { readonly [name: string]: Type }
export type Variants = { readonly [tag: string]: Fields }
/** Scalars: types whose values fit in one packed field. */
export type ScalarType = EnumType<string> | BoolType | IntType | NodeIdType
/** Map domains: finite, small, and naturally ordered. */
export type KeyType = EnumType<string> | NodeIdType | IntType | BoolType

export interface EnumType<V extends string> { readonly kind: 'enum'; readonly values: readonly V[] }
export interface BoolType { readonly kind: 'bool' }
export interface IntType { readonly kind: 'int'; readonly min: number; readonly max: number }
/** A node of a named role: values 0..count-1, shown as `${role}${i + 1}`. Symmetry permutes
 * every field of the same role together. */
export interface NodeIdType {
  readonly kind: 'node'
  readonly role: string
  readonly count: number
  /** Also "no node" (TLA+'s Nil), the value NIL; never a map key. */
  readonly nil?: boolean
}

/** The value of a nil-able node id that names no node. */
export const NIL = -1
export interface RecordType<F extends Fields> { readonly kind: 'record'; readonly fields: F }
/** A tagged union, TLA+'s records with a `type` field: the tag is stored next to the variant's fields. */
export interface UnionType<T extends string, V extends Variants> {
  readonly kind: 'union'
  readonly tag: T
  readonly variants: V
}
export interface MapType<K extends KeyType, V extends Type> { readonly kind: 'map'; readonly key: K; readonly value: V }
/** A set. Without a capacity its element type must be enumerable and it is stored as a bitset;
 * with one it is a sorted list of at most `capacity` elements. */
export interface SetType<E extends Type> { readonly kind: 'set'; readonly elem: E; readonly capacity?: number }
/** A multiset (TLA+'s function from element to count) of at most `capacity` distinct elements,
 * each present at most `maxCount` times. */
export interface BagType<E extends Type> {
  readonly kind: 'bag'
  readonly elem: E
  readonly capacity: number
  readonly maxCount: number
}
export interface SeqType<E extends Type> { readonly kind: 'seq'; readonly elem: E; readonly maxLength: number }

const checkedInt = (what: string, n: number, min: number) => {
  if (!Number.isInteger(n) || n < min) throw new Error(`${what} must be an integer >= ${min}, got ${n}`)
  return n
}

export const enumOf = <const V extends string>(...values: V[]): EnumType<V> => {
  if (values.length === 0 || new Set(values).size !== values.length) {
    throw new Error(`enumOf needs distinct values, got [${values.join(', ')}]`)
  }
  return { kind: 'enum', values }
}
export const bool: BoolType = { kind: 'bool' }
export const int = (min: number, max: number): IntType => {
  checkedInt('int min', min, -(2 ** 30))
  checkedInt('int max', max, min)
  if (max - min >= 2 ** 31) throw new Error(`int range ${min}..${max} is wider than 31 bits`)
  return { kind: 'int', min, max }
}
export const nodeId = (role: string, count: number): NodeIdType => ({
  kind: 'node',
  role,
  count: checkedInt(`node count of role ${role}`, count, 1),
})
/** A node id or NIL: a vote not yet cast, a leader not yet known. Renamed as node ids are
 * under symmetry, NIL staying NIL. */
export const nodeIdOrNil = (role: string, count: number): NodeIdType => ({ ...nodeId(role, count), nil: true })
export const record = <const F extends Fields>(fields: F): RecordType<F> => ({ kind: 'record', fields })
export const union = <const T extends string, const V extends Variants>(tag: T, variants: V): UnionType<T, V> => {
  for (const [name, fields] of Object.entries(variants)) {
    if (tag in fields) throw new Error(`union variant ${name} has a field named like the tag '${tag}'`)
  }
  return { kind: 'union', tag, variants }
}
export const mapOf = <K extends KeyType, V extends Type>(key: K, value: V): MapType<K, V> => {
  if (key.kind === 'node' && key.nil) throw new Error(`a map cannot be keyed by ${key.role} ids or nil`)
  return { kind: 'map', key, value }
}
export const setOf = <E extends Type>(elem: E, capacity?: number): SetType<E> => ({
  kind: 'set',
  elem,
  capacity: capacity === undefined ? undefined : checkedInt('set capacity', capacity, 1),
})
export const bagOf = <E extends Type>(elem: E, capacity: number, maxCount: number): BagType<E> => ({
  kind: 'bag',
  elem,
  capacity: checkedInt('bag capacity', capacity, 1),
  maxCount: checkedInt('bag maxCount', maxCount, 1),
})
export const seqOf = <E extends Type>(elem: E, maxLength: number): SeqType<E> => ({
  kind: 'seq',
  elem,
  maxLength: checkedInt('sequence maxLength', maxLength, 1),
})

// ---- values: what decoding a state gives (frozen plain objects) ----

type Simplify<T> = { [K in keyof T]: T[K] } & {}
type VariantValue<T extends string, V extends Variants> = {
  [N in keyof V & string]: Simplify<{ readonly [P in T]: N } & { readonly [F in keyof V[N]]: Value<V[N][F]> }>
}[keyof V & string]

/** A map's plain value: an array for node ids and ints (index = value - min), an object for enums. */
export type MapValue<K extends KeyType, V> = K extends EnumType<infer E>
  ? { readonly [k in E]: V }
  : readonly V[]

export type Value<T> = T extends EnumType<infer V>
  ? V
  : T extends BoolType
    ? boolean
    : T extends IntType | NodeIdType
      ? number
      : T extends RecordType<infer F>
        ? { readonly [K in keyof F]: Value<F[K]> }
        : T extends UnionType<infer Tag, infer V>
          ? VariantValue<Tag, V>
          : T extends MapType<infer K, infer V>
            ? MapValue<K, Value<V>>
            : T extends SetType<infer E>
              ? readonly Value<E>[]
              : T extends BagType<infer E>
                ? readonly (readonly [Value<E>, number])[]
                : T extends SeqType<infer E>
                  ? readonly Value<E>[]
                  : never

/** The value a map key takes in `get(k)` / `set(k, v)`. */
export type Key<K extends KeyType> = Value<K>

// ---- views: how a model reads a state and writes a successor without allocating one ----

export interface MapView<K extends KeyType, V extends Type> {
  /** Scalars and unions read as values; records and containers as nested views. */
  get(key: Key<K>): View<V>
  readonly size: number
  keys(): readonly Key<K>[]
  every(test: (value: View<V>, key: Key<K>) => boolean): boolean
  some(test: (value: View<V>, key: Key<K>) => boolean): boolean
  count(test: (value: View<V>, key: Key<K>) => boolean): number
}
export interface MapDraft<K extends KeyType, V extends Type> extends Omit<MapView<K, V>, 'get'> {
  get(key: Key<K>): Draft<V>
  /** Replace the value at `key` (any value type, records and containers included). */
  set(key: Key<K>, value: Value<V>): void
}

export interface SetView<E extends Type> extends Iterable<Value<E>> {
  has(value: Value<E>): boolean
  readonly size: number
  toArray(): readonly Value<E>[]
  some(test: (value: Value<E>) => boolean): boolean
  every(test: (value: Value<E>) => boolean): boolean
  /** Every element of this set is in `other` (of the same element type). */
  subsetOf(other: SetView<E>): boolean
}
export interface SetDraft<E extends Type> extends SetView<E> {
  add(value: Value<E>): void
  delete(value: Value<E>): void
  clear(): void
}

export interface BagView<E extends Type> {
  count(value: Value<E>): number
  /** Total number of elements, duplicates counted. */
  readonly size: number
  /** Number of distinct elements. */
  readonly distinct: number
  /** The distinct elements with their counts, in canonical order. */
  entries(): readonly (readonly [Value<E>, number])[]
}
export interface BagDraft<E extends Type> extends BagView<E> {
  /** Add one copy of `value`. */
  add(value: Value<E>): void
  /** Remove one copy of `value` (it must be present). */
  remove(value: Value<E>): void
}

export interface SeqView<E extends Type> extends Iterable<Value<E>> {
  readonly length: number
  /** Zero-based. */
  at(index: number): Value<E>
  last(): Value<E> | undefined
  toArray(): readonly Value<E>[]
}
export interface SeqDraft<E extends Type> extends SeqView<E> {
  push(value: Value<E>): void
  set(index: number, value: Value<E>): void
  /** Keep the first `length` elements. */
  truncate(length: number): void
  /** Replace the whole sequence. */
  assign(values: readonly Value<E>[]): void
}

export type RecordView<F extends Fields> = { readonly [K in keyof F]: View<F[K]> }
export type RecordDraft<F extends Fields> = {
  -readonly [K in keyof F]: F[K] extends ScalarType | UnionType<string, Variants> ? Value<F[K]> : Draft<F[K]>
}

export type View<T> = T extends ScalarType | UnionType<string, Variants>
  ? Value<T>
  : T extends RecordType<infer F>
    ? RecordView<F>
    : T extends MapType<infer K, infer V>
      ? MapView<K, V>
      : T extends SetType<infer E>
        ? SetView<E>
        : T extends BagType<infer E>
          ? BagView<E>
          : T extends SeqType<infer E>
            ? SeqView<E>
            : never

export type Draft<T> = T extends ScalarType | UnionType<string, Variants>
  ? Value<T>
  : T extends RecordType<infer F>
    ? RecordDraft<F>
    : T extends MapType<infer K, infer V>
      ? MapDraft<K, V>
      : T extends SetType<infer E>
        ? SetDraft<E>
        : T extends BagType<infer E>
          ? BagDraft<E>
          : T extends SeqType<infer E>
            ? SeqDraft<E>
            : never

export const isScalar = (t: Type): t is ScalarType =>
  t.kind === 'enum' || t.kind === 'bool' || t.kind === 'int' || t.kind === 'node'

/** Number of distinct values of a type, or Infinity when too many to enumerate. */
export function cardinality(t: Type): number {
  switch (t.kind) {
    case 'enum': return t.values.length
    case 'bool': return 2
    case 'int': return t.max - t.min + 1
    case 'node': return t.count + (t.nil ? 1 : 0)
    case 'record': return Object.values(t.fields).reduce((n, f) => n * cardinality(f), 1)
    case 'union':
      return Object.values(t.variants).reduce((n, fields) =>
        n + Object.values(fields).reduce((m, f) => m * cardinality(f), 1), 0)
    case 'map': return cardinality(t.value) ** cardinality(t.key)
    case 'set': return t.capacity === undefined ? 2 ** cardinality(t.elem) : Infinity
    case 'bag': case 'seq': return Infinity
  }
}

/** Plain description of a type, for messages: `enum(working|prepared)`, `set(rm)`. */
export function describe(t: Type): string {
  switch (t.kind) {
    case 'enum': return `enum(${t.values.join('|')})`
    case 'bool': return 'bool'
    case 'int': return `int(${t.min}..${t.max})`
    case 'node': return t.nil ? `${t.role}|nil` : t.role
    case 'record': return `{ ${Object.entries(t.fields).map(([k, f]) => `${k}: ${describe(f)}`).join(', ')} }`
    case 'union': return Object.keys(t.variants).join(' | ')
    case 'map': return `[${describe(t.key)} -> ${describe(t.value)}]`
    case 'set': return `set(${describe(t.elem)})`
    case 'bag': return `bag(${describe(t.elem)})`
    case 'seq': return `seq(${describe(t.elem)})`
  }
}
