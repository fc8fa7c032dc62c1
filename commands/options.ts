// Option parsing shared by the commands: numbers that must be whole and in range.

import { InputError } from '../checker/errors.js'

export function wholeNumber(option: string, value: unknown, minimum = 1): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new InputError(`--${option} needs a whole number >= ${minimum}, got '${String(value)}'`)
  }
  return value
}

export function positiveNumber(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InputError(`--${option} needs a positive number, got '${String(value)}'`)
  }
  return value
}
