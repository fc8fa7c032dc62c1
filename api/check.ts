// The library's exhaustive check: `check(model, options)` returns the same report the CLI's
// `check --json` prints, with the counterexample as an ITF trace; `assertSafe` throws a
// readable report instead (fast-check's check/assert split).

import { checkAsync, refuseUnsoundLiveness, type Strategy } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import type { Model } from '../checker/model.js'
import { searchOptions, type CheckSettings, type SettingName } from '../checker/options.js'
import { checkReport, summaryLines, type CheckReport } from '../checker/report.js'
import type { Progress, SearchOptions } from '../checker/search.js'
import { traceFromPath, type ItfTrace } from '../traces/itf.js'
import { toolVersion } from '../traces/version.js'
import { formatTrace, plain } from '../traces/show/text.js'
import { loadModel } from './load.js'

export interface CheckOptions extends CheckSettings {
  params?: Record<string, unknown>
  bug?: string
  /** Check only these properties (default: every property the model declares). */
  properties?: readonly string[]
  strategy?: Strategy
  onProgress?: (progress: Progress) => void
  /** Called once the model is built for its configuration, before the search starts. */
  onStart?: (instance: Instance, options: SearchOptions) => void
  /** Polled now and then: a reason to stop (the result is then `incomplete`), or null. */
  interruption?: () => string | null
}

export interface CheckOutcome {
  report: CheckReport
  /** The counterexample (violation or deadlock), or null. */
  trace: ItfTrace | null
  instance: Instance
}

/** Exhaustively check one configuration of `model` (a Model, a built-in name or a module path). */
export async function check(model: Model | string, options: CheckOptions = {}, names?: SettingName): Promise<CheckOutcome> {
  const loaded = typeof model === 'string' ? await loadModel(model) : model
  const instance = Instance.create(loaded, options.params ?? {}, options.bug, options.properties)
  const strategy = options.strategy ?? 'bfs'
  const search = { ...searchOptions(instance, options, names), onProgress: options.onProgress, interruption: options.interruption }
  refuseUnsoundLiveness(instance, strategy, search)
  if (search.persistence) search.persistence.toolVersion = toolVersion
  options.onStart?.(instance, search)
  const result = await checkAsync(instance, strategy, search)
  const trace = result.path && traceFromPath(instance, result.path, { result: result.result, property: result.property, error: result.error, loop: result.loop })
  return { report: checkReport(instance, strategy, result, null), trace, instance }
}

/** Thrown by the assert-style functions: its message is the whole report, trace included. */
export class CheckFailure extends Error {
  constructor(message: string, readonly report: unknown, readonly trace: ItfTrace | null) {
    super(message)
    this.name = 'CheckFailure'
  }
}

/** Check, and throw a CheckFailure (summary and counterexample) unless the result is `safe`. */
export async function assertSafe(model: Model | string, options: CheckOptions = {}): Promise<CheckReport> {
  const { report, trace, instance } = await check(model, options)
  if (report.result === 'safe') return report
  const lines = [`${instance.describe()} is not safe:`, ...summaryLines(report)]
  if (trace) lines.push('counterexample:', ...formatTrace(trace, plain))
  throw new CheckFailure(lines.join('\n'), report, trace)
}
