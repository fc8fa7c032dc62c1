// Flags that need more than yargs gives: numbers checked by the engine's rules with errors
// naming the flag, and --param name=value pairs.

import { InputError } from '../checker/errors.js'
import { positiveNumber as positive, wholeNumber as whole } from '../checker/options.js'

export const wholeNumber = (option: string, value: unknown, minimum = 1) => whole(`--${option}`, value, minimum)
export const positiveNumber = (option: string, value: unknown) => positive(`--${option}`, value)

/** `--param k=v` arguments as a params object; a param given twice is refused, not overwritten. */
export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const params = new Map<string, string>()
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq <= 0) throw new InputError(`--param needs name=value, got '${arg}'`)
    const name = arg.slice(0, eq).trim()
    if (params.has(name)) throw new InputError(`--param ${name} is given twice (${params.get(name)} and ${arg.slice(eq + 1)})`)
    params.set(name, arg.slice(eq + 1))
  }
  // Object.fromEntries defines own properties: `__proto__=5` stays a param name (and is refused as unknown).
  return Object.fromEntries(params)
}
