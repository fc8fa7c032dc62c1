// The ITF JSON Schema (traces/itf.schema.json), compiled once with ajv. Everything protocheck
// writes is checked against it, and everything it reads, so a malformed trace is caught at
// the border with the JSON pointer of its first problem rather than deep inside a tool.

import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'

const schemaFile = new URL('../../traces/itf.schema.json', import.meta.url)
export const itfJsonSchema = JSON.parse(readFileSync(schemaFile, 'utf8'))

// Compiled on first use: compiling costs more than starting the CLI, and most commands never need it.
let validate: ValidateFunction | undefined

/** The first way `json` is not an ITF trace, as `at /states/2/#meta/index: must be integer`; null if it is one. */
export function itfProblem(json: unknown): string | null {
  validate ??= new Ajv({ allErrors: false, allowUnionTypes: true }).compile(itfJsonSchema)
  if (validate(json)) return null
  // A bad key fails inside propertyNames' subschema first; the propertyNames error names the key.
  const errors = validate.errors!
  return describe(errors.find((e) => e.keyword === 'propertyNames') ?? errors[0])
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'at the top level' : `at ${error.instancePath}`
  switch (error.keyword) {
    case 'required':
      return `${where}: missing "${(error.params as { missingProperty: string }).missingProperty}"`
    case 'propertyNames':
      return `${where}: key "${(error.params as { propertyName: string }).propertyName}" is not an ITF form (#bigint, #set, #map, #tup, #unserializable)`
    case 'dependencies': {
      const { property, missingProperty } = error.params as { property: string; missingProperty: string }
      return `${where}: "${property}" is there (a protocheck trace) but "${missingProperty}" is missing`
    }
    case 'maxProperties':
      return `${where}: an ITF #-form must be the object's only key`
    case 'type':
      if (error.instancePath !== '' && (error.params as { type: unknown }).type?.toString().includes('boolean,string,integer')) {
        return `${where}: not an ITF value (null and fractional numbers are not ITF)`
      }
  }
  return `${where}: ${error.message}`
}
