// The check report: the JSON object of the CLI contract and the console summary, in the
// manner of Stateright's `states= unique= depth= sec=` and TLC's closing lines.

import type { EvaluationFailure } from './errors.js'
import type { Instance } from './instance.js'
import type { SearchResult, Verdict } from './search.js'

/** The search's figures (all but the path, which goes to `traceFile`) and what was checked. */
export interface CheckReport extends Omit<SearchResult, 'path'> {
  model: string
  params: Record<string, number>
  bug: string | null
  strategy: string
  statesPerSecond: number
  traceFile: string | null
  traceLength: number | null
}

export const exitCodes: Record<Verdict, number> = { safe: 0, violation: 1, deadlock: 1, 'never-witnessed': 1, incomplete: 3 }

export function checkReport(instance: Instance, strategy: string, r: SearchResult, traceFile: string | null): CheckReport {
  return {
    model: instance.model.name,
    params: instance.config.params,
    bug: instance.config.bug ?? null,
    strategy,
    result: r.result,
    property: r.property,
    error: r.error,
    reason: r.reason,
    distinctStates: r.distinctStates,
    generatedStates: r.generatedStates,
    depth: r.depth,
    seconds: round(r.seconds, 3),
    statesPerSecond: Math.round(r.distinctStates / Math.max(r.seconds, 1e-6)),
    collisionProbability: r.collisionProbability,
    traceFile,
    traceLength: r.path ? r.path.length : null,
    loop: r.loop,
    vacuous: r.vacuous,
    unchecked: r.unchecked,
    coverage: r.coverage,
  }
}

/** The closing lines of a check on the console. */
export function summaryLines(report: CheckReport): string[] {
  const lines: string[] = []
  switch (report.result) {
    case 'safe':
      lines.push('result: safe (no property violated, every state explored)')
      break
    case 'violation':
      if (report.error) lines.push(`result: evaluation error: ${evaluationErrorLine(report.error)}`)
      else lines.push(`result: violation of ${report.property}${report.reason ? ` (${report.reason})` : ''}`)
      break
    case 'deadlock':
      lines.push('result: deadlock (a reachable state where no step is enabled; --no-deadlock to allow)')
      break
    case 'never-witnessed':
      lines.push(`result: never witnessed: ${report.reason} (a sometimes-property no state satisfies: the model may be safe only because nothing happens)`)
      break
    case 'incomplete':
      lines.push(`result: incomplete (${report.reason}); nothing was proved`)
      break
  }
  if (report.unchecked) lines.push(`not checked: ${report.unchecked.properties.join(', ')} (${report.unchecked.why})`)
  lines.push(
    `states=${report.generatedStates} unique=${report.distinctStates} depth=${report.depth} ` +
      `sec=${report.seconds} (${report.statesPerSecond.toLocaleString('en-US')} distinct states/s)`,
  )
  lines.push(`fingerprint collision probability: ${report.collisionProbability.toExponential(1)} (optimistic, as TLC computes it)`)
  const coverage = Object.entries(report.coverage)
  lines.push(`coverage: ${coverage.map(([a, n]) => `${a} ${n}`).join(', ')}`)
  const never = coverage.filter(([, n]) => n === 0).map(([a]) => a)
  if (never.length && report.result !== 'incomplete') lines.push(`warning: actions never enabled: ${never.join(', ')}`)
  if (report.loop !== null) lines.push(`the counterexample is a lasso: after its last state it returns to state ${report.loop}, forever`)
  for (const name of report.vacuous) lines.push(`vacuous: ${name} holds only because its premise (from) holds in no reachable state`)
  if (report.traceFile) lines.push(`trace written to ${report.traceFile} (${report.traceLength} states)`)
  return lines
}

/** `property Safe threw at the end of the trace: ...`: where the model's code threw. */
export function evaluationErrorLine(error: EvaluationFailure): string {
  const where =
    error.in === 'property' ? 'at the end of the trace' : error.name === 'init' ? 'making the initial states (there is no trace)' : 'expanding the last state of the trace'
  return `${error.in} ${error.name} threw ${where}: ${error.message}`
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits
