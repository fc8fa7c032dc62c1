// Node signatures for symmetry reduction: for each node of a symmetric role, a value that
// renaming the nodes cannot change (node k's signature in a state is node p(k)'s in the state
// renamed by p). symmetry.ts sorts nodes by it, so that only renamings in signature order need
// trying. A signature covers every place the node's id occurs (the path through the state's
// type, with the masked value of the collection element it occurs in) and the masked value of
// every map entry it keys. Masking writes each symmetric id as `*` and each map keyed by a
// symmetric role as the sorted list of its values, so no name survives. The entries are summed
// as hashes, two lanes of them (a sum does not depend on their order; two signatures that
// collide only make a group that symmetry.ts then tries in every order). Two nodes with equal
// signatures need not be interchangeable; symmetry.ts checks that separately.

import { NIL, type Type } from './schema.js'

/** Role -> each node's signature, by node id. */
export type Signatures = Map<string, string[]>

/** FNV-1a over the string's UTF-16 units, from a given offset basis: two bases, two lanes. */
function hash(text: string, basis: number): number {
  let h = basis
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

type Visit = (value: unknown, path: string, context: string, out: (role: string, node: number, entry: string) => void) => void

/** The signature function of a state type, for the roles in `counts` (role -> node count). */
export function signer(type: Type, counts: ReadonlyMap<string, number>): (value: unknown) => Signatures {
  const visit = visitor(type, counts)
  return (value) => {
    const sums = new Map([...counts].map(([role, n]) => [role, new Float64Array(2 * n)]))
    visit(value, '', '', (role, node, entry) => {
      const lanes = sums.get(role)!
      lanes[2 * node] = (lanes[2 * node] + hash(entry, 0x811c9dc5)) % 2 ** 32
      lanes[2 * node + 1] = (lanes[2 * node + 1] + hash(entry, 0x01234567)) % 2 ** 32
    })
    return new Map([...sums].map(([role, lanes]) => [role, Array.from({ length: lanes.length / 2 }, (_, k) => `${lanes[2 * k]}:${lanes[2 * k + 1]}`)]))
  }
}

function visitor(type: Type, counts: ReadonlyMap<string, number>): Visit {
  switch (type.kind) {
    case 'node': {
      const { role } = type
      if (!counts.has(role)) return () => {}
      return (v, path, context, out) => {
        if (v !== NIL) out(role, v as number, `${path}@${context}`)
      }
    }
    case 'enum': case 'bool': case 'int':
      return () => {}
    case 'record': {
      const fields = Object.entries(type.fields).map(([name, t]) => [name, visitor(t, counts)] as const)
      return (v, path, context, out) => {
        for (const [name, visit] of fields) visit((v as Record<string, unknown>)[name], `${path}.${name}`, context, out)
      }
    }
    case 'union': {
      const variants = new Map(Object.entries(type.variants).map(([tag, fields]) => [tag, Object.entries(fields).map(([name, t]) => [name, visitor(t, counts)] as const)]))
      return (v, path, context, out) => {
        const tag = (v as Record<string, string>)[type.tag]
        for (const [name, visit] of variants.get(tag) ?? []) visit((v as Record<string, unknown>)[name], `${path}<${tag}>.${name}`, context, out)
      }
    }
    case 'map': {
      const value = visitor(type.value, counts)
      const maskValue = masker(type.value, counts)
      const key = type.key
      if (key.kind === 'node' && counts.has(key.role)) {
        // The entry node k keys belongs to k; ids inside it are seen from the entry.
        return (v, path, _context, out) =>
          (v as readonly unknown[]).forEach((x, k) => {
            const masked = maskValue(x)
            out(key.role, k, `${path}[]=${masked}`)
            value(x, `${path}[]`, masked, out)
          })
      }
      if (key.kind === 'enum') return (v, path, context, out) => Object.entries(v as Record<string, unknown>).forEach(([k, x]) => value(x, `${path}[${k}]`, context, out))
      return (v, path, context, out) => (v as readonly unknown[]).forEach((x, k) => value(x, `${path}[${k}]`, context, out))
    }
    case 'set': {
      const elem = visitor(type.elem, counts)
      const maskElem = masker(type.elem, counts)
      // No index: renaming re-sorts a set.
      return (v, path, _context, out) => (v as readonly unknown[]).forEach((x) => elem(x, `${path}{}`, maskElem(x), out))
    }
    case 'bag': {
      const elem = visitor(type.elem, counts)
      const maskElem = masker(type.elem, counts)
      return (v, path, _context, out) => (v as readonly (readonly [unknown, number])[]).forEach(([x, n]) => elem(x, `${path}{}`, `${maskElem(x)}x${n}`, out))
    }
    case 'seq': {
      const elem = visitor(type.elem, counts)
      return (v, path, context, out) => (v as readonly unknown[]).forEach((x, i) => elem(x, `${path}[${i}]`, context, out))
    }
  }
}

/** A value as a string with every symmetric id hidden, unchanged by any renaming. */
function masker(type: Type, counts: ReadonlyMap<string, number>): (value: unknown) => string {
  switch (type.kind) {
    case 'node':
      return counts.has(type.role) ? (v) => (v === NIL ? 'nil' : '*') : (v) => String(v)
    case 'enum': case 'bool': case 'int':
      return (v) => String(v)
    case 'record': {
      const fields = Object.entries(type.fields).map(([name, t]) => [name, masker(t, counts)] as const)
      return (v) => `{${fields.map(([name, mask]) => mask((v as Record<string, unknown>)[name])).join(',')}}`
    }
    case 'union': {
      const variants = new Map(Object.entries(type.variants).map(([tag, fields]) => [tag, Object.entries(fields).map(([name, t]) => [name, masker(t, counts)] as const)]))
      return (v) => {
        const tag = (v as Record<string, string>)[type.tag]
        return `${tag}{${(variants.get(tag) ?? []).map(([name, mask]) => mask((v as Record<string, unknown>)[name])).join(',')}}`
      }
    }
    case 'map': {
      const value = masker(type.value, counts)
      const key = type.key
      if (key.kind === 'node' && counts.has(key.role)) return (v) => `[${(v as readonly unknown[]).map(value).sort().join(',')}]`
      if (key.kind === 'enum') return (v) => `[${Object.values(v as Record<string, unknown>).map(value).join(',')}]`
      return (v) => `[${(v as readonly unknown[]).map(value).join(',')}]`
    }
    case 'set': {
      const elem = masker(type.elem, counts)
      return (v) => `{${(v as readonly unknown[]).map(elem).sort().join(',')}}`
    }
    case 'bag': {
      const elem = masker(type.elem, counts)
      return (v) => `{${(v as readonly (readonly [unknown, number])[]).map(([x, n]) => `${elem(x)}x${n}`).sort().join(',')}}`
    }
    case 'seq': {
      const elem = masker(type.elem, counts)
      return (v) => `<${(v as readonly unknown[]).map(elem).join(',')}>`
    }
  }
}
