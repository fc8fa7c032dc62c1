// A Jepsen-style history: a JSON array of events `{process, type, f, key, value, time}`, in the
// order they happened. Each process runs one operation at a time: an `invoke` event starts
// it and the process's next event completes it: `ok` (it took effect), `fail` (it did not) or
// `info` (unknown: it may or may not have taken effect, now or at any later time). An invoke
// never completed is treated as `info`. Real-time order is the order of the array (as in
// Jepsen): operation a precedes b when a's completion comes before b's invoke.

import { readFileSync } from 'node:fs'
import { InputError } from '../checker/errors.js'
import { historyProblem } from './history-schema.js'

export type Scalar = null | boolean | number | string
export type Key = null | number | string
export type OperationName = 'read' | 'write' | 'cas'
export type Status = 'ok' | 'fail' | 'info'

/** One event as written in the history. */
export interface HistoryEvent {
  process: number | string
  type: 'invoke' | Status
  f: OperationName
  key?: Key
  value?: Scalar | Scalar[]
  time?: number
  [extra: string]: unknown
}

/** An invoke paired with its completion. */
export interface Operation {
  /** Position among the history's operations, in invoke order. */
  id: number
  process: number | string
  f: OperationName
  key: Key
  /** What the operation asked for: the value written, [old, new] for cas, null for a read. */
  value: Scalar | [Scalar, Scalar]
  /** What a completed read returned (its `ok` event's value); undefined otherwise. */
  output?: Scalar
  /** `info` also stands for an invoke the history never completes. */
  status: Status
  /** Index in the history array of the invoke event, and of the completion (null if none). */
  invokeIndex: number
  completeIndex: number | null
  invokeTime: number | null
  completeTime: number | null
}

export interface History {
  operations: Operation[]
  /** Number of events in the array (nemesis events included). */
  events: number
}

/** Read and parse a history file; any problem is an InputError naming the file. */
export function readHistoryFile(path: string): History {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code ?? (e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new InputError(`${path} is not JSON: ${(e as Error).message}`)
  }
  try {
    return parseHistory(json)
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}: ${e.message}`)
    throw e
  }
}

/** Check a history (already parsed from JSON) and pair each invoke with its completion. */
export function parseHistory(json: unknown): History {
  const problem = historyProblem(json)
  if (problem) throw new InputError(problem)
  const events = json as HistoryEvent[]
  const operations: Operation[] = []
  const open = new Map<number | string, Operation>()
  let lastTime = -Infinity
  let lastTimeIndex = -1
  events.forEach((event, index) => {
    if (event.process === 'nemesis') return
    // Built only for an error message: most histories have none, and hundreds of thousands of events.
    const where = () => `event ${index} (process ${JSON.stringify(event.process)}, ${event.type} ${event.f})`
    if (event.time !== undefined) {
      if (event.time < lastTime) throw new InputError(`${where()}: time ${event.time} is before event ${lastTimeIndex}'s time ${lastTime}; events must be in the order they happened`)
      lastTime = event.time
      lastTimeIndex = index
    }
    const pending = open.get(event.process)
    if (event.type === 'invoke') {
      if (pending) throw new InputError(`${where()}: process ${JSON.stringify(event.process)} already has an open invoke (event ${pending.invokeIndex}, ${pending.f}); a process runs one operation at a time`)
      const operation: Operation = {
        id: operations.length,
        process: event.process,
        f: event.f,
        key: event.key ?? null,
        value: invokeValue(event, where),
        status: 'info',
        invokeIndex: index,
        completeIndex: null,
        invokeTime: event.time ?? null,
        completeTime: null,
      }
      operations.push(operation)
      open.set(event.process, operation)
      return
    }
    if (!pending) throw new InputError(`${where()}: a completion without an invoke (process ${JSON.stringify(event.process)} has no open operation)`)
    if (event.f !== pending.f) throw new InputError(`${where()}: completes a ${pending.f} (invoked at event ${pending.invokeIndex}) as a ${event.f}`)
    if (event.key !== undefined && (event.key ?? null) !== pending.key) {
      throw new InputError(`${where()}: key ${JSON.stringify(event.key)} differs from its invoke's key ${JSON.stringify(pending.key)} (event ${pending.invokeIndex})`)
    }
    pending.status = event.type
    pending.completeIndex = index
    pending.completeTime = event.time ?? null
    open.delete(event.process)
    if (pending.f === 'read') {
      if (event.type === 'ok') {
        if (Array.isArray(event.value)) throw new InputError(`${where()}: a read returns one value, not an array`)
        pending.output = event.value ?? null
      }
    } else if (event.value !== undefined && event.type === 'ok' && !sameValue(event.value, pending.value)) {
      throw new InputError(`${where()}: value ${JSON.stringify(event.value)} differs from its invoke's ${JSON.stringify(pending.value)} (event ${pending.invokeIndex})`)
    }
  })
  return { operations, events: events.length }
}

function invokeValue(event: HistoryEvent, where: () => string): Operation['value'] {
  switch (event.f) {
    case 'read':
      return null
    case 'write':
      if (event.value === undefined) throw new InputError(`${where()}: a write needs a "value"`)
      if (Array.isArray(event.value)) throw new InputError(`${where()}: a write's value is one value, not an array (cas takes [old, new])`)
      return event.value
    case 'cas':
      if (!Array.isArray(event.value) || event.value.length !== 2) throw new InputError(`${where()}: a cas value must be a pair [old, new], got ${JSON.stringify(event.value ?? null)}`)
      return [event.value[0], event.value[1]]
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** `p3 write 5`, `p1 read -> null`, `p2 cas 1 -> 2`: how an operation is named in reports and views. */
export function describeOperation(operation: Operation): string {
  const args =
    operation.f === 'read'
      ? operation.status === 'ok' ? ` -> ${JSON.stringify(operation.output)}` : ''
      : operation.f === 'cas'
        ? ` ${JSON.stringify((operation.value as Scalar[])[0])} -> ${JSON.stringify((operation.value as Scalar[])[1])}`
        : ` ${JSON.stringify(operation.value)}`
  return `${operation.f}${args}`
}
