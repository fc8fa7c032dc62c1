// Parallel breadth-first search (--workers N): N worker threads (parallel-worker.ts) share
// one visited table (sharedset.ts) and expand each BFS level together; this thread only
// coordinates. Level by level: the workers' parts of the next level come back as chunks,
// which are dealt out evenly for the level after. Levels keep the result of one worker:
// the same distinct and generated counts, and every counterexample is a shortest path
// (each state's logged parent is on the level before it).
//
// The table grows between insertions only: when the shared count passes the load limit,
// workers pause at their next state, this thread doubles the table, and they go on.
// Every worker loads the model's module itself, so the model must come from a module file.

import { Worker } from 'node:worker_threads'
import { InputError } from './errors.js'
import type { Instance } from './instance.js'
import { CONTROL_WORDS, Control, type FromWorker, type ToWorker, type WorkerSetup } from './parallel-protocol.js'
import { ParentLog } from './parents.js'
import { replayOrdinals } from './path.js'
import type { MemoryBudget } from './budget.js'
import { SearchTally, type SearchOptions, type SearchResult } from './search.js'
import { MAX_LOAD, SharedFingerprintSet } from './sharedset.js'
import { brokenOrdinals, type Broken } from './steps.js'
import { sourceOf } from './load.js'

const workerScript = new URL('./parallel-worker.js', import.meta.url)
const TICK_MS = 100

type Done = Extract<FromWorker, { type: 'done' }>

