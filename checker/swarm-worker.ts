// A simulation worker: rebuilds the model configuration it was given, then runs the batches
// of walks the main thread sends (checker/swarm.ts), replying with their outcomes.

import { parentPort, workerData } from 'node:worker_threads'
import { Instance } from './instance.js'
import { loadModelModule } from './load.js'
import { walk, type WalkOutcome } from './simulate.js'
import type { SwarmJob, SwarmReply, SwarmRequest } from './swarm.js'

const job = workerData as SwarmJob
const instance = new Instance(await loadModelModule(job.source), { params: job.params, bug: job.bug, properties: job.properties })

parentPort!.on('message', ({ first, end }: SwarmRequest) => {
  let reply: SwarmReply
  try {
    const outcomes: WalkOutcome[] = []
    for (let run = first; run < end; run++) outcomes.push(walk(instance, job.seed, run, job))
    reply = { outcomes }
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e) }
  }
  // The fingerprint arrays move to the main thread rather than being copied.
  parentPort!.postMessage(reply, 'outcomes' in reply ? reply.outcomes.map((o) => o.fingerprints.buffer as ArrayBuffer) : [])
})
