// Simulation over worker threads (a swarm): walks are handed out in batches, in walk order,
// to workers that each build the same model configuration; outcomes are tallied in walk
// order, so the result is the one a single thread gets for the same seed. Once a walk fails,
// no batch past it is handed out; batches before it are all already out and are awaited.

import { Worker } from 'node:worker_threads'
import { InputError } from './errors.js'
import type { Instance } from './instance.js'
import { sourceOf } from './load.js'
import { SimulationTally, type SimulationOptions, type SimulationResult, type WalkOutcome } from './simulate.js'

/** How a worker rebuilds the instance: the module the model is loaded from, and the
 * configuration. */
export interface SwarmJob {
  source: string
  params: Record<string, number>
  bug: string | undefined
  properties: readonly string[] | undefined
  seed: number
  depth: number
  checkDeadlock: boolean
  swarm: boolean
}

export type SwarmRequest = { first: number; end: number }
export type SwarmReply = { outcomes: WalkOutcome[] } | { error: string }

export function simulateInWorkers(instance: Instance, options: SimulationOptions, workers: number): Promise<SimulationResult> {
  const source = sourceOf(instance.model)
  if (!source) return Promise.reject(new InputError(`simulation workers load the model in every thread, so ${instance.model.name} must be loaded from a module file`))
  const job: SwarmJob = {
    source,
    params: instance.config.params,
    bug: instance.config.bug,
    properties: instance.config.properties,
    seed: options.seed,
    depth: options.depth,
    checkDeadlock: options.checkDeadlock ?? true,
    swarm: options.swarm ?? false,
  }
  const tally = new SimulationTally(instance, options)
  // Small batches keep workers evenly busy and bound the walks wasted after a failure.
  const batch = Math.max(1, Math.min(64, Math.ceil(options.runs / (workers * 8))))
  const arrived = new Map<number, WalkOutcome>()
  let nextToHandOut = 0
  let stopAfter = options.runs // no walk at or past this index is handed out
  const pool = Array.from({ length: Math.min(workers, Math.ceil(options.runs / batch)) }, () => new Worker(new URL('./swarm-worker.js', import.meta.url), { workerData: job }))

  return new Promise<SimulationResult>((resolve, reject) => {
    let busy = 0
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      for (const w of pool) void w.terminate()
      if (error) reject(error)
      else resolve(tally.finish())
    }
    const handOut = (worker: Worker) => {
      // Out of time or interrupted: walks handed out so far are still tallied, in order; none after them.
      if (tally.shouldStop()) stopAfter = Math.min(stopAfter, nextToHandOut)
      if (nextToHandOut >= stopAfter) {
        if (busy === 0) finish()
        return
      }
      const request: SwarmRequest = { first: nextToHandOut, end: Math.min(stopAfter, nextToHandOut + batch) }
      nextToHandOut = request.end
      busy++
      worker.postMessage(request)
    }
    for (const worker of pool) {
      worker.on('message', (reply: SwarmReply) => {
        busy--
        if ('error' in reply) return finish(new Error(`simulation worker: ${reply.error}`))
        for (const outcome of reply.outcomes) arrived.set(outcome.run, outcome)
        // Tally every walk that is next in order; a failure stops the hand-out past it.
        while (arrived.has(tally.runs) && !tally.failure) {
          const outcome = arrived.get(tally.runs)!
          arrived.delete(outcome.run)
          if (!tally.add(outcome)) stopAfter = Math.min(stopAfter, outcome.run + 1)
        }
        handOut(worker)
      })
      worker.on('error', (error) => finish(error))
      handOut(worker)
    }
  })
}
