// Symmetry reduction (--symmetry): node ids of a role the model declares `symmetric` are
// interchangeable, so states that differ only by a renaming of those ids are one state.
// Each state is fingerprinted by its canonical representative: the least packed words
// over every renaming (every permutation of each symmetric role, together), applied
// wherever the ids occur: node-id values, map keys, inside records, unions, sets, bags
// and sequences (sets and bags re-sorted by encoding). Exact, so distinct counts are the
// number of equivalence classes; the cost is one encoding per permutation, which keeps
// it to small clusters (5 nodes: 120 permutations).

import { InputError, ModelError } from './errors.js'
import type { Schema, Type } from './schema.js'

/** Renames the ids in a plain value: `ids[role][id]` is the new id. */
type Rename = (value: unknown, ids: Readonly<Record<string, readonly number[]>>) => unknown

export class Symmetry {
  /** How many renamings are tried per state. */
  readonly permutations: number
  private readonly renamings: Record<string, number[]>[]
  private readonly rename: Rename
  private readonly candidate: Uint32Array
  private readonly best: Uint32Array

  constructor(private readonly schema: Schema, readonly roles: readonly string[], modelName = 'the model') {
    if (roles.length === 0) throw new InputError(`--symmetry: ${modelName} declares no symmetric roles`)
    const counts = roleCounts(schema.type)
    for (const role of roles) {
      if (!counts.has(role)) throw new ModelError(`symmetric role '${role}' is not a node-id role of the state`)
    }
    this.rename = renamer(schema.type, new Set(roles)) ?? ((v) => v)
    // Every combination of one permutation per role.
    let renamings: Record<string, number[]>[] = [{}]
    for (const role of roles) {
      const perms = permutationsOf(counts.get(role)!)
      renamings = renamings.flatMap((r) => perms.map((p) => ({ ...r, [role]: p })))
    }
    this.renamings = renamings
    this.permutations = renamings.length
    this.candidate = new Uint32Array(schema.words)
    this.best = new Uint32Array(schema.words)
  }

  /** The canonical representative of `words`' class; valid until the next call. */
  canonical(words: Uint32Array): Uint32Array {
    const { schema, candidate, best } = this
    const value = schema.decode(words)
    best.set(words.subarray(0, schema.words))
    for (const ids of this.renamings) {
      candidate.fill(0)
      schema.rootCodec.encode(candidate, 0, this.rename(value, ids))
      if (less(candidate, best)) best.set(candidate)
    }
    return best
  }
}

function less(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i]
  return false
}

/** Role -> node count, for every node-id type in `type`; throws if a role has two counts. */
function roleCounts(type: Type, counts = new Map<string, number>()): Map<string, number> {
  const visit = (t: Type) => roleCounts(t, counts)
  switch (type.kind) {
    case 'node':
      if (counts.has(type.role) && counts.get(type.role) !== type.count) {
        throw new ModelError(`role '${type.role}' has node ids of ${counts.get(type.role)} and of ${type.count} nodes`)
      }
      counts.set(type.role, type.count)
      break
    case 'record': Object.values(type.fields).forEach(visit); break
    case 'union': Object.values(type.variants).forEach((f) => Object.values(f).forEach(visit)); break
    case 'map': visit(type.key); visit(type.value); break
    case 'set': case 'bag': case 'seq': visit(type.elem); break
  }
  return counts
}

/** The renaming function of a type, or null where no symmetric id occurs (left as is). */
function renamer(type: Type, roles: ReadonlySet<string>): Rename | null {
  switch (type.kind) {
    case 'node': {
      const role = type.role
      return roles.has(role) ? (v, ids) => ids[role][v as number] : null
    }
    case 'enum': case 'bool': case 'int':
      return null
    case 'record': {
      const fields = recordRenamer(type.fields, roles)
      return fields && ((v, ids) => Object.freeze(fields(v as Record<string, unknown>, ids)))
    }
    case 'union': {
      const variants = new Map(Object.entries(type.variants).map(([name, f]) => [name, recordRenamer(f, roles)]))
      if ([...variants.values()].every((r) => r === null)) return null
      return (v, ids) => {
        const fields = variants.get((v as Record<string, string>)[type.tag])
        return fields ? Object.freeze(fields(v as Record<string, unknown>, ids)) : v
      }
    }
    case 'map': {
      const value = renamer(type.value, roles) ?? ((v: unknown) => v)
      const key = type.key
      if (key.kind === 'node' && roles.has(key.role)) {
        // The entry at id k moves to the id k is renamed to.
        const role = key.role
        return (v, ids) => {
          const from = v as readonly unknown[]
          const out = new Array(from.length)
          for (let k = 0; k < from.length; k++) out[ids[role][k]] = value(from[k], ids)
          return out
        }
      }
      if (!renamer(type.value, roles)) return null
      if (key.kind === 'enum') {
        return (v, ids) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, value(x, ids)]))
      }
      return (v, ids) => (v as readonly unknown[]).map((x) => value(x, ids))
    }
    case 'set': case 'seq': {
      // Encoding re-sorts a renamed set.
      const elem = renamer(type.elem, roles)
      return elem && ((v, ids) => (v as readonly unknown[]).map((x) => elem(x, ids)))
    }
    case 'bag': {
      const elem = renamer(type.elem, roles)
      return elem && ((v, ids) => (v as readonly (readonly [unknown, number])[]).map(([x, n]) => [elem(x, ids), n]))
    }
  }
}

function recordRenamer(fields: { readonly [name: string]: Type }, roles: ReadonlySet<string>) {
  const renamers = Object.entries(fields).map(([name, t]) => [name, renamer(t, roles)] as const)
  if (renamers.every(([, r]) => r === null)) return null
  return (v: Record<string, unknown>, ids: Readonly<Record<string, readonly number[]>>) => {
    const out: Record<string, unknown> = { ...v }
    for (const [name, r] of renamers) if (r) out[name] = r(v[name], ids)
    return out
  }
}

/** All permutations of 0..n-1 (n! of them), the identity first. */
function permutationsOf(n: number): number[][] {
  if (n === 0) return [[]]
  const out: number[][] = []
  for (const rest of permutationsOf(n - 1)) {
    for (let at = rest.length; at >= 0; at--) out.push([...rest.slice(0, at), n - 1, ...rest.slice(at)])
  }
  return out
}
