// Node module hooks (module.register) that let protocheck import a user's TypeScript model
// with no build step. Every .ts/.mts file is compiled by esbuild to an ES module, whatever
// the nearest package.json says: a model file is written with `import`/`export`, and
// treating it as CommonJS in a project without "type": "module" (what tsx does) fails on
// Node 20 with ERR_REQUIRE_CYCLE_MODULE. Types are erased, not checked: `tsc` checks them.

import { readFile } from 'node:fs/promises'
import { transform } from 'esbuild'

type Resolve = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string }>
type Load = (url: string, context: object) => Promise<{ format?: string; source?: unknown }>

const typescript = /\.m?ts$/

/** `import './peer.js'` in a .ts file names peer.ts (TypeScript's NodeNext convention). */
export async function resolve(specifier: string, context: { parentURL?: string }, nextResolve: Resolve) {
  try {
    return await nextResolve(specifier, context)
  } catch (error) {
    const fromTypescript = context.parentURL !== undefined && typescript.test(new URL(context.parentURL).pathname)
    if (!fromTypescript || !specifier.startsWith('.') || !/\.m?js$/.test(specifier)) throw error
    return nextResolve(specifier.replace(/js$/, 'ts'), context)
  }
}

export async function load(url: string, context: object, nextLoad: Load) {
  if (!url.startsWith('file:') || !typescript.test(new URL(url).pathname)) return nextLoad(url, context)
  const path = new URL(url)
  const source = await readFile(path, 'utf8')
  const { code } = await transform(source, { loader: 'ts', format: 'esm', sourcefile: path.pathname, sourcemap: 'inline', target: 'node20' })
  return { format: 'module', source: code, shortCircuit: true }
}
