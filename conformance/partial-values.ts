// Partially observed values, as event logs give them (docs/log-format.md): a record or union
// may leave out fields and a map may list only some keys. Reading them from ITF, matching a
// model's plain value against them, and showing both sides when they differ.

import { SchemaError, valueFromItf, valueToItf, type KeyType, type Type } from '../checker/schema.js'

/** A partially given value: a map at some keys. Records and unions are partial by leaving out fields. */
export class PartialMap {
  constructor(readonly entries: readonly (readonly [unknown, unknown])[]) {}
}

/** An ITF value as the plain value of `type`, where records and unions may leave out fields
 * and maps may list only some keys. */
export function partialFromItf(type: Type, itf: unknown, path: string): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  switch (type.kind) {
    case 'record': {
      if (!isObject(itf)) throw new SchemaError(`${path}: expected a record, got ${JSON.stringify(itf)?.slice(0, 80)}`)
      const out: Record<string, unknown> = {}
      for (const [name, v] of Object.entries(itf)) {
        const t = type.fields[name]
        if (!t) throw new SchemaError(`${path}: no field '${name}' (fields: ${Object.keys(type.fields).join(', ')})`)
        out[name] = partialFromItf(t, v, `${path}.${name}`)
      }
      return out
    }
    case 'union': {
      if (!isObject(itf)) throw new SchemaError(`${path}: expected a record, got ${JSON.stringify(itf)?.slice(0, 80)}`)
      const tag = itf[type.tag]
      const fields = typeof tag === 'string' && Object.hasOwn(type.variants, tag) ? type.variants[tag] : undefined
      if (!fields) throw new SchemaError(`${path}: expected a ${type.tag} of ${Object.keys(type.variants).join(', ')}, got ${JSON.stringify(tag)}`)
      const out: Record<string, unknown> = { [type.tag]: tag }
      for (const [name, v] of Object.entries(itf)) {
        if (name === type.tag) continue
        const t = fields[name]
        if (!t) throw new SchemaError(`${path}: ${tag} has no field '${name}' (fields: ${Object.keys(fields).join(', ')})`)
        out[name] = partialFromItf(t, v, `${path}.${name}`)
      }
      return out
    }
    case 'map': {
      const pairs = isObject(itf) && Array.isArray(itf['#map']) ? (itf['#map'] as unknown[]) : undefined
      if (!pairs || !pairs.every((p) => Array.isArray(p) && p.length === 2)) throw new SchemaError(`${path}: expected {"#map": [[key, value], ...]}, got ${JSON.stringify(itf)?.slice(0, 80)}`)
      return new PartialMap(
        (pairs as [unknown, unknown][]).map(([k, v]) => {
          const key = valueFromItf(type.key, k, `${path} key`)
          return [key, partialFromItf(type.value, v, `${path}[${JSON.stringify(k)}]`)] as const
        }),
      )
    }
    default:
      return valueFromItf(type, itf, path)
  }
}

/** A test of a plain value of `type` against the partial `expected`, as a closure tree. */
export function matcher(type: Type, expected: unknown): (actual: unknown) => boolean {
  switch (type.kind) {
    case 'enum': case 'bool': case 'int': case 'node':
      return (actual) => actual === expected
    case 'record': case 'union': {
      const fields = type.kind === 'record' ? type.fields : type.variants[(expected as Record<string, string>)[type.tag]]
      const tag = type.kind === 'union' ? type.tag : undefined
      const tests = Object.entries(expected as Record<string, unknown>)
        .filter(([name]) => name !== tag)
        .map(([name, v]) => [name, matcher(fields[name], v)] as const)
      const tagValue = tag === undefined ? undefined : (expected as Record<string, unknown>)[tag]
      return (actual) => {
        const a = actual as Record<string, unknown>
        if (tag !== undefined && a[tag] !== tagValue) return false
        for (const [name, test] of tests) if (!test(a[name])) return false
        return true
      }
    }
    default:
      return (actual) => mismatch(type, expected, actual, '') === null
  }
}

