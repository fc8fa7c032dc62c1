// Spec files: the configurations a repository checks in CI, each with the verdict it
// expects (suite/spec.schema.json). Loading validates every file (ajv, then the model, bug,
// params and properties it names) before anything runs, so a typo fails fast with one line
// naming the file; running checks each spec and judges the verdict against its expectation.

import { Ajv, type ErrorObject } from 'ajv'
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { checkAsync, strategies } from '../checker/check.js'
import { InputError, ModelError, type EvaluationFailure } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import { searchOptions, type SettingName } from '../checker/options.js'
import { checkReport, type CheckReport } from '../checker/report.js'
import { SchemaError } from '../checker/schema.js'
import { Symmetry } from '../checker/symmetry.js'
import type { SearchResult, Verdict } from '../checker/search.js'
import { loadDriver, loadModel, type DriverSource } from '../api/load.js'
import type { DriverFactory } from '../conformance/driver.js'
import { replayTrace } from '../conformance/replay.js'
import { traceFromPath, writeTraceFile } from '../traces/itf.js'
import { readTraceFile, recordedStart } from '../traces/read.js'
import type { Step } from '../checker/path.js'
import { recheckTrace } from './recheck.js'

export interface Expectation {
  result: Verdict
  property?: string
}

export interface Spec {
  /** The file name without .json. */
  name: string
  file: string
  description?: string
  model: string
  params: Record<string, unknown>
  bug?: string
  properties?: string[]
  strategy: string
  symmetry: boolean
  bounds: { maxStates?: number; maxDepth?: number; timeSeconds?: number }
  deadlock: boolean
  /** A recorded counterexample to re-check instead of searching, as the file names it. */
  trace?: string
  /** A recorded path whose last state the search starts from, as the file names it. */
  from?: string
  /** Replay the counterexample on the implementation, which must reproduce it. */
  replay: boolean
  /** The driver replay uses, as the file names it (relative to the file), if not the model's. */
  driver?: string | { command: string; timeoutMs?: number }
  expect: Expectation
}

export interface LoadedSpec {
  spec: Spec
  instance: Instance
  symmetry: Symmetry | undefined
  /** For a spec with a trace: its verdict, judged when the spec is loaded (a trace that no
   * longer fits the model is bad input, like any other spec problem). */
  recorded?: SearchResult
  /** For a spec with `from`: the recorded path, from the model's initial state to the state the
   * search starts at. */
  prefix?: Step[]
  /** For a spec with replay: the implementation's driver, loaded with the spec. */
  driver?: DriverFactory
}

/** A check report, plus which spec it ran and whether the verdict was the expected one. */
export interface SpecReport extends CheckReport {
  spec: string
  file: string
  expected: Expectation
  passed: boolean
  /** For a spec with replay: how the implementation took the counterexample (null when the
   * check gave no counterexample to replay). */
  replay?: { steps: number; reproduced: boolean | null; divergence: string | null } | null
}

/** A bound as a spec file names it. */
const specFieldNames: SettingName = (setting) => `/bounds/${setting}`

const schemaFile = new URL('../../suite/spec.schema.json', import.meta.url)
let validateSpec: ReturnType<Ajv['compile']> | undefined

/** The spec files a list of targets stands for: a folder gives its *.json files (not the
 * schema), sorted so that runs and reports are in a stable order. */
export function specFiles(targets: readonly string[]): string[] {
  const files: string[] = []
  for (const target of targets) {
    let isFolder: boolean
    try {
      isFolder = statSync(target).isDirectory()
    } catch {
      throw new InputError(`${target}: no such file or folder`)
    }
    if (!isFolder) {
      files.push(regularFile(target))
      continue
    }
    const inFolder = readdirSync(target)
      .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
      .sort()
    if (inFolder.length === 0) throw new InputError(`${target}: no spec files (*.json) in this folder`)
    files.push(...inFolder.map((f) => regularFile(join(target, f))))
  }
  return files
}

