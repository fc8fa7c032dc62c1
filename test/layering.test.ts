// The architecture's rules, checked on the sources: the engine knows no protocol (nothing
// under checker/ imports outside it), a model never imports its implementation or driver
// (directly or through another file), and the trace, conformance and runtime layers name
// no protocol. A change that breaks a rule fails here, naming the import.

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = fileURLToPath(new URL('../../', import.meta.url))

function sources(folder: string): string[] {
  return readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name)
    if (statSync(join(root, path)).isDirectory()) return sources(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

/** The repository files a source file imports (relative specifiers only), as paths from the root. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1])
  return specifiers.map((s) => relative(root, resolve(dirname(join(root, file)), s)).replace(/\.js$/, '.ts'))
}

function reachable(file: string, seen = new Set<string>()): Set<string> {
  for (const target of imports(file)) {
    if (seen.has(target)) continue
    seen.add(target)
    reachable(target, seen)
  }
  return seen
}

test('the engine (checker/) imports nothing outside checker/', () => {
  const outside = sources('checker').flatMap((file) => imports(file).filter((t) => !t.startsWith('checker/')).map((t) => `${file} -> ${t}`))
  assert.equal(outside, [])
})

test('no model imports an implementation, a driver, the runtime or conformance (even indirectly)', () => {
  const models = readdirSync(join(root, 'protocols')).filter((p) => statSync(join(root, 'protocols', p)).isDirectory()).map((p) => `protocols/${p}/model.ts`)
  assert.ok(models.length >= 6, `found the models: ${models.join(', ')}`)
  const forbidden = /^protocols\/[^/]+\/(impl\/|driver\.ts|serve\.ts)|^(runtime|conformance|api|commands|suite)\//
  const broken = models.flatMap((model) => [...reachable(model)].filter((t) => forbidden.test(t)).map((t) => `${model} -> ${t}`))
  assert.equal(broken, [])
})

test('traces, conformance and runtime name no protocol and no CLI', () => {
  const layers = ['traces', 'conformance', 'runtime'].flatMap(sources)
  const broken = layers.flatMap((file) => imports(file).filter((t) => /^(protocols|api|commands)\//.test(t)).map((t) => `${file} -> ${t}`))
  assert.equal(broken, [])
})

test('the rules above can fail: an import of an implementation from a model is seen', () => {
  // The checks read real import statements; this pins that the parser sees the shapes used.
  const driverImports = imports('protocols/two-phase-commit/driver.ts')
  assert.ok(driverImports.some((t) => t.startsWith('protocols/two-phase-commit/impl/')), driverImports.join(', '))
})

test.run()
