// Replay/conformance driver for mapreduce-commit: an in-process coordinator, storage and
// `workers` workers, each a sans-IO core from impl/. One model action is one event at one node,
// and the messages that event sends are delivered at once (the model takes each request/reply
// exchange as one step):
//
//   Launch(task, worker)   coordinator Launch -> RunTask at the worker -> Setup at storage
//   Write(worker)          the worker's WriteNext -> WriteFile at storage
//   AskCommit(worker)      the worker's WantCommit -> CanCommit at the coordinator -> its answer
//                          at the worker (denied: Delete at storage)
//   CommitTask(worker)     the worker's DoCommit -> Rename at storage
//   ReportDone(worker)     the worker's Report -> TaskDone at the coordinator
//   WorkerLost(worker)     the worker crashes; the coordinator's WorkerLost
//   CommitJob              coordinator CommitJob -> MergeCommitted at storage
//
// A step is taken whole or not at all: if any node refuses its part, nothing changes and the
// step is not enabled.

import { NIL } from '../../checker/schema.js'
import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused, type Send, type Transition } from '../../conformance/transition.js'
import { initialCoordinator, stepCoordinator, type CoordinatorEvent, type CoordinatorState } from './impl/coordinator.js'
import type { Address, MapReduceBug, Message, StorageRequest, ToCoordinator, ToWorker } from './impl/messages.js'
import { dirKey, initialStorage, stepStorage, type StorageState } from './impl/storage.js'
import { initialWorker, stepWorker, type WorkerEvent, type WorkerState } from './impl/worker.js'

/** The node reducers; replaceable so that tests can build a mutant. */
export interface MapReduceCores {
  readonly stepCoordinator: typeof stepCoordinator
  readonly stepWorker: typeof stepWorker
  readonly stepStorage: typeof stepStorage
}

interface Cluster {
  coordinator: CoordinatorState
  storage: StorageState
  workers: WorkerState[]
}

class MapReduceCluster implements Driver {
  private cluster: Cluster

  constructor(
    private readonly params: Readonly<Record<string, number>>,
    private readonly bug: MapReduceBug,
    private readonly cores: MapReduceCores,
  ) {
    this.cluster = this.initial()
  }

  private initial(): Cluster {
    return {
      coordinator: initialCoordinator(this.coordinatorConfig),
      storage: initialStorage,
      workers: Array.from({ length: this.params.workers }, (_, w) => initialWorker(w)),
    }
  }

  async reset() {
    this.cluster = this.initial()
  }

  private get coordinatorConfig() {
    return { tasks: this.params.tasks, workers: this.params.workers, bug: this.bug }
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    // Work on a copy: the cores' states are immutable, so only the arrays need copying.
    const next: Cluster = { ...this.cluster, workers: [...this.cluster.workers] }
    switch (action) {
      case 'Launch':
        this.atCoordinator(next, { type: 'Launch', task: this.index(picks, 'task', this.params.tasks), worker: this.index(picks, 'worker', this.params.workers) })
        break
      case 'Write':
        this.atWorker(next, this.worker(picks), { type: 'WriteNext' })
        break
      case 'AskCommit':
        this.atWorker(next, this.worker(picks), { type: 'WantCommit' })
        break
      case 'CommitTask':
        this.atWorker(next, this.worker(picks), { type: 'DoCommit' })
        break
      case 'ReportDone':
        this.atWorker(next, this.worker(picks), { type: 'Report' })
        break
      case 'WorkerLost': {
        const w = this.worker(picks)
        this.atWorker(next, w, { type: 'Crash' })
        this.atCoordinator(next, { type: 'WorkerLost', worker: w })
        break
      }
      case 'CommitJob':
        this.atCoordinator(next, { type: 'CommitJob' })
        break
      default:
        throw new NotEnabledError(`mapreduce-commit has no action ${action}`)
    }
    this.cluster = next
  }

  async observe() {
    const { coordinator, storage, workers } = this.cluster
    const attempts = Array.from({ length: this.params.maxAttempts + 1 }, (_, a) => a)
    return {
      job: coordinator.job,
      tasks: coordinator.tasks.map((t) => ({ attempts: t.attempts, committer: t.committer, done: t.done })),
      failures: coordinator.failures,
      // An idle or lost worker's task is a placeholder 0 in the core; the model says none (Nil).
      worker: workers.map((w) => ({ status: w.status, task: w.status === 'idle' || w.status === 'down' ? NIL : w.task, attempt: w.attempt })),
      fs: coordinator.tasks.map((_, t) => attempts.map((a) => {
        const dir = storage.dirs[dirKey(t, a)]
        return dir ? { at: dir.at, files: dir.files } : { at: 'none', files: 0 }
      })),
    }
  }

  private atCoordinator(c: Cluster, event: CoordinatorEvent) {
    const t = this.taken(this.cores.stepCoordinator(this.coordinatorConfig, c.coordinator, event))
    c.coordinator = t.state
    this.deliver(c, t.effects)
  }

  private atWorker(c: Cluster, w: number, event: WorkerEvent) {
    const t = this.taken(this.cores.stepWorker({ parts: this.params.parts, bug: this.bug }, c.workers[w], event))
    c.workers[w] = t.state
    this.deliver(c, t.effects)
  }

  /** Every message an event sends arrives at once, in order. */
  private deliver(c: Cluster, effects: readonly Send<Address, Message>[]) {
    for (const { to, message } of effects) {
      if (to === 'storage') {
        c.storage = this.taken(this.cores.stepStorage(c.storage, message as StorageRequest)).state
      } else if (to === 'coordinator') {
        this.atCoordinator(c, { type: 'Receive', message: message as ToCoordinator })
      } else {
        this.atWorker(c, to.worker, { type: 'Receive', message: message as ToWorker })
      }
    }
  }

  /** A refusal is a step the implementation cannot take: a divergence, not a crash. */
  private taken<S>(t: Transition<S, Address, Message>) {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    return t
  }

  private worker(picks: Readonly<Record<string, unknown>>) {
    return this.index(picks, 'worker', this.params.workers)
  }

  private index(picks: Readonly<Record<string, unknown>>, name: string, count: number): number {
    const i = picks[name]
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= count) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(i)} is not one of ${count}`)
    }
    return i
  }
}

export function mapReduceDriverOf(cores: MapReduceCores): DriverFactory {
  return {
    model: 'mapreduce-commit',
    start: async (params, bug) => new MapReduceCluster(params, bug as MapReduceBug, cores),
  }
}

export const mapReduceDriver = mapReduceDriverOf({ stepCoordinator, stepWorker, stepStorage })

export default mapReduceDriver
