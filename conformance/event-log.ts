// Event logs of real runs (docs/log-format.md): NDJSON, a header line, then one line per
// event naming the model action, its picks and optionally observed variables, all as ITF
// values. This reads and checks a log against traces/event-log.schema.json (ajv), and merges
// the per-node logs a cluster writes into one causally ordered log (by a clock shared by the
// nodes, then node, then each node's own sequence number).

import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { InputError } from '../checker/errors.js'

export const EVENT_LOG_FORMAT = 'protocheck-event-log'
export const EVENT_LOG_VERSION = 1

export interface EventLogHeader {
  format: typeof EVENT_LOG_FORMAT
  version: typeof EVENT_LOG_VERSION
  model?: string
  params?: Record<string, number>
  bug?: string | null
  unlogged?: string[]
  maxUnlogged?: number
  description?: string
  nodes?: string[]
  [key: string]: unknown
}

/** One event as written: ITF values, not yet decoded against a model. */
export interface LoggedEvent {
  action: string
  picks?: Record<string, unknown>
  observed?: Record<string, unknown>
  node?: string
  /** Nanoseconds of a clock the nodes share (CLOCK_MONOTONIC on one machine), as digits. */
  time?: string | number
  seq?: number
  [key: string]: unknown
}

/** An event with where it is: `line` in the file (1-based; the header is line 1) and `index` among the events (0-based). */
export interface LocatedEvent extends LoggedEvent {
  line: number
  index: number
}

export interface EventLog {
  header: EventLogHeader
  events: LocatedEvent[]
}

const schemaFile = new URL('../../traces/event-log.schema.json', import.meta.url)
export const eventLogJsonSchema = JSON.parse(readFileSync(schemaFile, 'utf8'))
/** The schema's two validators, compiled on first use (not when the CLI starts). */
let validators: { header: ValidateFunction; event: ValidateFunction } | undefined
function compiled() {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, allowUnionTypes: true })
    ajv.addSchema(eventLogJsonSchema)
    validators = {
      header: ajv.compile({ $ref: `${eventLogJsonSchema.$id}#/definitions/header` }),
      event: ajv.compile({ $ref: `${eventLogJsonSchema.$id}#/definitions/event` }),
    }
  }
  return validators
}

/** Read and check a log file; a problem is an InputError naming the file and line. */
export function readEventLog(path: string): EventLog {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new InputError(`cannot read the log ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  return parseEventLog(text, path)
}

export function parseEventLog(text: string, name = 'the log'): EventLog {
  const { header: validateHeader, event: validateEvent } = compiled()
  const lines = text.split('\n')
  let header: EventLogHeader | undefined
  const events: LocatedEvent[] = []
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim()
    if (raw === '') continue
    const line = i + 1
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch (e) {
      throw new InputError(`${name}:${line}: not JSON (${(e as Error).message})`)
    }
    if (header === undefined) {
      if (!validateHeader(json)) {
        throw new InputError(`${name}:${line}: not a protocheck event log header (${describe(validateHeader.errors!)}); the first line must be {"format": "${EVENT_LOG_FORMAT}", "version": ${EVENT_LOG_VERSION}, ...}`)
      }
      header = json as EventLogHeader
      continue
    }
    if (!validateEvent(json)) throw new InputError(`${name}:${line}: not an event (${describe(validateEvent.errors!)})`)
    events.push({ ...(json as LoggedEvent), line, index: events.length })
  }
  if (!header) throw new InputError(`${name} is empty: it needs a header line {"format": "${EVENT_LOG_FORMAT}", "version": ${EVENT_LOG_VERSION}, ...}`)
  return { header, events }
}

function describe(errors: ErrorObject[]): string {
  const e = errors[0]
  const where = e.instancePath === '' ? '' : `${e.instancePath}: `
  if (e.keyword === 'required') return `${where}missing "${(e.params as { missingProperty: string }).missingProperty}"`
  if (e.keyword === 'const') return `${where}must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`
  return `${where}${e.message}`
}

/** One event as an NDJSON line. */
export function eventLine(event: LoggedEvent): string {
  return JSON.stringify(event) + '\n'
}

export function headerLine(header: Omit<EventLogHeader, 'format' | 'version'>): string {
  return JSON.stringify({ format: EVENT_LOG_FORMAT, version: EVENT_LOG_VERSION, ...header }) + '\n'
}

const timeOf = (e: LoggedEvent) => BigInt(e.time ?? 0)

/** Merge the events of several nodes (each part: NDJSON event lines, no header) into one log:
 * ordered by `time`, ties by node then `seq`. A node's own events keep their order, and a
 * receive, stamped after its send on the same clock, comes after it. */
export function mergeEventLogs(header: Omit<EventLogHeader, 'format' | 'version'>, parts: readonly string[]): string {
  const events: LoggedEvent[] = []
  for (const part of parts) {
    for (const raw of part.split('\n')) {
      const line = raw.trim()
      // A node killed mid-write leaves at most a torn last line: skip what does not parse.
      if (line === '') continue
      try {
        events.push(JSON.parse(line) as LoggedEvent)
      } catch {
        continue
      }
    }
  }
  events.sort((a, b) => {
    const ta = timeOf(a)
    const tb = timeOf(b)
    if (ta !== tb) return ta < tb ? -1 : 1
    if (a.node !== b.node) return String(a.node) < String(b.node) ? -1 : 1
    return (a.seq ?? 0) - (b.seq ?? 0)
  })
  return headerLine(header) + events.map(eventLine).join('')
}