export async function parallelBfs(instance: Instance, workers: number, options: SearchOptions = {}): Promise<SearchResult> {
  const source = sourceOf(instance.model)
  if (!source) throw new InputError(`a parallel search loads the model in every worker thread, so ${instance.model.name} must be loaded from a module file`)
  const tally = new SearchTally(instance, options)
  const { budget } = tally
  // At least 2^16 slots: workers check the load every few states, so the table needs room
  // for what they add meanwhile.
  const initialSlots = options.fingerprintBytes !== undefined
    ? 2 ** Math.max(16, Math.floor(Math.log2(options.fingerprintBytes / 8)))
    : 2 ** Math.max(16, Math.ceil(Math.log2((options.expectedStates ?? 0) / MAX_LOAD)))
  if (!budget.allow('shared visited table', initialSlots * 8)) {
    return tally.finish({ result: 'incomplete', property: null, reason: budget.reason, path: null }, 0, 0)
  }
  let table = SharedFingerprintSet.withSlots(initialSlots)
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4))
  const setup = (index: number): WorkerSetup => ({
    source,
    params: instance.config.params,
    bug: instance.config.bug,
    properties: instance.config.properties,
    symmetric: options.symmetry ? [...options.symmetry.roles] : null,
    index,
    workers,
    table: table.buffer,
    control: control.buffer as SharedArrayBuffer,
    checkDeadlock: options.checkDeadlock ?? true,
    maxStates: options.maxStates ?? Infinity,
  })
  const pool = await Pool.start(workers, setup, budget)
  if (!pool) return tally.finish({ result: 'incomplete', property: null, reason: budget.reason, path: null }, 0, 0)

  let distinct = 0
  let depth = 0
  /** States in the level being expanded (the frontier, for progress). */
  let levelSize = 0
  let incomplete: string | null = null
  let broken: Broken | null = null
  let deadlock = -1
  const stop = (reason: string) => {
    incomplete ??= reason
    Atomics.store(control, Control.Stop, 1)
  }

  /** Run one level on every worker, doubling the table whenever they ask; returns their reports. */
  const runLevel = async (send: (index: number) => ToWorker, transfer: (index: number) => ArrayBuffer[]): Promise<Done[]> => {
    const reports: (Done | null)[] = new Array(workers).fill(null)
    const paused = new Set<number>()
    pool.workers.forEach((w, i) => w.postMessage(send(i), transfer(i)))
    const ticker = setInterval(() => {
      // Generated states are summed at the end of each level; distinct ones as workers add them.
      const reason = tally.tick(() => ({ generatedStates: tally.generated, distinctStates: Atomics.load(control, Control.Size), queued: levelSize, depth }))
      if (reason) stop(reason)
    }, TICK_MS)
    try {
      while (reports.some((r) => r === null)) {
        const { index, message } = await pool.next()
        if (message.type === 'done') reports[index] = message
        else if (message.type === 'paused') paused.add(index)
        else throw new Error(`parallel search: unexpected '${message.type}' from worker ${index}`)
        if (paused.size > 0 && paused.size + reports.filter(Boolean).length === workers) {
          // Everyone is paused or finished: nobody inserts, so the table can be doubled.
          if (Atomics.load(control, Control.Stop) === 0 && budget.allow('shared visited table', table.slots * 16)) table = table.doubled()
          else stop(budget.reason ?? 'stopped')
          Atomics.store(control, Control.Grow, 0)
          pool.workers.forEach((w, i) => w.postMessage({ type: 'table', table: table.buffer, resume: paused.has(i) } satisfies ToWorker))
          paused.clear()
        }
      }
    } finally {
      clearInterval(ticker)
    }
    return reports as Done[]
  }

  try {
    let level = await runLevel((i) => (i === 0 ? { type: 'initial' } : { type: 'level', chunks: [], counts: [] }), () => [])
    for (;;) {
      for (const report of level) {
        tally.generated += report.generated
        distinct += report.newStates
        report.actionCounts.forEach((n, a) => (tally.actionCounts[a] += n))
        report.reached.forEach((r, i) => (tally.reached[i] ||= r))
        if (report.broken && !broken) broken = report.broken
        if (report.deadlock >= 0 && deadlock < 0) deadlock = report.deadlock
        if (report.logFailure) incomplete ??= report.logFailure
      }
      if (broken || deadlock >= 0) break
      // A worker stops by itself only at --max-states.
      if (Atomics.load(control, Control.Stop) !== 0) incomplete ??= `--max-states ${options.maxStates} reached`
      if (incomplete) break
      // Deal the next level's chunks out evenly, biggest first.
      const chunks = level.flatMap((r) => r.chunks.map((c, k) => ({ chunk: c, count: r.counts[k] })))
      if (chunks.length === 0) break
      depth++
      if (depth >= (options.maxDepth ?? Infinity)) {
        stop(`--max-depth ${options.maxDepth} reached`)
        break
      }
      if (distinct >= (options.maxStates ?? Infinity)) {
        stop(`--max-states ${options.maxStates} reached`)
        break
      }
      chunks.sort((a, b) => b.count - a.count)
      levelSize = chunks.reduce((n, c) => n + c.count, 0)
      const shares: { chunks: ArrayBuffer[]; counts: number[]; total: number }[] = pool.workers.map(() => ({ chunks: [], counts: [], total: 0 }))
      for (const { chunk, count } of chunks) {
        const share = shares.reduce((least, s) => (s.total < least.total ? s : least))
        share.chunks.push(chunk.buffer as ArrayBuffer)
        share.counts.push(count)
        share.total += count
      }
      level = await runLevel((i) => ({ type: 'level', chunks: shares[i].chunks, counts: shares[i].counts }), (i) => shares[i].chunks)
    }

    if (broken || deadlock >= 0) {
      const logs = await pool.logs()
      let path
      try {
        const ordinals = broken ? brokenOrdinals(broken, (id) => ordinalsTo(logs, workers, id)) : ordinalsTo(logs, workers, deadlock)
        path = ordinals && replayOrdinals(instance, ordinals)
      } finally {
        logs.forEach((log) => log.close())
      }
      if (broken) return tally.finish({ result: 'violation', property: broken.property, error: broken.error, reason: null, path }, distinct, Math.max(depth, 1))
      return tally.finish({ result: 'deadlock', property: null, reason: 'a state with no enabled step', path }, distinct, depth)
    }
    if (incomplete) return tally.finish({ result: 'incomplete', property: null, reason: incomplete, path: null }, distinct, depth)
    return tally.finish({ result: 'safe', property: null, reason: null, path: null }, distinct, depth)
  } finally {
    await pool.close()
  }
}

