// `validate(model, log, options)`: trace validation of a real run's event log against a model
// (docs/log-format.md). Returns the report `validate --json` prints and the longest explained
// prefix of the log as an ITF trace (one behaviour of the model that explains it).

import { InputError } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import type { Model } from '../checker/model.js'
import { readEventLog, type EventLog } from '../conformance/event-log.js'
import { validateLog, type Unexplained, type ValidationResult } from '../conformance/validate.js'
import { traceFromPath, type ItfTrace } from '../traces/itf.js'
import { loadModel } from './load.js'

export interface ValidateSettings {
  /** Params of the model; they override the log header's. */
  params?: Record<string, unknown>
  /** Validate against the model with this bug switch on (default: the correct model). */
  bug?: string
  /** Actions that may happen without a line in the log (default: the header's). */
  unlogged?: readonly string[]
  /** Most unlogged steps before one event (default: the header's, else 1 when any are unlogged). */
  maxUnlogged?: number
  /** Give up (`incomplete`) past this many states in the frontier (default 100,000). */
  maxFrontier?: number
  onProgress?: (explained: number, frontier: number) => void
}

export interface ValidateReport {
  model: string
  params: Record<string, number>
  bug: string | null
  log: string | null
  result: ValidationResult['result']
  events: number
  explained: number
  unexplained: Unexplained | null
  reason: string | null
  unlogged: string[]
  maxUnlogged: number
  maxFrontier: number
  seconds: number
  eventsPerSecond: number
  /** Where the CLI wrote the trace (null from the API), and its length in states. */
  traceFile: string | null
  traceLength: number
}

export interface ValidateOutcome {
  report: ValidateReport
  /** The longest explained prefix as one behaviour of the model; each state's #meta.line is
   * the log line it explains (built on first access). */
  readonly trace: ItfTrace
  instance: Instance
}

/** Validate `log` (a file path or a parsed log) against `model`. */
export async function validate(model: Model | string, log: string | EventLog, settings: ValidateSettings = {}): Promise<ValidateOutcome> {
  const loaded = typeof model === 'string' ? await loadModel(model) : model
  const parsed = typeof log === 'string' ? readEventLog(log) : log
  const { header } = parsed
  if (header.model !== undefined && header.model !== loaded.name) throw new InputError(`the log is of model '${header.model}', not of '${loaded.name}'`)
  const instance = Instance.create(loaded, { ...(header.params ?? {}), ...(settings.params ?? {}) }, settings.bug)
  const r = validateLog(instance, parsed, settings)
  const where = typeof log === 'string' ? log : 'the log'
  const description =
    r.result === 'conforms'
      ? `a behaviour of ${instance.describe()} explaining all ${r.events} events of ${where}`
      : `a behaviour of ${instance.describe()} explaining the first ${r.explained} of ${r.events} events of ${where}${r.unexplained ? ` (line ${r.unexplained.line} is not explained)` : ''}`
  // Built on first use: a long run's trace is large (every state in full), and a caller that
  // only wants the verdict should not pay for it.
  let trace: ItfTrace | undefined
  const buildTrace = () => {
    const { path, pathLines } = r.behaviour()
    trace = traceFromPath(instance, path, { result: r.result, property: null, description })
    trace.states.forEach((s, i) => {
      const line = pathLines[i]
      if (line !== null) s['#meta'] = { ...s['#meta'], line }
      else if (i > 0) s['#meta'] = { ...s['#meta'], unlogged: true }
    })
    return trace
  }
  const report: ValidateReport = {
    model: loaded.name,
    params: instance.config.params,
    bug: settings.bug ?? null,
    log: typeof log === 'string' ? log : null,
    result: r.result,
    events: r.events,
    explained: r.explained,
    unexplained: r.unexplained,
    reason: r.reason,
    unlogged: r.unlogged,
    maxUnlogged: r.maxUnlogged,
    maxFrontier: r.maxFrontier,
    seconds: r.seconds,
    eventsPerSecond: r.eventsPerSecond,
    traceFile: null,
    traceLength: r.pathLength,
  }
  return {
    report,
    get trace() {
      return trace ?? buildTrace()
    },
    instance,
  }
}
