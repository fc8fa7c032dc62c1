// mapreduce-commit messages as they cross the network: whatever arrives is checked before a
// core sees it, so that a malformed or hostile frame is dropped instead of corrupting a node.

import type { StorageRequest, ToCoordinator, ToWorker } from './messages.js'

/** Worker -> coordinator, first on its connection: which worker this connection is. */
export interface Register {
  readonly type: 'Register'
  readonly worker: number
}

/** Anyone -> any node: report your state (for tests and operators). */
export interface Inspect {
  readonly type: 'Inspect'
}

const isIndex = (x: unknown, below: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < below
const isAttempt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 1_000_000

export interface Limits {
  readonly tasks: number
  readonly workers: number
}

/** What the coordinator process accepts: a worker's messages to the coordinator or to the
 * storage it hosts, a registration, or an inspection; null for anything else. */
export function parseAtCoordinator(raw: unknown, limits: Limits): ToCoordinator | StorageRequest | Register | Inspect | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'Inspect':
      return { type: 'Inspect' }
    case 'Register':
      return isIndex(m.worker, limits.workers) ? { type: 'Register', worker: m.worker } : null
    case 'CanCommit':
    case 'TaskDone':
      return isIndex(m.worker, limits.workers) && isIndex(m.task, limits.tasks) && isAttempt(m.attempt)
        ? { type: m.type, worker: m.worker, task: m.task, attempt: m.attempt }
        : null
    case 'Setup':
      return isIndex(m.task, limits.tasks) && isAttempt(m.attempt) && typeof m.direct === 'boolean'
        ? { type: 'Setup', task: m.task, attempt: m.attempt, direct: m.direct }
        : null
    case 'WriteFile':
    case 'Rename':
    case 'Delete':
      return isIndex(m.task, limits.tasks) && isAttempt(m.attempt) ? { type: m.type, task: m.task, attempt: m.attempt } : null
    case 'MergeCommitted':
      // The coordinator's own request; no peer may merge the committed area.
      return null
    default:
      return null
  }
}

/** What a worker process accepts: the coordinator's messages, or an inspection. */
export function parseAtWorker(raw: unknown): ToWorker | Inspect | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'Inspect':
      return { type: 'Inspect' }
    case 'RunTask':
    case 'CommitAllowed':
    case 'CommitDenied':
      return isAttempt(m.task) && isAttempt(m.attempt) ? { type: m.type, task: m.task, attempt: m.attempt } : null
    default:
      return null
  }
}
