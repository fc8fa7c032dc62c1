// What --checkpoint, --recover and --disk add to a breadth-first search, in one place: the
// structures the search starts from (fresh, or recovered from a checkpoint), the visited set
// (in memory, or spilling to disk), checkpoints at intervals, and what happens to DIR at the
// end: a check that reached its verdict removes its checkpoint (recovering it would only
// repeat the same verdict); one stopped early (Ctrl-C, SIGTERM, --time, --memory,
// --max-states) writes a last checkpoint, so that --recover continues where it stopped.

import type { MemoryBudget } from '../budget.js'
import { InputError } from '../errors.js'
import type { Instance } from '../instance.js'
import { ParentLog } from '../parents.js'
import { StateQueue } from '../queue.js'
import type { SearchOptions, SearchTally } from '../search.js'
import { FingerprintSet } from '../stateset.js'
import type { VisitedSet } from '../steps.js'
import { CheckpointWriter, readCheckpoint, removeCheckpoint, type RecoveredBfs } from './checkpoint.js'
import { DiskVisitedSet, spillFolder, type Enqueue } from './disk-set.js'
import { checkIdentity } from './identity.js'
import { SortedRun } from './sorted-run.js'

export interface PersistenceOptions {
  /** Write checkpoints to this folder. */
  checkpointDir?: string
  /** Seconds between checkpoints (default 600). */
  checkpointEverySeconds?: number
  /** Continue the search checkpointed in this folder (and go on checkpointing there). */
  recoverDir?: string
  /** Spill the visited set to a folder made in this folder when it would pass the memory budget. */
  diskDir?: string
  /** Recorded in checkpoints: another version's checkpoint is refused (the package sets it). */
  toolVersion?: string
}

export const DEFAULT_CHECKPOINT_SECONDS = 600

export class BfsPersistence {
  readonly log: ParentLog
  readonly queue: StateQueue
  private readonly recovered: RecoveredBfs | null
  private readonly writer: CheckpointWriter | null
  private readonly everyMs: number
  private nextCheckpoint: number
  private disk: DiskVisitedSet | null = null
  private readonly spill: { path: string; remove: () => void } | null

  constructor(instance: Instance, private readonly options: SearchOptions & { persistence: PersistenceOptions }) {
    const p = options.persistence
    const dir = p.recoverDir ?? p.checkpointDir
    if (p.recoverDir && p.checkpointDir && p.checkpointDir !== p.recoverDir) {
      throw new InputError(`--recover ${p.recoverDir} goes on checkpointing into ${p.recoverDir}: leave out --checkpoint ${p.checkpointDir}`)
    }
    if (p.diskDir && options.memoryBytes === undefined && options.fingerprintBytes === undefined) {
      throw new InputError('--disk needs --memory MB (the budget past which the visited set spills) or --fp-mem MB (the table size)')
    }
    if (p.recoverDir && options.fingerprintBytes !== undefined) {
      throw new InputError(`--fp-mem: a recovered search's visited table comes from the checkpoint in ${p.recoverDir}`)
    }
    if (p.checkpointEverySeconds !== undefined && !dir) throw new InputError('--checkpoint-every needs --checkpoint DIR (or --recover DIR)')
    const identity = dir ? checkIdentity(instance, options, p.toolVersion ?? 'unknown') : null
    this.spill = p.diskDir ? spillFolder(p.diskDir) : null
    try {
      if (p.recoverDir) {
        const { recovered, sequence } = readCheckpoint(p.recoverDir, identity!, instance.words, this.spill?.path ?? null)
        this.recovered = recovered
        this.log = recovered.log
        this.queue = recovered.queue
        this.writer = new CheckpointWriter(p.recoverDir, identity!, sequence)
      } else {
        this.recovered = null
        if (p.checkpointDir) CheckpointWriter.prepareFresh(p.checkpointDir)
        this.log = p.checkpointDir ? new ParentLog(CheckpointWriter.logPath(p.checkpointDir)) : new ParentLog()
        this.queue = new StateQueue(instance.words)
        this.writer = p.checkpointDir ? new CheckpointWriter(p.checkpointDir, identity!, null) : null
      }
    } catch (e) {
      this.spill?.remove()
      throw e
    }
    this.everyMs = (p.checkpointEverySeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000
    this.nextCheckpoint = performance.now() + this.everyMs
  }

  /** The visited set the search starts from; `enqueue` stores a new state (disk mode settles through it). */
  visitedSet(budget: MemoryBudget, enqueue: Enqueue): VisitedSet {
    const o = this.options
    let table: FingerprintSet
    if (this.recovered) {
      // Already in memory (the RSS checks at ticks count it): never replaced by an empty table,
      // which a last checkpoint would then save over the good one.
      table = this.recovered.table
    } else if (o.persistence.diskDir && o.fingerprintBytes === undefined) {
      table = new FingerprintSet()
    } else {
      table = FingerprintSet.forSearch(o, budget)
    }
    if (!o.persistence.diskDir) {
      table.budget = budget
      return table
    }
    this.disk = new DiskVisitedSet(this.spill!.path, table, this.queue.stateWords, enqueue, budget, o.fingerprintBytes !== undefined)
    const spilled = this.recovered?.spilled
    if (spilled) this.disk.adoptRun(SortedRun.open(spilled.path, spilled.record))
    return this.disk
  }

  /** Put the recovered counters back into the tally; the depth bookkeeping, or null for a fresh search. */
  restore(tally: SearchTally): { depth: number; levelEnd: number } | null {
    const r = this.recovered
    if (!r) return null
    tally.generated = r.generated
    tally.actionCounts.set(r.coverage)
    r.reached.forEach((reached, i) => (tally.reached[i] = reached))
    tally.priorSeconds = r.seconds
    return { depth: r.depth, levelEnd: r.levelEnd }
  }

  get checkpointDue(): boolean {
    return this.writer !== null && performance.now() >= this.nextCheckpoint
  }

  /** Write a checkpoint of the search as it is between two expansions. */
  checkpoint(tally: SearchTally, table: VisitedSet, depth: number, levelEnd: number) {
    if (!this.writer) return
    this.disk?.settle()
    const memoryTable = this.disk ? this.disk.memoryTable : (table as FingerprintSet)
    this.writer.write({ log: this.log, queue: this.queue, tally, depth, levelEnd, table: memoryTable, spilled: this.disk?.spilled ?? null })
    this.nextCheckpoint = performance.now() + this.everyMs
  }

  /** The search is over: remove the checkpoint after a verdict, or write a last one when it
   * stopped early between two expansions (`resumable`) so that it can be continued. */
  finished(verdictReached: boolean, resumable: boolean, write: () => void) {
    if (!this.writer) return
    if (verdictReached) removeCheckpoint(this.writer.dir)
    else if (resumable) write()
  }

  /** Remove the spill folder (the parent log is closed by the search). */
  close() {
    this.spill?.remove()
  }
}
