// The library's simulation: seeded random walks through a model, on worker threads if asked.
// Proves nothing, finds bugs in state spaces too big to search.

import { randomInt } from 'node:crypto'
import { InputError } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import { MAX_SEED } from '../checker/random.js'
import type { Model } from '../checker/model.js'
import { libraryNames, positiveNumber, wholeNumber, type SettingName } from '../checker/options.js'
import { simulation, type SimulationProgress, type SimulationResult } from '../checker/simulate.js'
import { completeAsync } from '../checker/search.js'
import { simulateInWorkers } from '../checker/swarm.js'
import { minimizePath } from '../checker/minimize.js'
import { traceFromPath, type ItfTrace } from '../traces/itf.js'
import { loadModel } from './load.js'

export interface SimulateOptions {
  params?: Record<string, unknown>
  bug?: string
  seed?: number
  /** Walks (default 1000). */
  runs?: number
  /** The most steps a walk takes (default 100). */
  depth?: number
  timeSeconds?: number
  workers?: number
  deadlock?: boolean
  swarm?: boolean
  /** Minimise a failing walk (default true). */
  minimize?: boolean
  onProgress?: (progress: SimulationProgress) => void
  /** Polled between walks: a reason to stop now (the CLI's Ctrl-C and SIGTERM), or null.
   * An interrupted simulation ends `incomplete` with the walks run so far. */
  interruption?: () => string | null
  /** Called once the model is built and the seed chosen, before the first walk. */
  onStart?: (instance: Instance, seed: number) => void
}

export interface SimulateOutcome {
  result: SimulationResult
  seed: number
  /** The failing walk, minimised unless asked not to, as ITF; null if none failed. */
  trace: ItfTrace | null
  instance: Instance
}

export async function simulate(model: Model | string, options: SimulateOptions = {}, names: SettingName = libraryNames): Promise<SimulateOutcome> {
  const loaded = typeof model === 'string' ? await loadModel(model) : model
  const instance = Instance.create(loaded, options.params ?? {}, options.bug)
  const seed = options.seed ?? randomInt(0, 2 ** 31)
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError(`${names('seed')} needs a whole number from 0 to ${MAX_SEED}, got '${seed}'`)
  const settings = {
    seed,
    runs: wholeNumber(names('runs'), options.runs ?? 1000)!,
    depth: wholeNumber(names('depth'), options.depth ?? 100)!,
    timeSeconds: positiveNumber(names('timeSeconds'), options.timeSeconds),
    checkDeadlock: options.deadlock ?? true,
    swarm: options.swarm ?? false,
    onProgress: options.onProgress,
    interruption: options.interruption,
  }
  const workers = wholeNumber(names('workers'), options.workers ?? 1)!
  options.onStart?.(instance, seed)
  const result = workers > 1 ? await simulateInWorkers(instance, settings, workers) : await completeAsync(simulation(instance, settings))
  let path = result.path
  // The minimiser keeps a trace ending in the same broken property (or deadlock); an
  // evaluation error is left as the walk found it.
  if (path && (options.minimize ?? true) && result.error === null) {
    const failure = result.result === 'violation' ? { result: 'violation' as const, property: result.property! } : { result: 'deadlock' as const }
    path = minimizePath(instance, path, failure).path
  }
  const walkLength = result.path?.length ?? 0
  const trace =
    path &&
    traceFromPath(instance, path, {
      result: result.result,
      property: result.property,
      error: result.error,
      seed,
      description:
        `${result.error ? `evaluation error (${result.error.in} ${result.error.name} threw: ${result.error.message})` : `${result.result}${result.property ? ` of ${result.property}` : ''}`} in ${instance.describe()}, found by simulation ` +
        `(seed ${seed}, walk ${result.failingRun})${path.length < walkLength ? `, minimised from ${walkLength} to ${path.length} states` : ''}`,
    })
  return { result, seed, trace, instance }
}
