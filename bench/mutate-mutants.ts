// The mutant set of `npm run mutate`: plausible one-line mistakes in the shipped protocols,
// written by hand in bench/mutants/<protocol>.json (a generic mutation tool makes hundreds of
// syntactic changes per file, most of them equivalent or mere noise; these are the mistakes
// engineers make: quorum arithmetic, term and ballot comparisons, a write to stable storage
// left out, truncation, decisions, off-by-one, negated guards). Equivalent mutants are listed
// with the reason in bench/mutants/equivalent.json and left out of the score.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type MutantKind = 'quorum' | 'term' | 'persistence' | 'truncation' | 'decision' | 'off-by-one' | 'guard'
const kinds: readonly MutantKind[] = ['quorum', 'term', 'persistence', 'truncation', 'decision', 'off-by-one', 'guard']

export interface Mutant {
  /** <protocol>/<name> */
  id: string
  protocol: string
  /** The model is judged by `check specs/`, an implementation by `conform`. */
  target: 'model' | 'impl'
  /** Project-relative path of the TypeScript source. */
  file: string
  kind: MutantKind
  find: string
  replace: string
  /** Which occurrence of `find` (1-based) when it is not unique. */
  occurrence?: number
  description: string
  /** The configurations conform runs an implementation mutant on (the file's "conform" list):
   * where the mistakes of this protocol can show, e.g. an even and an odd cluster, or walks
   * that start from a recorded scenario. */
  conformConfigs: readonly ConformConfig[]
  /** Why the mutant cannot be told from the original (from equivalent.json), if it cannot. */
  equivalent?: string
}

export interface ConformConfig {
  params: Readonly<Record<string, number>>
  /** A recorded trace (project-relative) that every walk follows first (`conform --from`). */
  from?: string
}

interface MutantFile {
  protocol: string
  conform?: ConformConfig[]
  mutants: { name: string; file: string; kind: MutantKind; find: string; replace: string; occurrence?: number; description: string }[]
}

export function loadMutants(projectRoot: string): Mutant[] {
  const folder = join(projectRoot, 'bench', 'mutants')
  const equivalent = JSON.parse(readFileSync(join(folder, 'equivalent.json'), 'utf8')) as Record<string, string>
  const mutants: Mutant[] = []
  for (const name of readdirSync(folder).sort()) {
    if (!name.endsWith('.json') || name === 'equivalent.json') continue
    const file = JSON.parse(readFileSync(join(folder, name), 'utf8')) as MutantFile
    for (const m of file.mutants) {
      const id = `${file.protocol}/${m.name}`
      if (!kinds.includes(m.kind)) throw new Error(`${name}: mutant ${id} has unknown kind ${m.kind}`)
      if (m.find === m.replace) throw new Error(`${name}: mutant ${id} changes nothing`)
      if (mutants.some((other) => other.id === id)) throw new Error(`${name}: mutant ${id} is listed twice`)
      mutants.push({
        id,
        protocol: file.protocol,
        target: m.file === 'model.ts' ? 'model' : 'impl',
        file: join('protocols', file.protocol, m.file),
        kind: m.kind,
        find: m.find,
        replace: m.replace,
        occurrence: m.occurrence,
        description: m.description,
        conformConfigs: file.conform ?? [{ params: {} }],
        equivalent: equivalent[id],
      })
    }
  }
  for (const id of Object.keys(equivalent)) {
    if (!mutants.some((m) => m.id === id)) throw new Error(`equivalent.json names ${id}, which is no mutant`)
  }
  return mutants
}
