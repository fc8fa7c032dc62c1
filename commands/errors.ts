// The CLI's error boundary: bad input and model errors become one line on stderr and exit 2;
// anything else is a bug in protocheck, reported as such (stack only with PROTOCHECK_DEBUG=1).

import { InputError, ModelError } from '../checker/errors.js'
import { SchemaError } from '../checker/schema.js'

export const EXIT_BAD_INPUT = 2
export const EXIT_INTERNAL = 70

export function reportError(error: unknown): number {
  const debug = process.env.PROTOCHECK_DEBUG === '1'
  if (error instanceof InputError || error instanceof ModelError || error instanceof SchemaError) {
    process.stderr.write(`protocheck: ${error.message}\n`)
    if (debug) process.stderr.write(`${error.stack}\n`)
    return EXIT_BAD_INPUT
  }
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`protocheck: internal error: ${message} (PROTOCHECK_DEBUG=1 shows the stack)\n`)
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  return EXIT_INTERNAL
}

/** Wrap a command handler: its return value is the exit code. */
export function handled<A>(run: (args: A) => Promise<number> | number) {
  return async (args: A) => {
    try {
      process.exitCode = await run(args)
    } catch (error) {
      process.exitCode = reportError(error)
    }
  }
}
