// What a nemesis session prints and saves: one line per run, a failing run's history as a
// JSON file `protocheck linearizable` re-checks, and the --json summary.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeOperation } from '../linearizability/history.js'
import type { RunResult } from './run.js'

export function runLine(result: RunResult): string {
  const verdict = result.ok
    ? 'ok'
    : [
        result.linearizable !== 'linearizable' ? result.linearizable : null,
        result.problems.length ? `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}` : null,
        result.incomplete !== null ? `incomplete (${result.incomplete})` : null,
      ].filter(Boolean).join(', ')
  return `run ${result.run}: ${verdict}: ${result.operations} operations, ${result.faults.length} faults, ${result.seconds.toFixed(1)} s`
}

/** Notes of a run, indented under its line. */
export const noteLines = (result: RunResult): string[] => result.notes.map((n) => `  note: ${n}`)

export function failureLines(result: RunResult): string[] {
  const failure = result.report.failure
  return [
    ...result.faults.map((f) => `  fault: ${f}`),
    ...(failure ? [`  key ${JSON.stringify(failure.key)}: these ${failure.operations.length} operations cannot be ordered:`, ...failure.operations.map((o) => `    process ${o.process} ${describeOperation(o)} (time ${o.invokeTime}-${o.completeTime ?? ''})${o.status === 'ok' ? '' : ` (${o.status})`}`)] : []),
    ...result.problems.map((p) => `  ${p}`),
  ]
}

/** Save a failing run's history; returns the file. */
export function saveHistory(dir: string, system: string, seed: number, result: RunResult): string {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${system}-seed${seed}-run${result.run}.json`)
  writeFileSync(file, JSON.stringify(result.history, null, 1) + '\n')
  return file
}