/** Where `actual` (a plain value of `type`) differs from the partial `expected`, or null. */
export function mismatch(type: Type, expected: unknown, actual: unknown, path: string): string | null {
  const differ = (): string => `${path || 'the value'}: observed ${show(type, expected)}, the model has ${show(type, actual)}`
  switch (type.kind) {
    case 'enum': case 'bool': case 'int': case 'node':
      return expected === actual ? null : differ()
    case 'record': {
      const a = actual as Record<string, unknown>
      for (const [name, v] of Object.entries(expected as Record<string, unknown>)) {
        const m = mismatch(type.fields[name], v, a[name], `${path}.${name}`)
        if (m !== null) return m
      }
      return null
    }
    case 'union': {
      const e = expected as Record<string, unknown>
      const a = actual as Record<string, unknown>
      if (e[type.tag] !== a[type.tag]) return differ()
      const fields = type.variants[e[type.tag] as string]
      for (const [name, v] of Object.entries(e)) {
        if (name === type.tag) continue
        const m = mismatch(fields[name], v, a[name], `${path}.${name}`)
        if (m !== null) return m
      }
      return null
    }
    case 'map': {
      if (!(expected instanceof PartialMap)) return differ()
      for (const [k, v] of expected.entries) {
        const m = mismatch(type.value, v, mapGet(type.key, actual, k), `${path}[${JSON.stringify(valueToItf(type.key, k))}]`)
        if (m !== null) return m
      }
      return null
    }
    case 'set': {
      const e = (expected as unknown[]).map((x) => JSON.stringify(valueToItf(type.elem, x))).sort()
      const a = (actual as unknown[]).map((x) => JSON.stringify(valueToItf(type.elem, x))).sort()
      return e.length === a.length && e.every((x, i) => x === a[i]) ? null : differ()
    }
    case 'bag': {
      const key = ([x, n]: [unknown, number]) => `${JSON.stringify(valueToItf(type.elem, x))}*${n}`
      const e = (expected as [unknown, number][]).map(key).sort()
      const a = (actual as [unknown, number][]).map(key).sort()
      return e.length === a.length && e.every((x, i) => x === a[i]) ? null : differ()
    }
    case 'seq': {
      const e = expected as unknown[]
      const a = actual as unknown[]
      if (e.length !== a.length) return differ()
      for (let i = 0; i < e.length; i++) if (JSON.stringify(valueToItf(type.elem, e[i])) !== JSON.stringify(valueToItf(type.elem, a[i]))) return differ()
      return null
    }
  }
}

function mapGet(key: KeyType, map: unknown, k: unknown): unknown {
  switch (key.kind) {
    case 'enum': return (map as Record<string, unknown>)[k as string]
    case 'bool': return (map as unknown[])[k ? 1 : 0]
    case 'int': return (map as unknown[])[(k as number) - key.min]
    case 'node': return (map as unknown[])[k as number]
  }
}

/** A value as compact ITF JSON (partial maps as the pairs given). */
export function show(type: Type, value: unknown): string {
  const text = value instanceof PartialMap || type.kind === 'record' || type.kind === 'union' ? JSON.stringify(partialToItf(type, value)) : JSON.stringify(valueToItf(type, value))
  return text.length > 200 ? `${text.slice(0, 200)}...` : text
}

function partialToItf(type: Type, value: unknown): unknown {
  if (value instanceof PartialMap && type.kind === 'map') return { '#map': value.entries.map(([k, v]) => [valueToItf(type.key, k), partialToItf(type.value, v)]) }
  if (type.kind === 'record') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, partialToItf(type.fields[k], v)]))
  if (type.kind === 'union') {
    const tag = (value as Record<string, unknown>)[type.tag] as string
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, k === type.tag ? v : partialToItf(type.variants[tag][k], v)]))
  }
  return valueToItf(type, value)
}
