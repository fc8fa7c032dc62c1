// The options that say which driver replay and conform use: a module (--driver) or a process
// speaking the driver protocol (--driver-cmd, with --driver-timeout per answer).

import type { Argv } from 'yargs'
import { InputError } from '../checker/errors.js'
import type { DriverSource } from '../api/load.js'
import { wholeNumber } from './options.js'

export interface DriverArgs {
  driver?: string
  'driver-cmd'?: string
  'driver-timeout': number
}

export function withDriverOptions<T>(y: Argv<T>): Argv<T & DriverArgs> {
  return y
    .option('driver', { type: 'string', describe: 'module of the driver to use (default: the one the model names, else driver.ts beside it)' })
    .option('driver-cmd', { type: 'string', describe: 'a command to run as the driver, speaking JSON lines on stdin/stdout (docs/driver-protocol.md)' })
    .option('driver-timeout', { type: 'number', default: 10000, describe: 'milliseconds to wait for each answer of a --driver-cmd process' }) as Argv<T & DriverArgs>
}

/** The driver the arguments name, or undefined for the model's own. */
export function driverSource(args: DriverArgs): DriverSource | undefined {
  const timeoutMs = wholeNumber('driver-timeout', args['driver-timeout'])!
  if (args.driver !== undefined && args['driver-cmd'] !== undefined) throw new InputError('give --driver or --driver-cmd, not both')
  if (args['driver-cmd'] !== undefined) {
    if (args['driver-cmd'].trim() === '') throw new InputError('--driver-cmd needs a command')
    return { command: args['driver-cmd'], timeoutMs }
  }
  return args.driver
}
