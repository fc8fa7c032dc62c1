// A scratch copy of the built project in which one mutant at a time replaces one compiled
// file. The working tree and its dist/ are never written: each job of `npm run mutate` gets its
// own copy of dist/ in a temporary folder (the rest of the project is linked, read-only), the
// mutated TypeScript source is transpiled by esbuild into that copy (milliseconds, where a tsc
// build takes half a minute), and the original compiled file is put back after the run.

import { transform } from 'esbuild'
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { Mutant } from './mutate-mutants.js'

export class Workspace {
  /** The copy's root: dist/ copied, every other top-level entry of the project linked. */
  readonly root: string

  constructor(
    private readonly projectRoot: string,
    folder: string,
  ) {
    this.root = folder
    mkdirSync(folder, { recursive: true })
    for (const entry of readdirSync(projectRoot)) {
      if (entry === 'dist' || entry === '.git') continue
      symlinkSync(join(projectRoot, entry), join(folder, entry))
    }
    // Tests and benches are not what a mutant is judged by: leave them out of the copy.
    const skipped = [join(projectRoot, 'dist', 'test'), join(projectRoot, 'dist', 'bench')]
    cpSync(join(projectRoot, 'dist'), join(folder, 'dist'), { recursive: true, filter: (source) => !skipped.some((s) => source === s || source.startsWith(s + sep)) })
  }

  /** The CLI of the copy. */
  get cli(): string {
    return join(this.root, 'dist', 'cli.js')
  }

  /** Compile `source` with the mutant applied into the copy's dist/; returns a function that
   * puts the original compiled file back. */
  async apply(mutant: Mutant): Promise<() => void> {
    const source = readFileSync(join(this.projectRoot, mutant.file), 'utf8')
    const mutated = applyToSource(source, mutant)
    const compiled = await transform(mutated, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: mutant.file })
    const target = compiledPath(mutant.file)
    writeFileSync(join(this.root, target), compiled.code)
    return () => copyFileSync(join(this.projectRoot, target), join(this.root, target))
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true })
  }
}

/** protocols/raft/model.ts -> dist/protocols/raft/model.js */
export const compiledPath = (file: string): string => join('dist', relative('.', file).replace(/\.ts$/, '.js'))

/** The source with the mutant's one change made. The text to find must occur exactly once (or
 * the mutant names which occurrence), so that a mutant never silently lands elsewhere after the
 * source changed. */
export function applyToSource(source: string, mutant: Mutant): string {
  const occurrences: number[] = []
  for (let at = source.indexOf(mutant.find); at >= 0; at = source.indexOf(mutant.find, at + 1)) occurrences.push(at)
  const nth = mutant.occurrence ?? 1
  if (occurrences.length === 0) throw new Error(`mutant ${mutant.id}: "${mutant.find}" is not in ${mutant.file} (the source changed: update the mutant)`)
  if (mutant.occurrence === undefined && occurrences.length > 1) {
    throw new Error(`mutant ${mutant.id}: "${mutant.find}" occurs ${occurrences.length} times in ${mutant.file}: make it unique or give "occurrence"`)
  }
  if (nth > occurrences.length) throw new Error(`mutant ${mutant.id}: occurrence ${nth} of "${mutant.find}" is not in ${mutant.file}`)
  const at = occurrences[nth - 1]
  return source.slice(0, at) + mutant.replace + source.slice(at + mutant.find.length)
}
