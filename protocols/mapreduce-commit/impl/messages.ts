// The messages of the MapReduce output commit and the bug switches its nodes share with
// protocols/mapreduce-commit/model.ts. Tasks, attempts and workers are numbered from 0 (the model
// shows task t as `task${t + 1}`, worker w as `worker${w + 1}`); an attempt id is per task.
//
// Three kinds of node: the coordinator (Spark's driver with its OutputCommitCoordinator, Hadoop's
// application master), the workers (executors) that run task attempts, and the storage (the file
// system the committer writes to; the coordinator process hosts it).

export type TaskId = number
export type WorkerId = number
export type AttemptNo = number

export type MapReduceBug = 'no-commit-coordination' | 'release-lost-committer' | 'done-on-authorize' | 'direct-output' | undefined

export const bugNames: readonly string[] = ['no-commit-coordination', 'release-lost-committer', 'done-on-authorize', 'direct-output']

/** Coordinator -> worker. */
export type ToWorker =
  | { readonly type: 'RunTask'; readonly task: TaskId; readonly attempt: AttemptNo }
  | { readonly type: 'CommitAllowed'; readonly task: TaskId; readonly attempt: AttemptNo }
  | { readonly type: 'CommitDenied'; readonly task: TaskId; readonly attempt: AttemptNo }

/** Worker -> coordinator. */
export type ToCoordinator =
  | { readonly type: 'CanCommit'; readonly worker: WorkerId; readonly task: TaskId; readonly attempt: AttemptNo }
  | { readonly type: 'TaskDone'; readonly worker: WorkerId; readonly task: TaskId; readonly attempt: AttemptNo }

/** Worker or coordinator -> storage: FileOutputCommitter's file-system operations on one
 * attempt's directory, and the job commit's merge. */
export type StorageRequest =
  /** setupTask: make the attempt's directory, in the temporary area or (direct) in the output. */
  | { readonly type: 'Setup'; readonly task: TaskId; readonly attempt: AttemptNo; readonly direct: boolean }
  /** One part file written into the attempt's directory. */
  | { readonly type: 'WriteFile'; readonly task: TaskId; readonly attempt: AttemptNo }
  /** commitTask: rename the attempt's directory into the job's committed area. */
  | { readonly type: 'Rename'; readonly task: TaskId; readonly attempt: AttemptNo }
  /** abortTask: delete the attempt's directory. */
  | { readonly type: 'Delete'; readonly task: TaskId; readonly attempt: AttemptNo }
  /** commitJob: move the committed area into the output directory, write _SUCCESS. */
  | { readonly type: 'MergeCommitted' }

export type Address = 'coordinator' | 'storage' | { readonly worker: WorkerId }
export type Message = ToWorker | ToCoordinator | StorageRequest
