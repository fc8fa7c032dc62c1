// Event logs generated from the model itself (a random walk written as the log a perfectly
// conforming implementation would write), for validate's tests and its benchmark.

import type { Instance } from '../../checker/instance.js'
import { SchemaError, valueToItf } from '../../checker/schema.js'
import { headerLine, eventLine, type LoggedEvent } from '../../conformance/event-log.js'
import { RandomStream } from '../../checker/random.js'

export interface WalkOptions {
  steps: number
  seed: number
  /** Relative weight of each action (default 1); 0 leaves it out. */
  weights?: Record<string, number>
  /** Variables to log as observed after each step, for the step's node (`picks.i`) only: maps over servers. */
  observe?: (state: Record<string, unknown>, picks: Record<string, unknown>) => Record<string, unknown> | undefined
  /** Fields to leave out of record and union picks (partial picks). */
  omitFields?: readonly string[]
}

/** A random walk of `instance` as an NDJSON event log (header included), and its events. */
export function walkLog(instance: Instance, options: WalkOptions): { text: string; events: LoggedEvent[] } {
  const random = new RandomStream(options.seed, 0)
  const { schema, protocol } = instance
  let state = new Uint32Array(instance.words)
  instance.initial((ordinal, _a, _p, successor) => {
    if (ordinal === 0) state = successor.slice()
  })
  const events: LoggedEvent[] = []
  const successor = new Uint32Array(instance.words)
  const draft = schema.draft(successor)
  for (let n = 0; n < options.steps; n++) {
    const steps: { name: string; picks: Record<string, unknown>; write: (d: unknown) => void; weight: number }[] = []
    protocol.next(schema.view(state) as never, ((name: string, picks: Record<string, unknown>, write: (d: unknown) => void) => {
      const weight = options.weights?.[name] ?? 1
      if (weight > 0) steps.push({ name, picks, write, weight })
    }) as never)
    let taken = false
    while (steps.length > 0 && !taken) {
      const total = steps.reduce((s, x) => s + x.weight, 0)
      let r = (random.next() / 2 ** 32) * total
      let k = 0
      while (k < steps.length - 1 && r >= steps[k].weight) r -= steps[k++].weight
      const step = steps.splice(k, 1)[0]
      successor.set(state)
      try {
        step.write(draft)
      } catch (e) {
        if (e instanceof SchemaError) continue
        throw e
      }
      taken = true
      const pickTypes = protocol.actions[step.name]
      const picks: Record<string, unknown> = {}
      for (const [name, type] of Object.entries(pickTypes)) {
        const itf = valueToItf(type, step.picks[name]) as Record<string, unknown>
        if (options.omitFields && typeof itf === 'object' && itf !== null && !Array.isArray(itf)) {
          for (const f of options.omitFields) delete itf[f]
        }
        picks[name] = itf
      }
      const event: LoggedEvent = { action: step.name, picks, time: String(n), seq: n }
      const observed = options.observe?.(schema.decode(successor) as never, step.picks)
      if (observed) event.observed = observed
      events.push(event)
      state = successor.slice()
    }
    if (!taken) break
  }
  const header = { model: instance.model.name, params: instance.config.params }
  return { text: headerLine(header) + events.map(eventLine).join(''), events }
}
