// ITF values as text, and what changed between two states, for every way traces are shown
// (terminal, HTML). Nothing here needs a model, so it works on any tool's ITF.
//
// A state is flattened into rows: maps and records are opened (recursively) so that
// `rmState[rm2]` or `log[s1].term` is a row of its own; sets, sequences, tuples, variants
// and scalars are leaves. Two states differ by the rows whose text differs, and a set that
// gained or lost elements also says which.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Quint's variant { tag: Name, value: payload }. */
export function isVariant(v: unknown): v is { tag: string; value: Json } {
  return isObject(v) && Object.keys(v).length === 2 && typeof v.tag === 'string' && 'value' in v
}

/** A plain record: an object that is not one of ITF's #-forms and not a Quint variant. */
export function isRecord(v: unknown): v is Record<string, Json> {
  return isObject(v) && !Object.keys(v).some((k) => k.startsWith('#')) && !isVariant(v)
}

export function mapEntries(v: unknown): [Json, Json][] | undefined {
  return isObject(v) && Array.isArray(v['#map']) ? (v['#map'] as [Json, Json][]) : undefined
}

export function setElements(v: unknown): Json[] | undefined {
  return isObject(v) && Array.isArray(v['#set']) ? (v['#set'] as Json[]) : undefined
}

/** Compact rendering: sets {a, b}, maps [k |-> v], tuples <<a, b>>, records { f: v }, variants Name(v). */
export function formatValue(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? v : JSON.stringify(v)
  if (Array.isArray(v)) return `<<${v.map(formatValue).join(', ')}>>`
  const o = v as Record<string, unknown>
  if (typeof o['#bigint'] === 'string') return o['#bigint']
  if (Array.isArray(o['#set'])) return `{${o['#set'].map(formatValue).join(', ')}}`
  if (Array.isArray(o['#tup'])) return `<<${o['#tup'].map(formatValue).join(', ')}>>`
  if (typeof o['#unserializable'] === 'string') return o['#unserializable']
  const entries = mapEntries(o)
  if (entries) return `[${entries.map(([k, x]) => `${formatValue(k)} |-> ${formatValue(x)}`).join(', ')}]`
  if (isVariant(o)) {
    // Name(payload), or just Name when the payload is the empty tuple (a unit variant).
    const payload = o.value as Record<string, unknown> | null
    const empty = payload && Array.isArray(payload['#tup']) && payload['#tup'].length === 0
    return empty ? o.tag : `${o.tag}(${formatValue(payload)})`
  }
  const fields = Object.entries(o).filter(([k]) => k !== '#meta')
  return `{ ${fields.map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`
}

export interface Row {
  /** `rmState[rm2]`, `config.leader`, or just the variable's name. */
  path: string
  /** The variable this row belongs to. */
  variable: string
  value: Json
  text: string
}

/** One variable's value as rows, maps and records opened. */
export function rowsOf(variable: string, value: Json, path = variable, out: Row[] = []): Row[] {
  const entries = mapEntries(value)
  // Maps keyed by plain values (node ids, enum names) open into rows; maps keyed by records
  // (bags of messages: message -> count) stay one value, shown by what came and went.
  if (entries && entries.length > 0 && entries.every(([k]) => k === null || typeof k !== 'object')) {
    for (const [k, v] of entries) rowsOf(variable, v, `${path}[${formatValue(k)}]`, out)
  } else if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) rowsOf(variable, v, `${path}.${k}`, out)
  } else {
    out.push({ path, variable, value, text: formatValue(value) })
  }
  return out
}

export interface Change {
  path: string
  variable: string
  /** undefined: the row is new (a map gained a key). */
  before: string | undefined
  /** undefined: the row is gone (a map lost a key). */
  after: string | undefined
  /** For a set that had elements before and has some after: what came and went. */
  added?: string[]
  removed?: string[]
}

/** The rows of one variable that differ between two states, in the later state's order. */
export function changesOf(variable: string, before: Json | undefined, after: Json | undefined): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  const old = new Map((before === undefined ? [] : rowsOf(variable, before)).map((r) => [r.path, r]))
  const out: Change[] = []
  for (const row of after === undefined ? [] : rowsOf(variable, after)) {
    const was = old.get(row.path)
    old.delete(row.path)
    if (was && was.text === row.text) continue
    const change: Change = { path: row.path, variable, before: was?.text, after: row.text }
    const delta = was && setDelta(was.value, row.value)
    if (delta) Object.assign(change, delta)
    out.push(change)
  }
  for (const row of old.values()) out.push({ path: row.path, variable, before: row.text, after: undefined })
  return out
}

/** Elements added and removed, when both are sets (or maps kept whole, by entry) and neither
 * is empty (from or to empty, the whole value already says it). */
function setDelta(before: Json, after: Json): { added: string[]; removed: string[] } | undefined {
  const elements = (v: Json) => setElements(v) ?? mapEntries(v)?.map(([k, n]) => ({ '#tup': [k, n] }) as Json)
  const show = (e: Json, inMap: boolean) => {
    if (!inMap) return formatValue(e)
    const [k, n] = (e as { '#tup': Json[] })['#tup']
    return `${formatValue(k)} |-> ${formatValue(n)}`
  }
  const b = elements(before)
  const a = elements(after)
  if (!a || !b || a.length === 0 || b.length === 0) return undefined
  const inMap = !setElements(after)
  const was = new Set(b.map((e) => JSON.stringify(e)))
  const is = new Set(a.map((e) => JSON.stringify(e)))
  return {
    added: a.filter((e) => !was.has(JSON.stringify(e))).map((e) => show(e, inMap)),
    removed: b.filter((e) => !is.has(JSON.stringify(e))).map((e) => show(e, inMap)),
  }
}
