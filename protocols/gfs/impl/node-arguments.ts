// Command-line arguments of the gfs node processes.

import { argument } from '../../../runtime/node-process.js'
import { bugNames, type GfsBug } from './messages.js'

/** `--name N`, a whole number at least `minimum`; a bad value ends the process with one line. */
export function wholeArgument(name: string, fallback?: number, minimum = 0): number {
  const raw = argument(name)
  if (raw === undefined && fallback !== undefined) return fallback
  const value = Number(raw)
  if (raw === undefined || !Number.isInteger(value) || value < minimum) {
    process.stderr.write(`--${name} needs a whole number >= ${minimum}, got '${raw}'\n`)
    process.exit(2)
  }
  return value
}

/** `--bug NAME`, one of the model's bug switches, or none. */
export function bugArgument(): GfsBug {
  const bug = argument('bug')
  if (bug === undefined) return undefined
  if (!bugNames.includes(bug)) {
    process.stderr.write(`--bug must be one of ${bugNames.join(', ')}, got '${bug}'\n`)
    process.exit(2)
  }
  return bug as GfsBug
}