/** Ordinals from an initial state to global id `id`, reading the workers' logs. */
function ordinalsTo(logs: ParentLog[], workers: number, id: number): number[] {
  const ordinals: number[] = []
  for (let at = id; at !== -1; ) {
    const log = logs[at % workers]
    const local = Math.floor(at / workers)
    ordinals.push(log.ordinal(local))
    at = log.parent(local)
  }
  return ordinals.reverse()
}

/** The worker threads and their messages, read in arrival order. */
class Pool {
  readonly workers: Worker[] = []
  private readonly inbox: { index: number; message: FromWorker }[] = []
  private waiting: (() => void) | null = null
  private failure: Error | null = null

  private constructor() {}

  /** Start `count` workers and wait until each has built the model. Under a memory budget
   * they start one by one, each only if the budget has room for one more as big as the
   * first (a worker is a whole V8 isolate with the model loaded, tens of MB, and its memory
   * is this process's); null when it has not, with the budget's reason. */
  static async start(count: number, setup: (index: number) => WorkerSetup, budget: MemoryBudget): Promise<Pool | null> {
    const pool = new Pool()
    try {
      if (budget.limitBytes === Infinity) {
        for (let index = 0; index < count; index++) pool.spawn(index, setup(index))
        for (let n = 0; n < count; n++) await pool.ready()
        return pool
      }
      let perWorker = 0
      for (let index = 0; index < count; index++) {
        const before = process.memoryUsage.rss()
        if (index > 0 && !budget.allow(`worker thread ${index + 1} of ${count}`, perWorker)) {
          await pool.close()
          return null
        }
        pool.spawn(index, setup(index))
        await pool.ready()
        if (index === 0) perWorker = Math.max(0, process.memoryUsage.rss() - before)
      }
      return pool
    } catch (error) {
      await pool.close()
      throw error
    }
  }

  private spawn(index: number, setup: WorkerSetup) {
    const worker = new Worker(workerScript, { workerData: setup })
    worker.on('message', (message: FromWorker) => this.deliver({ index, message }))
    worker.on('error', (e) => this.fail(e))
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`parallel search: worker ${index} exited with code ${code}`))
    })
    this.workers.push(worker)
  }

  async next(): Promise<{ index: number; message: FromWorker }> {
    while (this.inbox.length === 0) {
      if (this.failure) throw this.failure
      await new Promise<void>((resolve) => (this.waiting = resolve))
    }
    return this.inbox.shift()!
  }

  /** Wait for one worker to say it has built the model. */
  private async ready() {
    const { message } = await this.next()
    if (message.type !== 'ready') throw new Error(`parallel search: expected ready, got ${message.type}`)
  }

  /** Every worker's parent log, readable here. */
  async logs(): Promise<ParentLog[]> {
    this.workers.forEach((w) => w.postMessage({ type: 'log' } satisfies ToWorker))
    const logs: ParentLog[] = []
    for (let n = 0; n < this.workers.length; n++) {
      const { index, message } = await this.next()
      if (message.type !== 'log') throw new Error(`parallel search: expected log, got ${message.type}`)
      logs[index] = ParentLog.reading(message.log)
    }
    return logs
  }

  async close() {
    const exits = this.workers.map((w) => new Promise((resolve) => w.once('exit', resolve)))
    this.failure ??= new Error('closed')
    this.workers.forEach((w) => w.postMessage({ type: 'close' } satisfies ToWorker))
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 2000).unref())])
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  private deliver(item: { index: number; message: FromWorker }) {
    this.inbox.push(item)
    this.wake()
  }

  private fail(e: Error) {
    this.failure ??= e
    this.wake()
  }

  private wake() {
    const waiting = this.waiting
    this.waiting = null
    waiting?.()
  }
}
