// Plain values <-> ITF values (Apalache ADR-015), derived from the declared type.
// Sets are {"#set"}, maps and bags (element -> count) are {"#map"}, sequences are arrays,
// records and unions are objects (a union's tag is a field, as in TLA+ message records),
// node ids are strings like "rm2". Reading also accepts what Quint writes: integers as
// {"#bigint"} and variants as {"tag", "value"}.

import { SchemaError } from './codecs.js'
import { NIL, type KeyType, type Type } from './types.js'

export type ItfValue = null | boolean | number | string | ItfValue[] | { [key: string]: ItfValue }

/** How ITF writes a nil-able node id that is NIL: as raft.tla's model value Nil. */
export const NIL_ITF = 'Nil'

export function nodeName(role: string, id: number) {
  return `${role}${id + 1}`
}

export function toItf(type: Type, value: unknown): ItfValue {
  switch (type.kind) {
    case 'enum': case 'bool': case 'int': return value as ItfValue
    case 'node': return type.nil && value === NIL ? NIL_ITF : nodeName(type.role, value as number)
    case 'record': {
      const out: Record<string, ItfValue> = {}
      for (const [name, t] of Object.entries(type.fields)) out[name] = toItf(t, (value as Record<string, unknown>)[name])
      return out
    }
    case 'union': {
      const v = value as Record<string, unknown>
      const tag = v[type.tag] as string
      const out: Record<string, ItfValue> = { [type.tag]: tag }
      for (const [name, t] of Object.entries(type.variants[tag])) out[name] = toItf(t, v[name])
      return out
    }
    case 'map':
      return { '#map': mapEntries(type.key, value).map(([k, v]) => [toItf(type.key, k), toItf(type.value, v)]) }
    case 'set': return { '#set': (value as unknown[]).map((e) => toItf(type.elem, e)) }
    case 'bag': return { '#map': (value as [unknown, number][]).map(([e, n]) => [toItf(type.elem, e), n]) }
    case 'seq': return (value as unknown[]).map((e) => toItf(type.elem, e))
  }
}

/** Decode an ITF value to the plain value of `type`; `path` names the place in errors. */
export function fromItf(type: Type, itf: unknown, path: string): unknown {
  const fail = (what: string): never => {
    throw new SchemaError(`${path}: expected ${what}, got ${JSON.stringify(itf)?.slice(0, 80)}`)
  }
  switch (type.kind) {
    case 'enum':
      return typeof itf === 'string' && type.values.includes(itf) ? itf : fail(`one of ${type.values.join(', ')}`)
    case 'bool':
      return typeof itf === 'boolean' ? itf : fail('a boolean')
    case 'int': {
      const n = integer(itf) ?? fail('an integer')
      return n >= type.min && n <= type.max ? n : fail(`an integer in ${type.min}..${type.max}`)
    }
    case 'node': {
      if (type.nil && itf === NIL_ITF) return NIL
      const match = typeof itf === 'string' && itf.startsWith(type.role) ? Number(itf.slice(type.role.length)) : NaN
      return Number.isInteger(match) && match >= 1 && match <= type.count
        ? match - 1
        : fail(`a ${type.role} id (${nodeName(type.role, 0)}..${nodeName(type.role, type.count - 1)})${type.nil ? ` or ${NIL_ITF}` : ''}`)
    }
    case 'record': {
      const obj = isObject(itf) ? itf : fail('a record')
      return Object.freeze(Object.fromEntries(
        Object.entries(type.fields).map(([name, t]) => [name, fromItf(t, obj[name], `${path}.${name}`)])))
    }
    case 'union': {
      let obj = isObject(itf) ? itf : fail('a record')
      // Quint writes a variant as { tag: Name, value: payload }.
      if (type.tag !== 'tag' && typeof obj.tag === 'string' && 'value' in obj && !(type.tag in obj)) {
        obj = { ...(isObject(obj.value) ? obj.value : {}), [type.tag]: obj.tag }
      }
      const tag = obj[type.tag]
      const fields = typeof tag === 'string' ? type.variants[tag] : undefined
      if (!fields) fail(`a ${type.tag} of ${Object.keys(type.variants).join(', ')}`)
      return Object.freeze({
        [type.tag]: tag,
        ...Object.fromEntries(Object.entries(fields!).map(([name, t]) => [name, fromItf(t, obj[name], `${path}.${name}`)])),
      })
    }
    case 'map': {
      const pairs = mapPairs(itf) ?? fail('{"#map": [...]}')
      const byKey = new Map<unknown, unknown>()
      for (const [k, v] of pairs) byKey.set(fromItf(type.key, k, `${path} key`), v)
      const keys = domainKeys(type.key)
      const values = keys.map((k) => {
        if (!byKey.has(k)) fail(`a map with key ${JSON.stringify(toItf(type.key, k))}`)
        return fromItf(type.value, byKey.get(k), `${path}[${JSON.stringify(toItf(type.key, k))}]`)
      })
      if (byKey.size !== keys.length) fail(`a map over exactly ${keys.length} keys`)
      return Object.freeze(type.key.kind === 'enum' ? Object.fromEntries(keys.map((k, i) => [k, values[i]])) : values)
    }
    case 'set': {
      const elems = isObject(itf) && Array.isArray(itf['#set']) ? itf['#set'] : fail('{"#set": [...]}')
      return Object.freeze(elems.map((e, i) => fromItf(type.elem, e, `${path}[${i}]`)))
    }
    case 'bag': {
      const pairs = mapPairs(itf) ?? fail('{"#map": [[element, count], ...]}')
      return Object.freeze(pairs.map(([e, n], i) =>
        Object.freeze([fromItf(type.elem, e, `${path}[${i}]`), integer(n) ?? fail('an integer count')])))
    }
    case 'seq': {
      const elems = Array.isArray(itf) ? itf : fail('an array')
      return Object.freeze(elems.map((e, i) => fromItf(type.elem, e, `${path}[${i}]`)))
    }
  }
}

/** An integer written as a JSON number or as {"#bigint": "..."}; undefined otherwise. */
export function integer(itf: unknown): number | undefined {
  if (typeof itf === 'number' && Number.isSafeInteger(itf)) return itf
  if (isObject(itf) && typeof itf['#bigint'] === 'string' && /^-?\d+$/.test(itf['#bigint'])) {
    const n = Number(itf['#bigint'])
    return Number.isSafeInteger(n) ? n : undefined
  }
  return undefined
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function mapPairs(itf: unknown): [unknown, unknown][] | undefined {
  if (!isObject(itf) || !Array.isArray(itf['#map'])) return undefined
  const pairs = itf['#map']
  return pairs.every((p) => Array.isArray(p) && p.length === 2) ? (pairs as [unknown, unknown][]) : undefined
}

function domainKeys(key: KeyType): unknown[] {
  switch (key.kind) {
    case 'enum': return [...key.values]
    case 'bool': return [false, true]
    case 'int': return Array.from({ length: key.max - key.min + 1 }, (_, i) => key.min + i)
    case 'node': return Array.from({ length: key.count }, (_, i) => i)
  }
}

function mapEntries(key: KeyType, value: unknown): [unknown, unknown][] {
  const keys = domainKeys(key)
  return key.kind === 'enum'
    ? keys.map((k) => [k, (value as Record<string, unknown>)[k as string]])
    : keys.map((k, i) => [k, (value as unknown[])[i]])
}
