// fast-check arbitraries derived from a schema type: random plain values of any declared
// type, for round-trip and canonical-form properties.

import fc from 'fast-check'
import { NIL, type Type } from '../../checker/schema.js'

export function arbitraryOf(type: Type): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'enum': return fc.constantFrom(...type.values)
    case 'bool': return fc.boolean()
    case 'int': return fc.integer({ min: type.min, max: type.max })
    case 'node': return fc.integer({ min: type.nil ? NIL : 0, max: type.count - 1 })
    case 'record': return fc.record(Object.fromEntries(Object.entries(type.fields).map(([k, t]) => [k, arbitraryOf(t)])))
    case 'union':
      return fc.oneof(...Object.entries(type.variants).map(([name, fields]) =>
        fc.record(Object.fromEntries(Object.entries(fields).map(([k, t]) => [k, arbitraryOf(t)]))).map((v) => ({ [type.tag]: name, ...v }))))
    case 'map': {
      const keys = keyCount(type.key)
      const values = fc.array(arbitraryOf(type.value), { minLength: keys, maxLength: keys })
      if (type.key.kind !== 'enum') return values
      const names = type.key.values
      return values.map((vs) => Object.fromEntries(names.map((k, i) => [k, vs[i]])))
    }
    case 'set':
      // Duplicates on purpose: encoding must collapse them.
      return fc.array(arbitraryOf(type.elem), { maxLength: type.capacity ?? 8 })
    case 'bag':
      return fc.uniqueArray(arbitraryOf(type.elem), { maxLength: type.capacity, selector: (v) => JSON.stringify(v) })
        .chain((elems) => fc.tuple(...elems.map((e) => fc.integer({ min: 1, max: type.maxCount }).map((n) => [e, n] as const))))
    case 'seq': return fc.array(arbitraryOf(type.elem), { maxLength: type.maxLength })
  }
}

function keyCount(key: Type): number {
  switch (key.kind) {
    case 'enum': return key.values.length
    case 'bool': return 2
    case 'int': return key.max - key.min + 1
    case 'node': return key.count
    default: throw new Error(`not a key type: ${key.kind}`)
  }
}
