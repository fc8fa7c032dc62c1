// The output commit of a MapReduce/Spark job: a job of tasks, task attempts run on workers
// (speculative duplicates, retries after a worker is lost), attempts writing into a file
// system and committing through an output committer. No public TLA+ spec is followed; the
// model follows these documented mechanisms:
//
//   - Hadoop's FileOutputCommitter, algorithm version 1 (org.apache.hadoop.mapreduce.lib.output):
//     setupTask makes the attempt's own temporary directory, the attempt writes its part files
//     there, commitTask renames that directory into the job's committed area
//     (_temporary/<app-attempt>/<task>), abortTask deletes it, and commitJob merges the committed
//     area into the output directory and writes _SUCCESS. Readers trust the output only with
//     _SUCCESS, i.e. once the job has committed.
//   - Spark's OutputCommitCoordinator (core/.../scheduler/OutputCommitCoordinator.scala) on the
//     driver, which arbitrates commitTask: the first attempt of a task to ask `canCommit` is
//     authorised and every other attempt is denied (and aborts); a task is finished only when its
//     authorised attempt reports success. When the authorised attempt is lost before it
//     reported success, the coordinator cannot know whether its rename happened, so it fails the
//     job instead of authorising another attempt: the rule SPARK-39195 gave Spark ("abort stage
//     when committed file not consistent with task status", later reverted by SPARK-48292).
//     Before it, the coordinator cleared the lost attempt's authorisation and let a later
//     attempt commit (the release-lost-committer bug).
//
// The model names each attempt's part files by the attempt, so two attempts committed into one
// task's area leave both sets of files there: the model's form of a task's output duplicated.
//
//   mechanism                                   here
//   driver: tasks, attempts launched            tasks[t].attempts (attempt ids 0, 1, ... per task)
//   OutputCommitCoordinator's authorised        tasks[t].committer (-1: none)
//     committer per partition
//   task marked successful                      tasks[t].done
//   job status (_SUCCESS written / aborted)     job: running | committed | aborted
//   executors                                   worker[w]: status, and the attempt it runs
//   file system: each attempt's files and       fs[t][a]: where its directory is (none, temp,
//     where they are                              committed, output) and how many part files
//   launch an attempt (first, retry or          Launch(task, worker): the driver assigns, the
//     speculative copy) on an idle executor       worker runs setupTask
//   the attempt writes one part file            Write(worker)
//   canCommit? (authorised or denied+abortTask) AskCommit(worker)
//   commitTask: rename into the committed area  CommitTask(worker)
//   the attempt reports success                 ReportDone(worker)
//   an executor lost (heartbeat timeout)        WorkerLost(worker): the worker stops where it is;
//                                                 its files stay; the driver handles the loss
//   commitJob: merge, _SUCCESS                  CommitJob
//
// Properties (over the job's output: the files in `output` once _SUCCESS is written):
//   JobCommitsAfterAllTasks  a committed job's output holds every task's output
//   NoPartialOutput          no attempt's incomplete output (a lost attempt's few files) is in it
//   OutputExactlyOnce        it holds each task's output from exactly one attempt
// Bounds are TLC-style state constraints (`within`): at most maxAttempts attempts of any task,
// at most maxFailures workers lost.
//
// A TLA+ transcription of this model (same variables, actions and CONSTRAINT; not shipped)
// checked by TLC 2.20 reaches the same counts: 2,431 distinct / 5,770 generated states at the
// defaults, 18,955 / 46,732 with 3 tasks, 4,069 / 8,250 with parts=1 maxAttempts=3 maxFailures=2,
// and 433,732 / 1,558,945 (depth 32) for specs/mapreduce-commit.json.

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { bool, enumOf, int, mapOf, NIL, nodeId, nodeIdOrNil, record } from '../../checker/schema.js'

export const mapReduceCommitBugs = {
  'no-commit-coordination': 'every attempt that asks to commit is authorised (no OutputCommitCoordinator), so two attempts of one task both commit',
  'release-lost-committer': 'when the authorised attempt is lost, its authorisation is released and another attempt may commit (Spark\'s coordinator before SPARK-39195)',
  'done-on-authorize': 'the driver counts a task as finished when it authorises its commit, not when the commit is reported, so the job can commit on a partial set',
  'direct-output': 'attempts write straight into the output directory (a "direct" committer), so a lost attempt\'s partial files stay there',
} as const

