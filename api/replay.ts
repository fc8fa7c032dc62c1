// The library's replay and conformance: a trace replayed on an implementation, and random
// walks of a model followed by it. Drivers are DriverFactory objects, module paths or
// commands speaking the driver protocol; by default, the one the model names, else the
// driver beside the model (driver.ts, or <model>.driver.ts).

import { InputError } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import type { Model } from '../checker/model.js'
import { conform as conformWalks, divergenceTrace, driverFailureTrace, type ConformResult } from '../conformance/conform.js'
import { formatDivergence } from '../conformance/divergence.js'
import { DriverError } from '../conformance/driver.js'
import { replayTrace, type ReplayOptions, type ReplayResult } from '../conformance/replay.js'
import type { ItfTrace } from '../traces/itf.js'
import { readTraceFile, recordedStart } from '../traces/read.js'
import { CheckFailure } from './check.js'
import { instanceForTrace, loadDriver, loadModel, type DriverSource } from './load.js'

export interface ReplaySource extends ReplayOptions {
  /** The model instead of the one the trace records (a Model, name or module path). */
  model?: Model | string
  /** The driver instead of the one the model names or has beside it. */
  driver?: DriverSource
}

/** Replay a trace (an ITF object or a file) on the implementation of its model. */
export async function replay(trace: ItfTrace | string, options: ReplaySource = {}): Promise<ReplayResult> {
  const itf = typeof trace === 'string' ? readTraceFile(trace) : trace
  const traceFile = typeof trace === 'string' ? trace : undefined
  if (typeof options.model === 'object' && options.model.name !== itf['#meta'].model) {
    throw new InputError(`the trace is of model '${itf['#meta'].model}', not of '${options.model.name}'`)
  }
  const instance =
    typeof options.model === 'object'
      ? Instance.create(options.model, itf['#meta'].params ?? {}, itf['#meta'].bug ?? undefined)
      : await instanceForTrace(itf, { traceFile, model: options.model })
  const driver = await loadDriver(instance.model, options.driver)
  return replayTrace(instance, itf, driver, options)
}

export interface ConformSettings {
  params?: Record<string, unknown>
  bug?: string
  driver?: DriverSource
  /** Random walks (default 100). */
  runs?: number
  /** Seed of the walks (default: random; the result says which). */
  seed?: number
  /** Longest walk, in steps (default 50). */
  maxSteps?: number
  /** Also check that the implementation refuses what the model forbids (default true). */
  checkRefusals?: boolean
  /** Half the walks swarm walks (default true; see ConformOptions.swarm). */
  swarm?: boolean
  /** Shrink a divergence to a short walk (default true); false keeps the walk as found. */
  shrink?: boolean
  /** A recorded path of the model (an ITF trace, or its file) that every walk follows first. */
  from?: string | ItfTrace
}

export interface ConformOutcome extends ConformResult {
  /** The shrunk divergence as an ITF trace that `replay` reproduces, or null. */
  trace: ItfTrace | null
  instance: Instance
}

/** Walk `model` at random and make its implementation follow; shrink any divergence. */
export async function conform(model: Model | string, settings: ConformSettings = {}): Promise<ConformOutcome> {
  const loaded = typeof model === 'string' ? await loadModel(model) : model
  const instance = Instance.create(loaded, settings.params ?? {}, settings.bug)
  const driver = await loadDriver(loaded, settings.driver)
  const seed = settings.seed ?? Math.floor(Math.random() * 2 ** 31)
  let result: ConformResult
  try {
    result = await conformWalks(instance, driver, { runs: settings.runs ?? 100, seed, maxSteps: settings.maxSteps ?? 50, checkRefusals: settings.checkRefusals ?? true, swarm: settings.swarm, shrink: settings.shrink, from: settings.from === undefined ? undefined : recordedStart(instance, settings.from, `--from ${typeof settings.from === 'string' ? settings.from : 'trace'}`) })
  } catch (e) {
    if (e instanceof DriverError && e.walk?.length) e.trace = driverFailureTrace(instance, e, seed)
    throw e
  }
  const trace = result.counterexample ? divergenceTrace(instance, result.counterexample, seed) : null
  return { ...result, trace, instance }
}

/** Conform, and throw a CheckFailure (the divergence, and the seed to reproduce it) unless
 * the implementation followed every walk. */
export async function assertConforms(model: Model | string, settings: ConformSettings = {}): Promise<ConformResult> {
  const outcome = await conform(model, settings)
  if (!outcome.counterexample) return outcome
  const lines = [
    `the implementation of ${outcome.instance.describe()} diverged after shrinking to ${outcome.counterexample.steps.length - 1} steps (seed ${outcome.seed}):`,
    ...formatDivergence(outcome.counterexample.divergence!),
  ]
  throw new CheckFailure(lines.join('\n'), outcome, outcome.trace)
}
