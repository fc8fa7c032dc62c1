// Integer command-line arguments of the lock service's node processes.

import { InputError } from '../../../checker/errors.js'
import { argument } from '../../../runtime/node-process.js'

export function numberArgument(name: string): number {
  const raw = argument(name)
  const value = Number(raw)
  if (raw === undefined || !Number.isInteger(value) || value < 0) throw new InputError(`--${name} needs a non-negative integer, got '${raw}'`)
  return value
}
