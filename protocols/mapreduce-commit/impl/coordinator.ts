// The coordinator (Spark's driver with its OutputCommitCoordinator; Hadoop's application master)
// as a sans-IO core. It launches attempts of unfinished tasks on free workers (a first attempt,
// a retry after a loss, or a speculative copy), arbitrates canCommit (the first attempt of a
// task to ask is authorised, every other one denied), marks a task finished when its attempt
// reports success, and commits the job once every task is finished. When a worker is lost while
// its attempt holds a task's commit authorisation, the coordinator cannot know whether that
// attempt renamed its output, so it fails the job (the rule of SPARK-39195). Bug switches:
// no-commit-coordination (authorise everyone), release-lost-committer (authorise another attempt
// after the loss), done-on-authorize (a task counts as finished once authorised).

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, AttemptNo, MapReduceBug, Message, TaskId, ToCoordinator, WorkerId } from './messages.js'

export interface TaskState {
  /** Attempts launched so far; the next one gets this number. */
  readonly attempts: number
  /** The attempt authorised to commit, or -1. */
  readonly committer: number
  readonly done: boolean
}

export interface CoordinatorState {
  readonly job: 'running' | 'committed' | 'aborted'
  readonly tasks: readonly TaskState[]
  /** The attempt each worker runs, as far as the coordinator knows (null: free). */
  readonly running: readonly ({ readonly task: TaskId; readonly attempt: AttemptNo } | null)[]
  readonly lost: readonly boolean[]
  /** Workers lost so far. */
  readonly failures: number
}

export type CoordinatorEvent =
  | { readonly type: 'Launch'; readonly task: TaskId; readonly worker: WorkerId }
  | { readonly type: 'Receive'; readonly message: ToCoordinator }
  /** The worker's heartbeats stopped (its connection closed). */
  | { readonly type: 'WorkerLost'; readonly worker: WorkerId }
  | { readonly type: 'CommitJob' }

export interface CoordinatorConfig {
  readonly tasks: number
  readonly workers: number
  readonly bug?: MapReduceBug
}

export const initialCoordinator = (config: CoordinatorConfig): CoordinatorState => ({
  job: 'running',
  tasks: Array.from({ length: config.tasks }, () => ({ attempts: 0, committer: -1, done: false })),
  running: Array.from({ length: config.workers }, () => null),
  lost: Array.from({ length: config.workers }, () => false),
  failures: 0,
})

type Step = Transition<CoordinatorState, Address, Message>

export function stepCoordinator(config: CoordinatorConfig, state: CoordinatorState, event: CoordinatorEvent): Step {
  const knownWorker = (w: number) => Number.isInteger(w) && w >= 0 && w < config.workers
  const knownTask = (t: number) => Number.isInteger(t) && t >= 0 && t < config.tasks
  switch (event.type) {
    case 'Launch': {
      const { task: t, worker: w } = event
      if (!knownTask(t) || !knownWorker(w)) return refuse(`no task ${t} or worker ${w}`)
      if (state.job !== 'running') return refuse(`the job is ${state.job}`)
      if (state.tasks[t].done) return refuse(`task${t + 1} is finished`)
      if (state.lost[w]) return refuse(`worker${w + 1} is lost`)
      if (state.running[w]) return refuse(`worker${w + 1} runs an attempt already`)
      const attempt = state.tasks[t].attempts
      return {
        state: produce(state, (d) => {
          d.tasks[t].attempts = attempt + 1
          d.running[w] = { task: t, attempt }
        }),
        effects: [{ to: { worker: w }, message: { type: 'RunTask', task: t, attempt } }],
      }
    }
    case 'Receive': {
      const { message } = event
      const { worker: w, task: t, attempt: a } = message
      if (!knownWorker(w) || !knownTask(t)) return refuse(`no task ${t} or worker ${w}`)
      const mine = state.running[w]
      if (!mine || mine.task !== t || mine.attempt !== a) return refuse(`worker${w + 1} does not run attempt ${t}/${a}`)
      if (message.type === 'CanCommit') {
        const task = state.tasks[t]
        const allowed = state.job === 'running' && !task.done && (task.committer === -1 || config.bug === 'no-commit-coordination')
        if (!allowed) {
          // Denied: the attempt aborts, and the worker is free.
          return {
            state: produce(state, (d) => void (d.running[w] = null)),
            effects: [{ to: { worker: w }, message: { type: 'CommitDenied', task: t, attempt: a } }],
          }
        }
        return {
          state: produce(state, (d) => {
            d.tasks[t].committer = a
            // The bug: permission to commit is taken for the commit itself.
            if (config.bug === 'done-on-authorize') d.tasks[t].done = true
          }),
          effects: [{ to: { worker: w }, message: { type: 'CommitAllowed', task: t, attempt: a } }],
        }
      }
      // TaskDone: the attempt committed; the task is finished.
      return {
        state: produce(state, (d) => {
          d.tasks[t].done = true
          d.running[w] = null
        }),
        effects: [],
      }
    }
    case 'WorkerLost': {
      const w = event.worker
      if (!knownWorker(w)) return refuse(`no worker ${w}`)
      const mine = state.running[w]
      // Only a worker with an attempt matters to the job (the model loses only those).
      if (state.lost[w] || !mine) return refuse(`worker${w + 1} runs no attempt`)
      const task = state.tasks[mine.task]
      const lostCommitter = state.job === 'running' && !task.done && task.committer === mine.attempt
      return {
        state: produce(state, (d) => {
          d.lost[w] = true
          d.running[w] = null
          d.failures += 1
          if (lostCommitter) {
            if (config.bug === 'release-lost-committer') d.tasks[mine.task].committer = -1
            else d.job = 'aborted'
          }
        }),
        effects: [],
      }
    }
    case 'CommitJob':
      if (state.job !== 'running') return refuse(`the job is ${state.job}`)
      if (!state.tasks.every((t) => t.done)) return refuse('not every task is finished')
      return {
        state: produce(state, (d) => void (d.job = 'committed')),
        effects: [{ to: 'storage', message: { type: 'MergeCommitted' } }],
      }
  }
}
