// Where an implementation and its model part ways, shared by replay and conform. A driver's
// observed state is compared with the model's state through the schema's packed words, so
// that order inside sets and bags never counts as a difference; when they differ, the
// per-variable diff says what each side holds, rendered as ITF values.

import type { Instance } from '../checker/instance.js'
import { Schema, SchemaError, valueToItf } from '../checker/schema.js'
import { callDriver, NotEnabledError, type Driver } from './driver.js'
import { canonicalJson } from '../checker/canonical-json.js'
import { formatValue } from '../traces/show/text.js'

export interface VariableDiff {
  variable: string
  /** The model's value (in a trace: the trace's value), rendered. */
  expected: string
  /** The implementation's value, rendered. */
  observed: string
}

export interface Divergence {
  /** The step index in the trace (0 is the initial state). */
  step: number
  action: string
  picks: Readonly<Record<string, unknown>>
  /** The action with its picks as the model shows them: `RMPrepare(rm=rm2)`. */
  label: string
  /** One line: why the implementation is not where the model is. */
  reason: string
  diff: VariableDiff[]
  /** The implementation took a step the model does not allow (a step after the trace's end). */
  forbidden?: boolean
}

/** The variables where `observed` (a driver's plain state) differs from `expected` (words),
 * with a reason line; null when the two are the same state. */
export function compareObserved(schema: Schema, expected: Uint32Array, observed: Record<string, unknown>): { reason: string; diff: VariableDiff[] } | null {
  const expectedPlain = schema.decode(expected) as unknown as Record<string, unknown>
  let canonical: Record<string, unknown> | undefined
  let problem: string | undefined
  try {
    const words = schema.encode(observed as never)
    if (words.every((w, i) => w === expected[i])) return null
    canonical = schema.decode(words) as unknown as Record<string, unknown>
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e
    // The implementation holds a value the model cannot even represent: show it raw.
    problem = e.message
  }
  const diff: VariableDiff[] = []
  for (const variable of schema.variables) {
    const mine = expectedPlain[variable]
    const theirs = canonical ? canonical[variable] : observed[variable]
    if (canonicalJson(mine) === canonicalJson(theirs)) continue
    diff.push({
      variable,
      expected: formatValue(schema.variableToItf(variable, mine)),
      observed: canonical ? formatValue(schema.variableToItf(variable, theirs)) : JSON.stringify(theirs) ?? 'undefined',
    })
  }
  const reason = problem
    ? `the implementation's state does not fit the model's schema: ${problem}`
    : `the implementation's state differs in ${diff.map((d) => d.variable).join(', ')}`
  return { reason, diff }
}

/** Apply one step to the driver and compare; a Divergence if the implementation could not
 * take the step or ended elsewhere, null if it followed. */
export async function followStep(
  instance: Instance,
  driver: Driver,
  step: number,
  action: string,
  picks: Readonly<Record<string, unknown>>,
  expected: Uint32Array,
): Promise<Divergence | null> {
  const label = step === 0 ? 'init' : stepLabel(instance, action, picks)
  if (step > 0) {
    try {
      await callDriver(step, label, () => driver.apply(action, picks))
    } catch (e) {
      if (!(e instanceof NotEnabledError)) throw e
      return { step, action, picks, label, reason: `the implementation cannot take this step: ${e.message}`, diff: [] }
    }
  }
  const difference = compareObserved(instance.schema, expected, await callDriver(step, label, () => driver.observe()))
  return difference && { step, action, picks, label, ...difference }
}

/** `RMPrepare(rm=rm2)`: picks rendered through their declared types, as traces show them. */
export function stepLabel(instance: Instance, action: string, picks: Readonly<Record<string, unknown>>): string {
  const types = instance.protocol.actions[action] ?? {}
  const shown = Object.entries(picks).map(([k, v]) => `${k}=${types[k] ? formatValue(valueToItf(types[k], v)) : JSON.stringify(v)}`)
  return shown.length ? `${action}(${shown.join(', ')})` : action
}

/** A divergence as lines for the terminal. */
export function formatDivergence(d: Divergence): string[] {
  return [
    `diverged at step ${d.step}: ${d.label}`,
    `  ${d.reason}`,
    ...d.diff.flatMap((v) => [`  ${v.variable}:`, `    model:          ${v.expected}`, `    implementation: ${v.observed}`]),
  ]
}
