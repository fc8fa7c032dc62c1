// Symmetry reduction (--symmetry): node ids of a role the model declares `symmetric` are
// interchangeable, so states that differ only by a renaming of those ids are one state.
// Each state is fingerprinted by its canonical representative: the least packed words over
// a set of renamings that is the same for every state of a class, applied wherever the ids
// occur: node-id values, map keys, inside records, unions, sets, bags and sequences (sets and
// bags re-sorted by encoding). Exact, so distinct counts are the number of classes.
//
// Trying every permutation costs n! encodings a state (5040 at 7 nodes), so the renamings
// are cut down, as canonical labelling tools do, without losing exactness:
//   - Each node gets a signature that renaming cannot change: where its id occurs, and the
//     values it keys with every symmetric id in them masked (signatures.ts). Only renamings
//     that put the nodes in signature order are tried. A renamed state's nodes have the same
//     signatures, so every state of a class is tried with the same set of renamed states.
//   - Nodes of equal signature form a group; if swapping each two neighbours of a group
//     leaves the state as it is, so does every reordering of the group, and one order is
//     enough. Only groups that fail this (nodes alike in signature but not interchangeable,
//     say two that point at different nodes) are tried in every order.
// Two-phase commit's resource managers are interchangeable whenever their signatures agree,
// so one encoding (plus the swap checks) replaces n! of them.

import { InputError, ModelError } from './errors.js'
import { NIL, type Schema, type Type } from './schema.js'
import { signer, type Signatures } from './signatures.js'
import { compileWordRenaming, type WordRenaming } from './schema/rename-words.js'

/** Renames the ids in a plain value: `ids[role][id]` is the new id. */
type Rename = (value: unknown, ids: Readonly<Record<string, readonly number[]>>) => unknown

export class Symmetry {
  /** How many renamings there are (the product of n! over the roles); far fewer are tried. */
  readonly permutations: number
  /** Renames a state on its words (no decoding, no encoding). */
  private readonly renameWords: WordRenaming
  private readonly sign: (value: unknown) => Signatures
  private readonly counts: Map<string, number>
  /** Every role's identity renaming, for the roles a renaming leaves as they are. */
  private readonly identities: Record<string, number[]>
  private readonly candidate: Uint32Array
  private readonly best: Uint32Array

  constructor(private readonly schema: Schema, readonly roles: readonly string[], modelName = 'the model') {
    if (roles.length === 0) throw new InputError(`--symmetry: ${modelName} declares no symmetric roles`)
    const counts = roleCounts(schema.type)
    for (const role of roles) {
      if (!counts.has(role)) throw new ModelError(`symmetric role '${role}' is not a node-id role of the state`)
    }
    this.renameWords = compileWordRenaming(schema.rootCodec, new Set(roles))
    this.sign = signer(schema.type, new Map(roles.map((role) => [role, counts.get(role)!])))
    this.counts = counts
    this.identities = Object.fromEntries(roles.map((role) => [role, identity(counts.get(role)!)]))
    this.permutations = roles.reduce((n, role) => n * factorial(counts.get(role)!), 1)
    this.candidate = new Uint32Array(schema.words)
    this.best = new Uint32Array(schema.words)
  }

  /** The canonical representative of `words`' class; valid until the next call. */
  canonical(words: Uint32Array): Uint32Array {
    const { schema, candidate, best } = this
    const value = schema.decode(words)
    const signatures = this.sign(value)
    // The renamings to try, each with every role: ids[role][k] is node k's new id.
    let renamings: Record<string, number[]>[] = [{}]
    for (const role of this.roles) {
      const options = this.orders(value, words, role, signatures.get(role)!)
      renamings = renamings.flatMap((r) => options.map((ids) => ({ ...r, [role]: ids })))
    }
    let first = true
    for (const ids of renamings) {
      this.renamed(words, ids)
      if (first || less(candidate, best)) best.set(candidate)
      first = false
    }
    return best
  }

  /** Write the state renamed by `ids` into the candidate buffer. */
  private renamed(words: Uint32Array, ids: Readonly<Record<string, readonly number[]>>) {
    this.candidate.fill(0)
    this.renameWords(words, this.candidate, ids)
  }

  /** The renamings of `role` that put its nodes in signature order, one order per group of
   * interchangeable nodes, every order of a group that is alike but not interchangeable. */
  private orders(value: unknown, words: Uint32Array, role: string, signature: readonly number[]): number[][] {
    const order = signature.map((_, k) => k).sort((a, b) => signature[a] - signature[b])
    let options: number[][] = [order]
    for (let start = 0; start < order.length; ) {
      let end = start + 1
      while (end < order.length && signature[order[end]] === signature[order[start]]) end++
      const group = order.slice(start, end)
      if (group.length > 1 && !this.interchangeable(value, words, role, group)) {
        const reorderings = permutationsOf(group.length)
        options = options.flatMap((o) => reorderings.map((p) => [...o.slice(0, start), ...p.map((i) => group[i]), ...o.slice(end)]))
      }
      start = end
    }
    // An order lists nodes by new id; the renaming maps each node to its place in it.
    return options.map((o) => {
      const ids = new Array<number>(o.length)
      o.forEach((node, place) => (ids[node] = place))
      return ids
    })
  }

  /** Does swapping each two neighbours of `group` leave the state unchanged? Then every
   * reordering of the group does (the swaps generate them all). */
  private interchangeable(value: unknown, words: Uint32Array, role: string, group: readonly number[]): boolean {
    const { schema, candidate } = this
    const ids = identity(this.counts.get(role)!)
    const renaming = { ...this.identities, [role]: ids }
    for (let i = 0; i + 1 < group.length; i++) {
      const [a, b] = [group[i], group[i + 1]]
      ids[a] = b
      ids[b] = a
      this.renamed(words, renaming)
      ids[a] = a
      ids[b] = b
      for (let w = 0; w < schema.words; w++) if (candidate[w] !== words[w]) return false
    }
    return true
  }
}

const identity = (n: number) => Array.from({ length: n }, (_, i) => i)
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))

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

/** The renaming of a plain value of a type, or null where no symmetric id occurs (left as
 * is). Symmetry renames words (schema/rename-words.ts); this value-level renaming is the
 * independent statement of the same thing that its test checks it against. */
export function renamer(type: Type, roles: ReadonlySet<string>): Rename | null {
  switch (type.kind) {
    case 'node': {
      const role = type.role
      if (!roles.has(role)) return null
      return type.nil ? (v, ids) => (v === NIL ? NIL : ids[role][v as number]) : (v, ids) => ids[role][v as number]
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
