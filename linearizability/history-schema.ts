// The JSON Schema of a Jepsen-style history, compiled once with ajv. It checks each event's
// shape (what fields, what types); what only the order of events can tell (a completion
// without its invoke, two open invokes on one process, a cas value that is not a pair) is
// checked while pairing, in linearizability/history.ts.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'

const scalar = { type: ['null', 'boolean', 'number', 'string'] }

/** One event of a client: `{process, type, f, key, value, time}`. Extra fields (Jepsen's
 * `index`, `error`, ...) are allowed and ignored. Events of Jepsen's fault injector
 * (`"process": "nemesis"`) are allowed in any shape and ignored. */
export const historyJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://protocheck.dev/schemas/linearizability-history.json',
  title: 'A Jepsen-style history of register operations',
  type: 'array',
  items: {
    type: 'object',
    if: { properties: { process: { const: 'nemesis' } }, required: ['process'] },
    then: {},
    else: {
      required: ['process', 'type', 'f'],
      properties: {
        process: { type: ['integer', 'string'], description: 'the client that issued the operation; one operation at a time per process' },
        type: { enum: ['invoke', 'ok', 'fail', 'info'], description: 'invoke starts an operation; ok, fail or info completes it' },
        f: { enum: ['read', 'write', 'cas'] },
        key: { type: ['null', 'integer', 'string'], description: 'the register (kv model); optional for register and cas-register' },
        value: {
          description: 'write: the value; cas: [old, new]; read: the value read (on ok)',
          anyOf: [scalar, { type: 'array', items: scalar }],
        },
        time: { type: 'number', description: 'when the event happened (any unit); never decreasing along the array' },
      },
    },
  },
} as const

// Compiled on first use: compiling costs more than starting the CLI, and most commands never need it.
let validate: ValidateFunction | undefined

/** The first way `json` is not a history, as `event 3: "type" must be one of invoke, ok, fail, info (got "done")`; null if it is one. */
export function historyProblem(json: unknown): string | null {
  validate ??= new Ajv({ allErrors: false, allowUnionTypes: true }).compile(historyJsonSchema)
  if (validate(json)) return null
  const errors = validate.errors!
  // The if/then/else wrapper adds an 'if' error after the real one: report the real one.
  return describe(errors.find((e) => e.keyword !== 'if') ?? errors[0], json)
}

function describe(error: ErrorObject, json: unknown): string {
  const [, index, field] = error.instancePath.split('/')
  if (index === undefined) return `a history is a JSON array of events, not ${kindOf(json)}`
  const event = (json as unknown[])[Number(index)]
  const where = `event ${index}`
  if (field === undefined) {
    if (error.keyword === 'required') return `${where}: missing "${(error.params as { missingProperty: string }).missingProperty}"`
    return `${where}: an event is an object like {"process": 0, "type": "invoke", "f": "read", "key": "x", "value": null}, not ${kindOf(event)}`
  }
  const got = JSON.stringify((event as Record<string, unknown>)[field])
  switch (field) {
    case 'type': return `${where}: "type" must be invoke, ok, fail or info (got ${got})`
    case 'f': return `${where}: unknown f ${got}: read, write or cas`
    case 'process': return `${where}: "process" must be an integer or a string (got ${got})`
    case 'key': return `${where}: "key" must be a string, an integer or null (got ${got})`
    case 'time': return `${where}: "time" must be a number (got ${got})`
    case 'value': return `${where}: "value" must be null, a boolean, a number, a string or an array of those (got ${got})`
  }
  return `${where}: ${error.instancePath.slice(1)} ${error.message}`
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
