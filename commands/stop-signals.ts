// Ctrl-C (SIGINT) and SIGTERM (what `timeout`, CI cancellation and process managers send)
// stop long work the same way: the first stops the search at its next tick, which then
// reports the figures so far as `incomplete` (exit 3), with temporary files removed by the
// search's own cleanup; a second one quits at once.

const signalNames = { SIGINT: 'Ctrl-C (SIGINT)', SIGTERM: 'SIGTERM' } as const
const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const

export async function whileHandlingStopSignals<T>(run: (interruption: () => string | null) => Promise<T>): Promise<T> {
  let interrupted: string | null = null
  const handlers = (Object.keys(signalNames) as (keyof typeof signalNames)[]).map((signal) => {
    const handler = () => {
      if (interrupted) process.exit(exitCodes[signal])
      interrupted = `interrupted by ${signalNames[signal]}`
      process.stderr.write(`\nstopping at the next tick (${signalNames[signal]}); send it again to quit at once\n`)
    }
    process.on(signal, handler)
    return () => process.off(signal, handler)
  })
  try {
    return await run(() => interrupted)
  } finally {
    for (const remove of handlers) remove()
  }
}