export default defineModel({
  name: 'mapreduce-commit',
  summary: 'MapReduce/Spark output commit: speculative and retried task attempts, task commit by rename arbitrated by the driver, job commit',
  params: {
    tasks: { description: 'number of tasks in the job', default: 2, minimum: 1, maximum: 4 },
    workers: { description: 'number of workers (executors), one attempt at a time each', default: 2, minimum: 1, maximum: 4 },
    parts: { description: 'part files each attempt writes', default: 2, minimum: 1, maximum: 3 },
    maxAttempts: { description: 'attempts of any one task explored (state constraint)', default: 2, minimum: 1, maximum: 4 },
    maxFailures: { description: 'workers lost explored (state constraint)', default: 1, minimum: 0, maximum: 3 },
  },
  bugs: mapReduceCommitBugs,
  build({ tasks, workers, parts, maxAttempts, maxFailures }, bug) {
    const Task = nodeId('task', tasks)
    const Worker = nodeId('worker', workers)
    const ts = range(tasks)
    const ws = range(workers)
    // One past each bound: a successor outside `within` must still be representable.
    const Attempt = int(0, maxAttempts)
    const attemptIds = range(maxAttempts + 1)

    const state = record({
      job: enumOf('running', 'committed', 'aborted'),
      tasks: mapOf(Task, record({ attempts: int(0, maxAttempts + 1), committer: int(-1, maxAttempts), done: bool })),
      failures: int(0, maxFailures + 1),
      // An idle or lost worker runs no task (Nil), so that renaming tasks leaves it alone.
      worker: mapOf(Worker, record({ status: enumOf('idle', 'writing', 'authorized', 'committed', 'down'), task: nodeIdOrNil('task', tasks), attempt: Attempt })),
      fs: mapOf(Task, mapOf(Attempt, record({ at: enumOf('none', 'temp', 'committed', 'output'), files: int(0, parts) }))),
    })

    // An attempt's files in the output directory (an empty directory is no output).
    const inOutput = (f: { at: string; files: number }) => f.at === 'output' && f.files > 0

    return protocol({
      state,
      actions: {
        Launch: { task: Task, worker: Worker },
        Write: { worker: Worker },
        AskCommit: { worker: Worker },
        CommitTask: { worker: Worker },
        ReportDone: { worker: Worker },
        WorkerLost: { worker: Worker },
        CommitJob: {},
      },

      // A running job with no attempt yet; every worker idle; an empty file system.
      init(emit) {
        emit((d) => {
          d.job = 'running'
          for (const t of ts) d.tasks.set(t, { attempts: 0, committer: -1, done: false })
          for (const w of ws) d.worker.set(w, { status: 'idle', task: NIL, attempt: 0 })
        })
      },

      next(s, emit) {
        const running = s.job === 'running'
        // The driver launches a new attempt of an unfinished task on an idle worker: the first
        // one, a retry after a loss, or a speculative copy while another attempt still runs.
        for (const t of ts) {
          const task = s.tasks.get(t)
          if (!running || task.done) continue
          for (const w of ws) {
            if (s.worker.get(w).status !== 'idle') continue
            const a = task.attempts
            emit('Launch', { task: t, worker: w }, (d) => {
              d.tasks.get(t).attempts = a + 1
              d.worker.set(w, { status: 'writing', task: t, attempt: a })
              // setupTask: the attempt's temporary directory (the bug: its files go straight
              // into the output directory).
              d.fs.get(t).set(a, { at: bug === 'direct-output' ? 'output' : 'temp', files: 0 })
            })
          }
        }
        for (const w of ws) {
          const me = s.worker.get(w)
          const { task: t, attempt: a } = me
          switch (me.status) {
            case 'writing': {
              const files = s.fs.get(t).get(a).files
              if (files < parts) {
                emit('Write', { worker: w }, (d) => {
                  d.fs.get(t).get(a).files = files + 1
                })
              } else {
                // canCommit: the coordinator authorises the first attempt to ask, unless the
                // task is finished or the job is over; a denied attempt aborts (abortTask).
                const task = s.tasks.get(t)
                const allowed = running && !task.done && (task.committer === -1 || bug === 'no-commit-coordination')
                emit('AskCommit', { worker: w }, (d) => {
                  if (allowed) {
                    d.tasks.get(t).committer = a
                    if (bug === 'done-on-authorize') d.tasks.get(t).done = true
                    d.worker.get(w).status = 'authorized'
                  } else {
                    d.worker.set(w, { status: 'idle', task: NIL, attempt: 0 })
                    d.fs.get(t).set(a, { at: 'none', files: 0 })
                  }
                })
              }
              break
            }
            case 'authorized':
              // commitTask: one rename of the attempt's directory into the committed area (a
              // direct committer has nothing to move).
              emit('CommitTask', { worker: w }, (d) => {
                d.worker.get(w).status = 'committed'
                if (bug !== 'direct-output') d.fs.get(t).get(a).at = 'committed'
              })
              break
            case 'committed':
              emit('ReportDone', { worker: w }, (d) => {
                d.tasks.get(t).done = true
                d.worker.set(w, { status: 'idle', task: NIL, attempt: 0 })
              })
              break
          }
          // A worker running an attempt is lost: it stops wherever it was, its files stay, and
          // the driver hears of it. Losing the authorised committer of an unfinished task is
          // unanswerable (did its rename happen?), so the job fails.
          if (me.status !== 'idle' && me.status !== 'down') {
            const task = s.tasks.get(t)
            const lostCommitter = !task.done && task.committer === a && (me.status === 'authorized' || me.status === 'committed')
            emit('WorkerLost', { worker: w }, (d) => {
              d.worker.set(w, { status: 'down', task: NIL, attempt: 0 })
              d.failures = s.failures + 1
              if (lostCommitter && running) {
                if (bug === 'release-lost-committer') d.tasks.get(t).committer = -1
                else d.job = 'aborted'
              }
            })
          }
        }
        // commitJob: every task finished; merge the committed area into the output, _SUCCESS.
        if (running && s.tasks.every((task) => task.done)) {
          emit('CommitJob', {}, (d) => {
            d.job = 'committed'
            for (const t of ts) {
              for (const a of attemptIds) {
                if (s.fs.get(t).get(a).at === 'committed') d.fs.get(t).get(a).at = 'output'
              }
            }
          })
        }
      },

      always: {
        TypeOK: wellTyped,
        JobCommitsAfterAllTasks: (s) => s.job !== 'committed' || ts.every((t) => s.fs.get(t).some(inOutput)),
        NoPartialOutput: (s) => s.job !== 'committed' || ts.every((t) => s.fs.get(t).every((f) => !inOutput(f) || f.files === parts)),
        OutputExactlyOnce: (s) => s.job !== 'committed' || ts.every((t) => s.fs.get(t).count(inOutput) === 1),
      },
      sometimes: {
        JobCommitted: (s) => s.job === 'committed',
        // An attempt (a speculative copy) lost the race to commit and aborted: its directory is gone.
        SpeculativeAttemptDenied: (s) => ts.some((t) => attemptIds.some((a) => a < s.tasks.get(t).attempts && s.fs.get(t).get(a).at === 'none')),
        // A committed job in which a task's first attempt was lost (its directory left behind in
        // _temporary) and a later attempt's output stands for it.
        RetryCommittedAfterLoss: (s) => s.job === 'committed' && ts.some((t) => s.fs.get(t).get(0).at === 'temp' && s.tasks.get(t).committer > 0),
        JobAbortedOnLostCommitter: (s) => s.job === 'aborted',
      },
      within: (s) => s.failures <= maxFailures && s.tasks.every((task) => task.attempts <= maxAttempts),
      // The job has ended, or no worker is running anything: nothing left to do is not a deadlock.
      terminal: (s) => s.worker.every((w) => w.status === 'idle' || w.status === 'down'),
      // Workers are interchangeable, and so are tasks (attempt ids are per task).
      symmetric: ['task', 'worker'],
    })
  },
})
