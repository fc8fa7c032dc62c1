// A trace as text for the terminal: one block per step with its action and picks and only
// what changed (old -> new), maps and records opened so that `rmState[rm2]: working ->
// prepared` is shown rather than the whole map, and a set that already had elements shown
// by what came and went. Works on any ITF trace, including other tools', since it needs no model.

import { ACTION_TAKEN, NONDET_PICKS, type ItfState, type ItfTrace } from '../itf.js'
import { changesOf, formatValue, isVariant, type Json } from './values.js'

export { changesOf, formatValue, type Change } from './values.js'

export interface Style {
  bold(s: string): string
  dim(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
}

const ansi = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`
export const colors: Style = { bold: ansi(1), dim: ansi(2), red: ansi(31), green: ansi(32), yellow: ansi(33) }
const same = (s: string) => s
export const plain: Style = { bold: same, dim: same, red: same, green: same, yellow: same }

/** Colour for a terminal, plain text for pipes and files (and whenever NO_COLOR is set). */
export function styleFor(stream: { isTTY?: boolean }): Style {
  return stream.isTTY && !process.env.NO_COLOR ? colors : plain
}

export function stateVariables(trace: ItfTrace): string[] {
  return trace.vars.filter((v) => v !== ACTION_TAKEN && v !== NONDET_PICKS)
}

/** A state's picks as name -> value; Quint's Option picks are unwrapped and None picks left out. */
export function picksOf(state: ItfState): [string, Json][] {
  const picks = (state[NONDET_PICKS] ?? {}) as Record<string, Json>
  const out: [string, Json][] = []
  for (const [name, value] of Object.entries(picks)) {
    if (isVariant(value) && value.tag === 'None') continue
    out.push([name, isVariant(value) && value.tag === 'Some' ? value.value : value])
  }
  return out
}

export function actionOf(state: ItfState): string {
  return typeof state[ACTION_TAKEN] === 'string' ? (state[ACTION_TAKEN] as string) : '(unknown action)'
}

/** `RMPrepare(rm=rm2)`. */
export function formatAction(state: ItfState): string {
  const args = picksOf(state).map(([name, v]) => `${name}=${formatValue(v)}`)
  return args.length ? `${actionOf(state)}(${args.join(', ')})` : actionOf(state)
}

/** Is state `i` on the cycle of a lasso? The cycle runs from the state before `loop` (which
 * the last state equals) to the last state; a stutter (`loop` = last) is the last state. */
export function inCycle(trace: ItfTrace, i: number): boolean {
  if (trace.loop === undefined) return false
  const last = trace.states.length - 1
  return i >= (trace.loop === last ? last : trace.loop - 1)
}

/** What the last state is: `TCConsistent is violated in state 5`, a deadlock, a lasso's
 * cycle, or null. Reads protocheck's #meta.result/property/propertyKind/error, ITF's loop
 * and Quint's #meta.status. */
export function verdictOf(trace: ItfTrace): string | null {
  const meta = trace['#meta'] ?? {}
  const last = trace.states.length - 1
  if (trace.loop !== undefined) {
    const what = meta.property ? `${meta.property} is violated` : 'a lasso'
    return trace.loop === last
      ? `${what}: the behaviour stutters in state ${last} forever`
      : `${what}: the cycle ${trace.loop - 1} -> ... -> ${last} repeats forever (state ${last} is state ${trace.loop - 1}, and steps to state ${trace.loop} again)`
  }
  if (meta.result === 'deadlock') return `deadlock: no step is enabled in state ${last}`
  const error = meta.error
  if (error) return `${error.in} ${error.name} threw ${error.in === 'action' ? `expanding state ${last}` : `in state ${last}`}: ${error.message}`
  if (meta.property && meta.propertyKind === 'step') return `${meta.property} is violated by step ${last}`
  if (meta.property) return `${meta.property} is violated in state ${last}`
  if (meta.status === 'violation') return `an invariant is violated in state ${last} (the trace's #meta.status is violation)`
  return null
}

/** One line saying what the trace is and where it came from. */
export function formatHeader(trace: ItfTrace): string {
  const meta = trace['#meta'] ?? {}
  const what = meta.model
    ? [meta.model, ...Object.entries(meta.params ?? {}).map(([k, v]) => `${k}=${v}`), meta.bug ? `bug=${meta.bug}` : ''].filter(Boolean).join(' ')
    : `from ${meta.source ?? 'an unnamed source'}`
  const result = meta.result ?? meta.status
  const by = meta.tool ?? (typeof meta.description === 'string' && /^Created by (\S+)/.exec(meta.description)?.[1]) ?? undefined
  const steps = trace.states.length - 1
  return [what, result ? `result ${result}` : '', `${trace.states.length} states (${steps} step${steps === 1 ? '' : 's'})`, by ? `written by ${by}` : '']
    .filter(Boolean).join(', ')
}

/** The whole trace as lines: the first state in full, then each step's changes. */
export function formatTrace(trace: ItfTrace, style: Style = plain): string[] {
  const vars = stateVariables(trace)
  const lines: string[] = []
  trace.states.forEach((state, i) => {
    lines.push(`${style.bold(`${i}`.padStart(3))} ${style.bold(formatAction(state))}${inCycle(trace, i) ? style.yellow('  (cycle)') : ''}`)
    const previous = i > 0 ? trace.states[i - 1] : undefined
    const before = lines.length
    for (const name of vars) {
      const value = state[name] as Json
      if (!previous) {
        lines.push(`      ${name} = ${formatValue(value)}`)
        continue
      }
      for (const c of changesOf(name, previous[name] as Json, value)) {
        if (c.added || c.removed) {
          for (const e of c.added ?? []) lines.push(`      ${c.path} ${style.green('+=')} ${style.yellow(e)}`)
          for (const e of c.removed ?? []) lines.push(`      ${c.path} ${style.red('-=')} ${style.dim(e)}`)
        } else {
          lines.push(`      ${c.path}: ${style.dim(c.before ?? '(none)')} -> ${style.yellow(c.after ?? '(removed)')}`)
        }
      }
    }
    if (previous && lines.length === before) lines.push(style.dim('      (no variable changed)'))
  })
  const verdict = verdictOf(trace)
  if (verdict) lines.push(style.red(`      ${verdict}`))
  return lines
}
