// Params: each model declares integer params with defaults and ranges; this turns that into
// a JSON Schema, fills defaults and validates what the user gave (ajv), with errors a user
// can act on.

import { Ajv } from 'ajv'
import { InputError } from './errors.js'
import type { Model, ParamSpecs } from './model.js'

export function paramsJsonSchema(params: ParamSpecs) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      Object.entries(params).map(([name, p]) => [
        name,
        { type: 'integer', description: p.description, default: p.default, minimum: p.minimum, maximum: p.maximum },
      ]),
    ),
  }
}

const ajv = new Ajv({ useDefaults: true, allErrors: false })

/** Given values (numbers, or strings from the command line) -> complete, validated params. */
export function resolveParams(model: Model, given: Record<string, unknown>): Record<string, number> {
  const known = Object.keys(model.params)
  const values: Record<string, unknown> = {}
  for (const [name, raw] of Object.entries(given)) {
    if (!Object.hasOwn(model.params, name)) {
      throw new InputError(`unknown param '${name}' for ${model.name} (its params: ${known.join(', ') || 'none'})`)
    }
    const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw
    values[name] = value
  }
  const validate = ajv.compile(paramsJsonSchema(model.params))
  if (!validate(values)) {
    const error = validate.errors![0]
    const name = error.instancePath.slice(1)
    const p = model.params[name]
    const shown = JSON.stringify(given[name])
    if (p && error.keyword === 'type') throw new InputError(`param ${name}=${shown} is not an integer`)
    if (p) throw new InputError(`param ${name}=${shown} is out of range ${p.minimum}..${p.maximum}`)
    throw new InputError(`params for ${model.name}: ${error.message}`)
  }
  return values as Record<string, number>
}

export function checkBug(model: Model, bug: string | undefined) {
  // Own keys only: `constructor` or `__proto__` is no bug of any model.
  if (bug !== undefined && !Object.hasOwn(model.bugs, bug)) {
    const names = Object.keys(model.bugs)
    throw new InputError(`unknown bug '${bug}' for ${model.name} (its bugs: ${names.join(', ') || 'none'})`)
  }
}