/** A spec must be a regular file: reading a FIFO or a device would wait forever. */
function regularFile(file: string): string {
  if (!statSync(file).isFile()) throw new InputError(`${file}: not a regular file`)
  return file
}

/** Read, validate and resolve one spec file; every problem is an InputError naming the file. */
export async function loadSpec(file: string): Promise<LoadedSpec> {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`
    throw new InputError(`${file}: ${why}`)
  }
  validateSpec ??= new Ajv({ allErrors: false }).compile(JSON.parse(readFileSync(schemaFile, 'utf8')))
  if (!validateSpec(json)) throw new InputError(`${file}: ${describeSchemaError(validateSpec.errors![0])}`)
  const raw = json as Omit<Spec, 'name' | 'file'> & { $schema?: string }
  const spec: Spec = {
    name: basename(file).replace(/\.json$/, ''),
    file,
    description: raw.description,
    model: raw.model,
    params: raw.params ?? {},
    bug: raw.bug,
    properties: raw.properties,
    strategy: raw.strategy ?? 'bfs',
    symmetry: raw.symmetry ?? false,
    bounds: raw.bounds ?? {},
    deadlock: raw.deadlock ?? true,
    trace: raw.trace,
    from: raw.from,
    replay: raw.replay ?? false,
    driver: raw.driver,
    expect: raw.expect,
  }
  if (spec.expect.property !== undefined && spec.expect.result !== 'violation' && spec.expect.result !== 'never-witnessed') {
    throw new InputError(`${file}: /expect/property only applies when /expect/result is violation or never-witnessed`)
  }
  const searchFields = (['strategy', 'symmetry', 'bounds'] as const).filter((f) => raw[f] !== undefined)
  if (spec.trace !== undefined && spec.from !== undefined) throw new InputError(`${file}: /trace and /from exclude each other (a trace is re-checked, /from starts a search)`)
  if (spec.trace !== undefined && searchFields.length > 0) {
    throw new InputError(`${file}: /${searchFields[0]} does not apply to a spec with a /trace, which is re-checked, not searched`)
  }
  if (spec.replay && spec.expect.result !== 'violation') throw new InputError(`${file}: /replay only applies when /expect/result is violation`)
  if (spec.driver !== undefined && !spec.replay) throw new InputError(`${file}: /driver only applies with /replay`)
  if (!(strategies as readonly string[]).includes(spec.strategy)) {
    throw new InputError(`${file}: /strategy '${spec.strategy}' is not one of ${strategies.join(', ')}`)
  }
  try {
    // A model path is relative to the spec file, so a repository's specs work from anywhere.
    const instance = Instance.create(await loadModel(spec.model, dirname(file)), spec.params, spec.bug, spec.properties)
    const expected = spec.expect.property
    if (expected !== undefined && !instance.allProperties.some((p) => p.name === expected)) {
      throw new InputError(`/expect/property: ${spec.model} has no property '${expected}'`)
    }
    if (expected !== undefined && !(spec.properties ?? [expected]).includes(expected)) {
      throw new InputError(`/expect/property '${expected}' is not among the /properties checked`)
    }
    const symmetry = spec.symmetry ? new Symmetry(instance.schema, instance.protocol.symmetric ?? [], instance.model.name) : undefined
    const driver = spec.replay ? await loadDriver(instance.model, specDriver(spec)) : undefined
    if (spec.from !== undefined) {
      const prefix = recordedStart(instance, resolve(dirname(file), spec.from), `/from ${spec.from}`)
      return { spec, instance, symmetry, driver, prefix }
    }
    if (spec.trace === undefined) return { spec, instance, symmetry, driver }
    const traceFile = resolve(dirname(file), spec.trace)
    try {
      return { spec, instance, symmetry, driver, recorded: recheckTrace(instance, readTraceFile(traceFile), { checkDeadlock: spec.deadlock }) }
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`/trace ${spec.trace}: ${e.message}`)
      throw e
    }
  } catch (e) {
    if (e instanceof InputError || e instanceof ModelError || e instanceof SchemaError) throw new InputError(`${file}: ${e.message}`)
    throw e
  }
}

/** The spec's driver with its paths made absolute: a module relative to the file, a command
 * run in the file's folder. */
function specDriver(spec: Spec): DriverSource | undefined {
  const folder = dirname(resolve(spec.file))
  if (typeof spec.driver === 'string') return resolve(folder, spec.driver)
  if (spec.driver) return { command: spec.driver.command, cwd: folder, timeoutMs: spec.driver.timeoutMs }
  return undefined
}

function describeSchemaError(error: ErrorObject): string {
  const at = error.instancePath || '/'
  switch (error.keyword) {
    case 'additionalProperties':
      return `${at} has an unknown field '${error.params.additionalProperty}'`
    case 'required':
      return `${at} lacks the field '${error.params.missingProperty}'`
    case 'enum':
      return `${at} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return `${at} ${error.message}`
  }
}

