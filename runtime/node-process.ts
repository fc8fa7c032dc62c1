// The child's side of the launcher's protocol (launcher.ts): a node process is started as
// `node <script> [args...] --port P`, binds 127.0.0.1:P (P = 0: the OS chooses), prints the
// line `listening <port>` on stdout once it accepts connections, and on SIGTERM or SIGINT
// releases its port and exits 0. Anything else it prints is a log line.

import { InputError } from '../checker/errors.js'

export const LISTENING_PREFIX = 'listening '

/** The value of `--name value` in argv, or undefined. */
export function argument(name: string, argv: readonly string[] = process.argv): string | undefined {
  const at = argv.lastIndexOf(`--${name}`)
  return at >= 0 ? argv[at + 1] : undefined
}

/** `--port P`: the port this node must bind (0: any free port). */
export function portArgument(argv: readonly string[] = process.argv): number {
  const raw = argument('port', argv) ?? '0'
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port needs a port number 0..65535, got '${raw}'`)
  return port
}

/** Tell the launcher that this node is ready on `port`. */
export function announceListening(port: number) {
  process.stdout.write(`${LISTENING_PREFIX}${port}\n`)
}

/** Set by the launcher: the node's stdin is a pipe from its parent, closed when the parent dies. */
export const EXIT_WITH_PARENT = 'PROTOCHECK_EXIT_WITH_PARENT'

/** On SIGTERM/SIGINT, or when the launcher that started the node dies, run `cleanup` (close
 * servers and connections), then exit 0. A second signal while cleaning up exits at once. */
export function onShutdown(cleanup: () => Promise<void>) {
  let stopping = false
  const stop = () => {
    if (stopping) process.exit(0)
    stopping = true
    cleanup().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  if (process.env[EXIT_WITH_PARENT] === '1') {
    process.stdin.on('end', stop)
    process.stdin.on('error', stop)
    process.stdin.resume()
  }
}
