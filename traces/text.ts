// A trace as text for the terminal: one block per step with its action and picks and only
// what changed (old -> new), looking one level into maps and records so that
// `rmState[rm2]: working -> prepared` is shown rather than the whole map. Works on any ITF
// trace, including ones from other tools, since it needs no model.

import type { ItfValue } from '../checker/schema.js'
import { ACTION_TAKEN, NONDET_PICKS, type ItfState, type ItfTrace } from './itf.js'

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

/** Compact rendering: sets {a, b}, maps [k |-> v], tuples <<a, b>>, records { f: v }. */
export function formatValue(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? v : JSON.stringify(v)
  if (Array.isArray(v)) return `<<${v.map(formatValue).join(', ')}>>`
  const o = v as Record<string, unknown>
  if (typeof o['#bigint'] === 'string') return o['#bigint']
  if (Array.isArray(o['#set'])) return `{${o['#set'].map(formatValue).join(', ')}}`
  if (Array.isArray(o['#tup'])) return `<<${o['#tup'].map(formatValue).join(', ')}>>`
  if (Array.isArray(o['#map'])) {
    return `[${(o['#map'] as [unknown, unknown][]).map(([k, x]) => `${formatValue(k)} |-> ${formatValue(x)}`).join(', ')}]`
  }
  if (Object.keys(o).length === 2 && typeof o.tag === 'string' && 'value' in o) {
    // A Quint variant: Name(payload), or just Name when the payload is the empty tuple.
    const payload = o.value as Record<string, unknown> | null
    const empty = payload && Array.isArray(payload['#tup']) && payload['#tup'].length === 0
    return empty ? o.tag : `${o.tag}(${formatValue(payload)})`
  }
  const entries = Object.entries(o).filter(([k]) => k !== '#meta')
  return `{ ${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`
}

export interface Change {
  path: string
  before: string | undefined
  after: string
}

/** What differs between two states' values of one variable, one level deep. */
export function changesOf(name: string, before: unknown, after: unknown): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  const b = before as Record<string, unknown> | undefined
  const a = after as Record<string, unknown>
  if (b && a && typeof a === 'object' && typeof b === 'object' && Array.isArray(a['#map']) && Array.isArray(b['#map'])) {
    const old = new Map((b['#map'] as [unknown, unknown][]).map(([k, v]) => [JSON.stringify(k), v]))
    const out: Change[] = []
    for (const [k, v] of a['#map'] as [unknown, unknown][]) {
      const key = JSON.stringify(k)
      if (JSON.stringify(old.get(key)) !== JSON.stringify(v)) {
        out.push({ path: `${name}[${formatValue(k)}]`, before: old.has(key) ? formatValue(old.get(key)) : undefined, after: formatValue(v) })
      }
      old.delete(key)
    }
    for (const [key, v] of old) out.push({ path: `${name}[${formatValue(JSON.parse(key))}]`, before: formatValue(v), after: '(removed)' })
    return out
  }
  return [{ path: name, before: before === undefined ? undefined : formatValue(before), after: formatValue(after) }]
}

export function stateVariables(trace: ItfTrace): string[] {
  return trace.vars.filter((v) => v !== ACTION_TAKEN && v !== NONDET_PICKS)
}

/** `RMPrepare(rm=rm2)`; Quint's Option picks are unwrapped and None picks left out. */
export function formatAction(state: ItfState): string {
  const action = typeof state[ACTION_TAKEN] === 'string' ? (state[ACTION_TAKEN] as string) : '(unknown action)'
  const picks = state[NONDET_PICKS] as Record<string, ItfValue> | undefined
  const args: string[] = []
  for (const [name, value] of Object.entries(picks ?? {})) {
    const v = value as Record<string, unknown> | null
    if (v && typeof v === 'object' && v.tag === 'None') continue
    args.push(`${name}=${formatValue(v && typeof v === 'object' && v.tag === 'Some' ? v.value : v)}`)
  }
  return args.length ? `${action}(${args.join(', ')})` : action
}

/** The whole trace as lines: the first state in full, then each step's changes. */
export function formatTrace(trace: ItfTrace, style: Style = plain): string[] {
  const vars = stateVariables(trace)
  const lines: string[] = []
  trace.states.forEach((state, i) => {
    lines.push(`${style.bold(`${i}`.padStart(3))} ${style.bold(formatAction(state))}`)
    const previous = i > 0 ? trace.states[i - 1] : undefined
    for (const name of vars) {
      if (!previous) {
        lines.push(`      ${name} = ${formatValue(state[name])}`)
        continue
      }
      for (const c of changesOf(name, previous[name], state[name])) {
        lines.push(`      ${c.path}: ${style.dim(c.before ?? '(none)')} -> ${style.yellow(c.after)}`)
      }
    }
  })
  const meta = trace['#meta']
  if (meta.property) lines.push(style.red(`      ${meta.result === 'deadlock' ? 'deadlock' : `${meta.property} is violated`} in state ${trace.states.length - 1}`))
  else if (meta.result === 'deadlock') lines.push(style.red(`      deadlock: no step is enabled in state ${trace.states.length - 1}`))
  return lines
}
