// Command-line arguments of node processes: a bad value ends the process with one line on
// stderr and exit 2, as the CLI treats bad input.

import { argument } from './node-process.js'

function refuse(message: string): never {
  process.stderr.write(message + '\n')
  process.exit(2)
}

/** `--name N`, a whole number at least `minimum` (`fallback` when absent, if given). */
export function wholeArgument(name: string, fallback?: number, minimum = 0): number {
  const raw = argument(name)
  if (raw === undefined && fallback !== undefined) return fallback
  const value = Number(raw)
  if (raw === undefined || !Number.isInteger(value) || value < minimum) refuse(`--${name} needs a whole number >= ${minimum}, got '${raw}'`)
  return value
}

/** `--name P1,P2,...`: port numbers, in order. */
export function portsArgument(name: string): number[] {
  const raw = argument(name) ?? ''
  const ports = raw.split(',').map(Number)
  if (raw === '' || !ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) refuse(`--${name} needs comma-separated port numbers, got '${raw}'`)
  return ports
}

/** `--bug NAME`, one of `bugNames` (the model's bug switches), or undefined for none. */
export function bugArgument<Bug extends string | undefined>(bugNames: readonly string[]): Bug {
  const bug = argument('bug')
  if (bug === undefined) return undefined as Bug
  if (!bugNames.includes(bug)) refuse(`--bug must be one of ${bugNames.join(', ')}, got '${bug}'`)
  return bug as Bug
}
