// Where models, drivers and node processes come from: a built-in protocol's name, or a path
// to a module of the user's. Built-in names are a convenience over module paths: both load
// through checker/load.ts, and a protocol folder is found the same way for both.

import { existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import { importDefault, isModulePath, loadModelModule, sourceOf } from '../checker/load.js'
import type { Model } from '../checker/model.js'
import type { DriverFactory } from '../conformance/driver.js'
import { processDriver, type ProcessDriverOptions } from '../conformance/process-driver.js'
import { builtInProtocols, protocolFolder } from '../protocols/index.js'
import type { Servable } from '../runtime/servable.js'
import type { ItfTrace } from '../traces/itf.js'

/** A built-in model by name, or the model a module file default-exports (a path relative
 * to `base`, the working directory unless a spec file names it). */
export async function loadModel(nameOrPath: string, base = process.cwd()): Promise<Model> {
  if (isModulePath(nameOrPath)) return loadModelModule(resolve(base, nameOrPath))
  if (!(builtInProtocols as readonly string[]).includes(nameOrPath)) {
    throw new InputError(`unknown model '${nameOrPath}' (built-in: ${builtInProtocols.join(', ')}; or a path to a model module, such as ./my-model.ts)`)
  }
  const model = await loadModelModule(new URL('model.js', protocolFolder(nameOrPath)))
  if (model.name !== nameOrPath) throw new Error(`protocols/${nameOrPath}/model exports a model named '${model.name}'`)
  return model
}

/** Every built-in model, in the order `list` shows them. */
export const builtInModels = (): Promise<Model[]> => Promise.all(builtInProtocols.map((name) => loadModel(name)))

/** Module files beside a model that belong to it: `<stem>.<role>.*` (ring.driver.ts beside
 * ring.ts), or `<role>.*` in a protocol folder whose model is model.ts. */
function companion(model: Model, role: string): string | undefined {
  const source = sourceOf(model)
  if (!source) return undefined
  const path = fileURLToPath(source)
  const stem = basename(path).replace(/\.[^.]+$/, '')
  const names = [`${stem}.${role}`, ...(stem === 'model' ? [role] : [])]
  for (const name of names) {
    for (const extension of ['.js', '.mjs', '.ts', '.mts']) {
      const candidate = join(dirname(path), name + extension)
      if (existsSync(candidate)) return candidate
    }
  }
  return undefined
}

/** Where to find a driver: a DriverFactory, a module path, or a process speaking the driver
 * protocol ({ command }). */
export type DriverSource = DriverFactory | string | ProcessDriverOptions

/** The driver of `model`'s implementation: `source` if given (paths relative to the working
 * directory), else the one the model names (relative to its file), else the driver module
 * beside the model. */
export async function loadDriver(model: Model, source?: DriverSource): Promise<DriverFactory> {
  if (typeof source === 'object' && 'start' in source) return source
  if (typeof source === 'object') return processDriver(model, source)
  if (source !== undefined) return importDriver(model, resolve(source))
  const modelFile = sourceOf(model)
  const folder = modelFile ? dirname(fileURLToPath(modelFile)) : process.cwd()
  if (typeof model.driver === 'object') return processDriver(model, { command: model.driver.command, cwd: folder })
  if (typeof model.driver === 'string') return importDriver(model, resolve(folder, model.driver))
  const location = companion(model, 'driver')
  if (!location) {
    throw new InputError(`model '${model.name}' has no driver to replay against (put one beside the model as driver.ts or <model>.driver.ts, or give --driver PATH or --driver-cmd COMMAND)`)
  }
  return importDriver(model, location)
}

async function importDriver(model: Model, location: string): Promise<DriverFactory> {
  const driver = (await importDefault(location, 'driver')) as Partial<DriverFactory>
  if (typeof driver !== 'object' || driver === null || typeof driver.start !== 'function') {
    throw new InputError(`${location} does not export a driver as default (an object with start(params, bug))`)
  }
  if (driver.model !== undefined && driver.model !== model.name) {
    throw new InputError(`${location} drives model '${driver.model}', not '${model.name}'`)
  }
  return driver as DriverFactory
}

/** How `serve` runs `model`'s implementation as node processes (serve.ts beside the model). */
export async function loadServable(model: Model): Promise<Servable> {
  const location = companion(model, 'serve')
  if (!location) throw new InputError(`model '${model.name}' has no node processes to serve (no serve.ts beside its model)`)
  return (await importDefault(location, 'servable')) as Servable
}

/** The model configuration a protocheck trace was written for: `model` (a name or path) if
 * given, else the module its #meta.source names (relative to the trace file) if that is
 * there, else the built-in model its #meta.model names. */
export async function instanceForTrace(trace: ItfTrace, where: { traceFile?: string; model?: string } = {}): Promise<Instance> {
  const meta = trace['#meta'] ?? {}
  if (typeof meta.model !== 'string') {
    throw new InputError(`the trace names no model in #meta.model (written by ${meta.tool ?? meta.source ?? 'another tool'}); only protocheck traces can be decoded`)
  }
  const base = where.traceFile ? dirname(resolve(where.traceFile)) : process.cwd()
  const recorded = typeof meta.source === 'string' && isModulePath(meta.source) ? resolve(base, meta.source) : undefined
  let model: Model
  try {
    if (where.model !== undefined) model = await loadModel(where.model)
    else if (recorded && existsSync(recorded)) model = await loadModelModule(recorded)
    else model = await loadModel(meta.model)
  } catch (e) {
    const hint = recorded ? ` (its model module ${recorded} is not there; give --model PATH)` : ''
    throw new InputError(`the trace's model: ${(e as Error).message}${hint}`)
  }
  if (model.name !== meta.model) throw new InputError(`the trace is of model '${meta.model}', not of '${model.name}'`)
  try {
    return Instance.create(model, meta.params ?? {}, meta.bug ?? undefined)
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`the trace's #meta does not fit ${model.name}: ${e.message}`)
    throw e
  }
}
