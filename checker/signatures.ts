// Node signatures for symmetry reduction: for each node of a symmetric role, a value that
// renaming the nodes cannot change (node k's signature in a state is node p(k)'s in the state
// renamed by p). symmetry.ts sorts nodes by it, so that only renamings in signature order need
// trying. A signature covers every place the node's id occurs (the path through the state's
// type, with the masked value of the collection element it occurs in) and the masked value of
// every map entry it keys. Masking hides each symmetric id (all look alike, Nil apart) and
// treats a map keyed by a symmetric role as the multiset of its values, so no name survives.
//
// Everything is hashed to 32 bits, nothing is built as a string: collections whose order
// renaming may change (sets, bags, maps keyed by a symmetric role, a node's own entries) are
// combined by addition, which ignores order; records and sequences by an ordered mix. Two
// signatures that collide only make a larger group, which symmetry.ts then tries in every
// order; two nodes with equal signatures need not be interchangeable, and symmetry.ts checks
// that separately.

import { NIL, type Type } from './schema.js'

/** Role -> each node's signature, by node id. */
export type Signatures = Map<string, number[]>

/** Hash of a masked value. */
type Mask = (value: unknown) => number
/** Walk a value, reporting each occurrence of a symmetric id and each entry a node keys. */
type Visit = (value: unknown, path: number, context: number, out: (role: string, node: number, entry: number) => void) => void

/** Ordered combination of two hashes (murmur3's mixing steps). */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  h ^= Math.imul(k, 0x1b873593)
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/** A string's hash (FNV-1a), for the names and tags known when a type is compiled. */
function hashText(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h | 0
}

/** The signature function of a state type, for the roles in `counts` (role -> node count). */
export function signer(type: Type, counts: ReadonlyMap<string, number>): (value: unknown) => Signatures {
  const visit = visitor(type, counts)
  return (value) => {
    const sums = new Map([...counts].map(([role, n]) => [role, new Array<number>(n).fill(0)]))
    visit(value, 0, 0, (role, node, entry) => {
      const signature = sums.get(role)!
      signature[node] = (signature[node] + entry) | 0
    })
    return sums
  }
}

function visitor(type: Type, counts: ReadonlyMap<string, number>): Visit {
  switch (type.kind) {
    case 'node': {
      const { role } = type
      if (!counts.has(role)) return () => {}
      return (v, path, context, out) => {
        if (v !== NIL) out(role, v as number, mix(path, context))
      }
    }
    case 'enum': case 'bool': case 'int':
      return () => {}
    case 'record': {
      const fields = Object.entries(type.fields).map(([name, t]) => [name, hashText(name), visitor(t, counts)] as const)
      return (v, path, context, out) => {
        for (const [name, tag, visit] of fields) visit((v as Record<string, unknown>)[name], mix(path, tag), context, out)
      }
    }
    case 'union': {
      const variants = new Map(
        Object.entries(type.variants).map(([tag, fields]) => [tag, Object.entries(fields).map(([name, t]) => [name, hashText(`${tag}.${name}`), visitor(t, counts)] as const)]),
      )
      return (v, path, context, out) => {
        for (const [name, tag, visit] of variants.get((v as Record<string, string>)[type.tag]) ?? []) visit((v as Record<string, unknown>)[name], mix(path, tag), context, out)
      }
    }
    case 'map': {
      const value = visitor(type.value, counts)
      const maskValue = masker(type.value, counts)
      const key = type.key
      if (key.kind === 'node' && counts.has(key.role)) {
        // The entry node k keys belongs to k; ids inside it are seen from the entry.
        const entry = hashText('[]=')
        return (v, path, _context, out) =>
          (v as readonly unknown[]).forEach((x, k) => {
            const masked = maskValue(x)
            out(key.role, k, mix(mix(path, entry), masked))
            value(x, mix(path, entry + 1), masked, out)
          })
      }
      if (key.kind === 'enum') return (v, path, context, out) => Object.entries(v as Record<string, unknown>).forEach(([k, x]) => value(x, mix(path, hashText(k)), context, out))
      return (v, path, context, out) => (v as readonly unknown[]).forEach((x, k) => value(x, mix(path, k), context, out))
    }
    case 'set': case 'bag': {
      // No index: renaming re-sorts a set or a bag.
      const elem = visitor(type.elem, counts)
      const maskElem = masker(type.elem, counts)
      const member = hashText('{}')
      if (type.kind === 'set') return (v, path, _context, out) => (v as readonly unknown[]).forEach((x) => elem(x, mix(path, member), maskElem(x), out))
      return (v, path, _context, out) => (v as readonly (readonly [unknown, number])[]).forEach(([x, n]) => elem(x, mix(path, member), mix(maskElem(x), n), out))
    }
    case 'seq': {
      const elem = visitor(type.elem, counts)
      return (v, path, context, out) => (v as readonly unknown[]).forEach((x, i) => elem(x, mix(path, i), context, out))
    }
  }
}

/** The hash of a value with every symmetric id hidden: the same under any renaming. */
function masker(type: Type, counts: ReadonlyMap<string, number>): Mask {
  switch (type.kind) {
    case 'node':
      return counts.has(type.role) ? (v) => (v === NIL ? 1 : 2) : (v) => mix(3, v as number)
    case 'enum': {
      const hashes = new Map(type.values.map((x) => [x, hashText(x)]))
      return (v) => hashes.get(v as string)!
    }
    case 'bool':
      return (v) => (v ? 5 : 4)
    case 'int':
      return (v) => mix(6, v as number)
    case 'record': {
      const fields = Object.entries(type.fields).map(([name, t]) => [name, masker(t, counts)] as const)
      return (v) => fields.reduce((h, [name, mask]) => mix(h, mask((v as Record<string, unknown>)[name])), 7)
    }
    case 'union': {
      const variants = new Map(Object.entries(type.variants).map(([tag, fields]) => [tag, [hashText(tag), Object.entries(fields).map(([name, t]) => [name, masker(t, counts)] as const)] as const]))
      return (v) => {
        const [tag, fields] = variants.get((v as Record<string, string>)[type.tag])!
        return fields.reduce((h, [name, mask]) => mix(h, mask((v as Record<string, unknown>)[name])), tag)
      }
    }
    case 'map': {
      const value = masker(type.value, counts)
      const key = type.key
      if (key.kind === 'node' && counts.has(key.role)) return (v) => mix(8, (v as readonly unknown[]).reduce<number>((sum, x) => (sum + value(x)) | 0, 0))
      const values = (v: unknown) => (key.kind === 'enum' ? Object.values(v as Record<string, unknown>) : (v as readonly unknown[]))
      return (v) => values(v).reduce<number>((h, x) => mix(h, value(x)), 9)
    }
    case 'set': {
      const elem = masker(type.elem, counts)
      return (v) => mix(10, (v as readonly unknown[]).reduce<number>((sum, x) => (sum + elem(x)) | 0, 0))
    }
    case 'bag': {
      const elem = masker(type.elem, counts)
      return (v) => mix(11, (v as readonly (readonly [unknown, number])[]).reduce<number>((sum, [x, n]) => (sum + mix(elem(x), n)) | 0, 0))
    }
    case 'seq': {
      const elem = masker(type.elem, counts)
      return (v) => (v as readonly unknown[]).reduce<number>((h, x) => mix(h, elem(x)), 12)
    }
  }
}
