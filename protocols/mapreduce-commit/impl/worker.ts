// A worker (an executor) as a sans-IO core: it runs one task attempt at a time, as Hadoop's
// FileOutputCommitter (algorithm 1) has it: setupTask makes the attempt's temporary directory,
// the task writes its part files there, then the attempt asks the coordinator whether it may
// commit (Spark's canCommit). Allowed, it renames its directory into the committed area
// (commitTask) and then reports success; denied, it deletes its directory (abortTask) and is free.
// The direct-output bug writes into the output directory itself and has nothing to rename.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, AttemptNo, MapReduceBug, Message, TaskId, ToWorker, WorkerId } from './messages.js'

export type WorkerStatus = 'idle' | 'writing' | 'authorized' | 'committed' | 'down'

export interface WorkerState {
  readonly id: WorkerId
  readonly status: WorkerStatus
  /** The attempt being run (0 and 0 when idle or down). */
  readonly task: TaskId
  readonly attempt: AttemptNo
  /** Part files written by this attempt. */
  readonly written: number
}

export type WorkerEvent =
  | { readonly type: 'Receive'; readonly message: ToWorker }
  /** The task's code hands over its next part file. */
  | { readonly type: 'WriteNext' }
  /** Every part written: ask the coordinator for permission to commit. */
  | { readonly type: 'WantCommit' }
  /** Permission granted: commitTask. */
  | { readonly type: 'DoCommit' }
  /** Committed: tell the coordinator the task succeeded. */
  | { readonly type: 'Report' }
  /** The worker's process dies; whatever it wrote stays where it is. */
  | { readonly type: 'Crash' }

export interface WorkerConfig {
  /** Part files each attempt writes. */
  readonly parts: number
  readonly bug?: MapReduceBug
}

export const initialWorker = (id: WorkerId): WorkerState => ({ id, status: 'idle', task: 0, attempt: 0, written: 0 })

type Step = Transition<WorkerState, Address, Message>

const free = (state: WorkerState) => produce(state, (d) => {
  d.status = 'idle'
  d.task = 0
  d.attempt = 0
  d.written = 0
})

export function stepWorker(config: WorkerConfig, state: WorkerState, event: WorkerEvent): Step {
  const me = `worker${state.id + 1}`
  const attempt = { task: state.task, attempt: state.attempt }
  switch (event.type) {
    case 'WriteNext':
      if (state.status !== 'writing') return refuse(`${me} is not writing an attempt`)
      if (state.written >= config.parts) return refuse(`${me} has written all ${config.parts} parts`)
      return {
        state: produce(state, (d) => void (d.written += 1)),
        effects: [{ to: 'storage', message: { type: 'WriteFile', ...attempt } }],
      }
    case 'WantCommit':
      if (state.status !== 'writing') return refuse(`${me} is not writing an attempt`)
      if (state.written < config.parts) return refuse(`${me} has written ${state.written} of ${config.parts} parts`)
      return { state, effects: [{ to: 'coordinator', message: { type: 'CanCommit', worker: state.id, ...attempt } }] }
    case 'DoCommit':
      if (state.status !== 'authorized') return refuse(`${me} is not authorised to commit`)
      return {
        state: produce(state, (d) => void (d.status = 'committed')),
        // A direct committer's files are in the output already: nothing to rename.
        effects: config.bug === 'direct-output' ? [] : [{ to: 'storage', message: { type: 'Rename', ...attempt } }],
      }
    case 'Report':
      if (state.status !== 'committed') return refuse(`${me} has not committed`)
      return { state: free(state), effects: [{ to: 'coordinator', message: { type: 'TaskDone', worker: state.id, ...attempt } }] }
    case 'Crash':
      if (state.status === 'down') return refuse(`${me} is down already`)
      return { state: produce(free(state), (d) => void (d.status = 'down')), effects: [] }
    case 'Receive': {
      const { message } = event
      if (message.type === 'RunTask') {
        if (state.status !== 'idle') return refuse(`${me} is busy (${state.status})`)
        return {
          state: produce(state, (d) => {
            d.status = 'writing'
            d.task = message.task
            d.attempt = message.attempt
            d.written = 0
          }),
          effects: [{ to: 'storage', message: { type: 'Setup', task: message.task, attempt: message.attempt, direct: config.bug === 'direct-output' } }],
        }
      }
      // An answer to canCommit must be about the attempt this worker is running and asked for.
      if (state.status !== 'writing' || state.written < config.parts || message.task !== state.task || message.attempt !== state.attempt) {
        return refuse(`${me} did not ask to commit attempt ${message.task}/${message.attempt}`)
      }
      if (message.type === 'CommitAllowed') return { state: produce(state, (d) => void (d.status = 'authorized')), effects: [] }
      // Denied: abortTask.
      return { state: free(state), effects: [{ to: 'storage', message: { type: 'Delete', ...attempt } }] }
    }
  }
}
