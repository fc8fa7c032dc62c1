// Symmetry renames node ids on the packed words (checker/schema/rename-words.ts). On every
// reachable state of models with maps keyed by the renamed role, nil-able ids, sets, bags of
// unions holding sequences, and two renamed roles, and under every renaming, the words it
// writes must be exactly the encoding of the state's value renamed (the way symmetry renamed
// states before, and still does for shapes the word renaming declines).

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { compileWordRenaming } from '../checker/schema/rename-words.js'
import { renamer } from '../checker/symmetry.js'
import { findModel } from './helpers/models.js'
import { permutations } from './helpers/brute-force.js'

const cases: [string, Record<string, number>, number][] = [
  ['two-phase-commit', { rm: 3 }, Infinity],
  ['paxos', { acceptors: 3, values: 2, ballots: 2 }, 1500],
  ['raft', { servers: 3, maxLogLength: 1, maxMessages: 2 }, 1500],
  ['mapreduce-commit', {}, 1500],
  ['lock-service', {}, 1500],
]

for (const [name, params, limit] of cases) {
  test(`renaming on words = encoding the renamed value: ${name}`, () => {
    const instance = Instance.create(findModel(name), params)
    const roles = new Set(instance.protocol.symmetric ?? [])
    assert.ok(roles.size > 0, `${name} declares symmetric roles`)
    const { schema } = instance
    const renameWords = compileWordRenaming(schema.rootCodec, roles)
    assert.ok(renameWords, `${name}: its state is renamed on words`)
    const renameValue = renamer(schema.type, roles)!
    // Every renaming of every role (roles' node counts read from the schema's types).
    const sizes = [...roles].map((role) => [role, countOf(schema.type, role)] as const)
    let renamings: Record<string, number[]>[] = [{}]
    for (const [role, n] of sizes) renamings = renamings.flatMap((r) => permutations(n).map((p) => ({ ...r, [role]: p })))

    const states = reachableWords(instance, limit)
    assert.ok(states.length > 10, `${name}: ${states.length} states`)
    const expected = new Uint32Array(schema.words)
    const actual = new Uint32Array(schema.words)
    let changed = 0
    for (const words of states) {
      const value = schema.decode(words)
      for (const ids of renamings) {
        expected.fill(0)
        schema.rootCodec.encode(expected, 0, renameValue(value, ids))
        actual.fill(0)
        renameWords!(words, actual, ids)
        if (expected.some((w, i) => w !== actual[i])) {
          assert.equal([...actual], [...expected], `${name}: ${JSON.stringify(value)} renamed by ${JSON.stringify(ids)}`)
        }
        if (actual.some((w, i) => w !== words[i])) changed++
      }
    }
    assert.ok(changed > 0, `${name}: some renaming changes some state`)
  })
}

/** Up to `limit` reachable states (as words), breadth first. */
function reachableWords(instance: Instance, limit: number): Uint32Array[] {
  const seen = new Set<string>()
  const out: Uint32Array[] = []
  const visit = (s: Uint32Array) => {
    if (out.length >= limit || !instance.successorWithin()) return
    const key = s.join(',')
    if (!seen.has(key)) {
      seen.add(key)
      out.push(s.slice(0, instance.words))
    }
  }
  instance.initial((_o, _a, _p, s) => visit(s))
  for (let i = 0; i < out.length && out.length < limit; i++) instance.successors(out[i], 0, (_o, _a, _p, s) => visit(s))
  return out
}

/** The node count of `role` in a state type. */
function countOf(type: any, role: string): number {
  if (type.kind === 'node') return type.role === role ? type.count : 0
  const children: any[] =
    type.kind === 'record' ? Object.values(type.fields)
    : type.kind === 'union' ? Object.values(type.variants).flatMap((f: any) => Object.values(f))
    : type.kind === 'map' ? [type.key, type.value]
    : 'elem' in type ? [type.elem] : []
  return Math.max(0, ...children.map((t) => countOf(t, role)))
}

test.run()
