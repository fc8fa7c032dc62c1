// One worker of a parallel breadth-first search (parallel.ts runs the show). It loads the
// model from the module it is given, expands the states of the current level it is dealt,
// inserts successors into the shared visited table, logs each new state's parent and
// ordinal in a log of its own, and hands its part of the next level back as chunks.
//
// State ids are global: a worker's k-th state has id k * workers + index, so the
// coordinator can find any state's log entry without asking.

import { parentPort, workerData } from 'node:worker_threads'
import { loadModelModule } from './load.js'
import { Instance } from './instance.js'
import { ParentLog } from './parents.js'
import { SearchTally } from './search.js'
import { SharedFingerprintSet } from './sharedset.js'
import { StepHandler } from './steps.js'
import { Symmetry } from './symmetry.js'
import { CHUNK_ENTRIES, Control, type FromWorker, type ToWorker, type WorkerSetup } from './parallel-protocol.js'

const setup = workerData as WorkerSetup
const port = parentPort!
const model = await loadModelModule(setup.source)
const instance = Instance.create(model, setup.params, setup.bug, setup.properties)
const words = instance.words
const entryWords = words + 1
const control = new Int32Array(setup.control)
const seen = new SharedFingerprintSet(setup.table)
const log = new ParentLog()
const tally = new SearchTally(instance, {})
const symmetry = setup.symmetric ? new Symmetry(instance.schema, setup.symmetric, model.name) : undefined

// The next level, being written: full chunks and the one being filled.
let outChunks: Uint32Array[] = []
let outCounts: number[] = []
let out = new Uint32Array(CHUNK_ENTRIES * entryWords)
let outCount = 0
let newStates = 0
/** New states not yet added to the shared count. */
let unpublished = 0

const steps: StepHandler = new StepHandler(
  instance,
  seen,
  tally,
  (successor, ordinal): number => {
    const id: number = log.add(steps.parent, ordinal) * setup.workers + setup.index
    if (outCount === CHUNK_ENTRIES) {
      outChunks.push(out)
      outCounts.push(outCount)
      out = new Uint32Array(CHUNK_ENTRIES * entryWords)
      outCount = 0
    }
    const at = outCount++ * entryWords
    for (let i = 0; i < words; i++) out[at + i] = successor[i]
    out[at + words] = id
    newStates++
    if (++unpublished === 256) publish()
    return id
  },
  symmetry,
)

function publish() {
  Atomics.add(control, Control.Size, unpublished)
  unpublished = 0
}

// The level being expanded, and where this worker is in it (kept across a pause).
let inChunks: Uint32Array[] = []
let inCounts: number[] = []
let chunkAt = 0
let entryAt = 0

/** Expand from where we are; returns false if paused for the table to grow. */
function expandLevel(): boolean {
  for (; chunkAt < inChunks.length; chunkAt++, entryAt = 0) {
    const chunk = inChunks[chunkAt]
    for (; entryAt < inCounts[chunkAt]; ) {
      // The shared words are read every few states: each read of a word another core writes
      // costs a cache miss, and a few states late is harmless (the table has room to spare).
      if ((++expansions & 15) === 0) {
        if (Atomics.load(control, Control.Stop) !== 0) return true
        if (log.failure) {
          Atomics.store(control, Control.Stop, 1)
          return true
        }
        if (Atomics.load(control, Control.Grow) !== 0) return false
        const size = Atomics.load(control, Control.Size)
        if (size + unpublished >= setup.maxStates) {
          Atomics.store(control, Control.Stop, 1)
          return true
        }
        if (size > seen.limit) {
          publish()
          Atomics.store(control, Control.Grow, 1)
          return false
        }
      }
      const offset = entryAt++ * entryWords
      const id = chunk[offset + words]
      const enabled = steps.expand(id, chunk, offset)
      if (steps.broken) return true
      if (setup.checkDeadlock && steps.deadlocked(enabled)) {
        deadlock = id
        return true
      }
    }
  }
  return true
}

let deadlock = -1
let expansions = 0

function finishLevel() {
  publish()
  if (outCount > 0) {
    outChunks.push(out)
    outCounts.push(outCount)
  }
  const message: FromWorker = {
    type: 'done',
    chunks: outChunks,
    counts: outCounts,
    generated: tally.generated,
    newStates,
    actionCounts: Array.from(tally.actionCounts),
    reached: tally.reached.slice(),
    broken: steps.broken ?? null,
    deadlock,
    logFailure: log.failure,
  }
  port.postMessage(message, outChunks.map((c) => c.buffer as ArrayBuffer))
  outChunks = []
  outCounts = []
  out = new Uint32Array(CHUNK_ENTRIES * entryWords)
  outCount = 0
  newStates = 0
  tally.generated = 0
  tally.actionCounts.fill(0)
}

function run() {
  if (expandLevel()) finishLevel()
  else port.postMessage({ type: 'paused' } satisfies FromWorker)
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'initial':
      steps.initial()
      finishLevel()
      break
    case 'level':
      inChunks = message.chunks.map((b) => new Uint32Array(b))
      inCounts = message.counts
      chunkAt = 0
      entryAt = 0
      run()
      break
    case 'table':
      seen.adopt(message.table)
      if (message.resume) run()
      break
    case 'log':
      port.postMessage({ type: 'log', log: log.share() } satisfies FromWorker)
      break
    case 'close':
      log.close()
      port.close()
      break
  }
})
port.postMessage({ type: 'ready' } satisfies FromWorker)
