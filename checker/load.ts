// Loading a model (or any module a tool needs: a driver) from a file: the one way models get
// into protocheck, the shipped ones included. A .ts/.mts file loads with no build step
// (typescript-hooks.ts); .js/.mjs load as they are. The module's default export is what is
// wanted. The module a model came from is remembered, because worker threads must load the
// same module again (a function cannot be sent to a thread).

import { existsSync, statSync } from 'node:fs'
import { register } from 'node:module'
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { InputError } from './errors.js'
import type { Model } from './model.js'

let hooksRegistered = false

/** A file path or file: URL as an absolute path. */
const pathOf = (location: string | URL): string =>
  location instanceof URL || location.startsWith('file:') ? fileURLToPath(location) : resolve(location)

/** The default export of the module at `location` (a path or a file: URL). Every problem
 * (no such file, a module that throws while loading, no default export) is one InputError
 * naming the file. */
export async function importDefault(location: string | URL, what: string): Promise<unknown> {
  const path = pathOf(location)
  if (!existsSync(path) || !statSync(path).isFile()) throw new InputError(`cannot load ${what} ${path}: no such file`)
  if (/\.m?ts$/.test(path) && !hooksRegistered) {
    register(new URL('./typescript-hooks.js', import.meta.url))
    hooksRegistered = true
  }
  let namespace: { default?: unknown }
  try {
    namespace = await import(pathToFileURL(path).href)
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new InputError(`cannot load ${what} ${path}: ${message}`)
  }
  if (namespace.default === undefined) throw new InputError(`${path} has no default export (export the ${what} as default)`)
  return namespace.default
}

const sources = new WeakMap<Model, string>()

/** The model that the module at `location` exports as default. */
export async function loadModelModule(location: string | URL): Promise<Model> {
  const model = await importDefault(location, 'model')
  const path = pathOf(location)
  const problem = modelProblem(model)
  if (problem) throw new InputError(`${path} does not export a model as default: ${problem}`)
  sources.set(model as Model, pathToFileURL(path).href)
  return model as Model
}

/** The file: URL of the module a model was loaded from (undefined for a model built in code). */
export const sourceOf = (model: Model): string | undefined => sources.get(model)

/** What is wrong with a value that should be a model (defineModel's result), or null. */
function modelProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return `got ${value === null ? 'null' : typeof value}`
  const m = value as Record<string, unknown>
  if (typeof m.name !== 'string' || m.name === '') return 'it has no name'
  if (typeof m.build !== 'function') return 'it has no build(params, bug) function'
  if (typeof m.params !== 'object' || m.params === null) return 'it has no params (use {} for none)'
  if (typeof m.bugs !== 'object' || m.bugs === null) return 'it has no bugs (use {} for none)'
  return null
}

/** Does this argument name a module file rather than a built-in model? */
export const isModulePath = (nameOrPath: string) =>
  isAbsolute(nameOrPath) || nameOrPath.startsWith('.') || nameOrPath.includes('/') || /\.(m?[jt]s|cjs)$/.test(nameOrPath)