/** Did the check give the verdict the spec expects? */
export function matches(expect: Expectation, report: Pick<CheckReport, 'result' | 'property' | 'error'>): boolean {
  // An evaluation error is a bug in the model's code, never the violation a spec expects.
  if (expect.result !== report.result || report.error) return false
  return expect.property === undefined || expect.property === report.property
}

export function formatExpectation(e: { result: string; property?: string | null; error?: EvaluationFailure | null }): string {
  if (e.error) return `evaluation error in ${e.error.in} ${e.error.name}`
  if (e.result === 'violation' && e.property) return `violation of ${e.property}`
  if (e.result === 'never-witnessed' && e.property) return `never witnessed: ${e.property}`
  return e.result
}

/** Check one spec, and replay its counterexample when it asks. A counterexample is written to
 * `traceDir`/<spec>.itf.json when a folder is given. */
export async function runSpec({ spec, instance, symmetry, recorded, prefix, driver }: LoadedSpec, traceDir?: string, interruption?: () => string | null): Promise<SpecReport> {
  const searched =
    recorded ??
    (await checkAsync(prefix ? instance.startingAt(prefix.at(-1)!.state) : instance, spec.strategy, { ...searchOptions(instance, { ...spec.bounds, deadlock: spec.deadlock }, specFieldNames), symmetry, interruption }))
  // A search from a recorded state: its counterexample is the recorded path, then the search's
  // steps, so that it starts from the model's initial state like any other.
  const result = prefix && searched.path ? { ...searched, path: [...prefix, ...searched.path.slice(1)], loop: searched.loop === null ? null : searched.loop + prefix.length - 1 } : searched
  const description = `${formatExpectation(result)} in spec ${spec.name} (${instance.describe()})`
  const trace = result.path ? traceFromPath(instance, result.path, { result: result.result, property: result.property, error: result.error, description, loop: result.loop }) : null
  let traceFile: string | null = null
  if (trace && traceDir) {
    mkdirSync(traceDir, { recursive: true })
    traceFile = join(traceDir, `${spec.name}.itf.json`)
    writeTraceFile(traceFile, trace)
  }
  const report = checkReport(instance, recorded ? 'trace' : spec.strategy, result, traceFile)
  const passed = matches(spec.expect, report)
  if (!driver) return { spec: spec.name, file: spec.file, expected: spec.expect, passed, ...report }
  const replayed = trace && result.result === 'violation' ? await replayTrace(instance, trace, driver) : null
  const replay = replayed && { steps: replayed.steps, reproduced: replayed.reproduced, divergence: replayed.divergence && `step ${replayed.divergence.step} (${replayed.divergence.label}): ${replayed.divergence.reason}` }
  return { spec: spec.name, file: spec.file, expected: spec.expect, passed: passed && replay?.reproduced === true, ...report, replay }
}
