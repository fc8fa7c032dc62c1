// The messages between the coordinator of a parallel search (parallel.ts) and its workers
// (parallel-worker.ts), and the layout of their shared control words.

import type { SharedParentLog } from './parents.js'
import type { Broken } from './steps.js'

/** States per chunk of a level handed between threads (a chunk is transferred, not copied). */
export const CHUNK_ENTRIES = 1 << 14

/** Indexes into the shared Int32Array of control words. */
export const enum Control {
  /** Non-zero: stop expanding and report (a violation elsewhere, a bound, Ctrl-C). */
  Stop = 0,
  /** Non-zero: the table is past its load limit; pause until the coordinator doubles it. */
  Grow = 1,
  /** Distinct states stored so far (each worker adds its own every 256). */
  Size = 2,
}
export const CONTROL_WORDS = 3

export interface WorkerSetup {
  /** The module the model is loaded from, in every worker. */
  source: string
  params: Record<string, number>
  bug: string | undefined
  properties: readonly string[] | undefined
  symmetric: readonly string[] | null
  index: number
  workers: number
  table: SharedArrayBuffer
  control: SharedArrayBuffer
  checkDeadlock: boolean
  maxStates: number
}

export type ToWorker =
  | { type: 'initial' }
  | { type: 'level'; chunks: ArrayBuffer[]; counts: number[] }
  | { type: 'table'; table: SharedArrayBuffer; resume: boolean }
  | { type: 'log' }
  | { type: 'close' }

export type FromWorker =
  | { type: 'ready' }
  | { type: 'paused' }
  | { type: 'log'; log: SharedParentLog }
  | {
      type: 'done'
      /** This worker's part of the next level. */
      chunks: Uint32Array[]
      counts: number[]
      /** Figures of this level only. */
      generated: number
      newStates: number
      actionCounts: number[]
      /** Every `sometimes` satisfied so far by this worker. */
      reached: boolean[]
      broken: Broken | null
      /** Id of a deadlocked state, or -1. */
      deadlock: number
      /** Why this worker's parent log could not be written to disk, if it could not. */
      logFailure: string | null
    }
