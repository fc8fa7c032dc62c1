// The coordinator as a process (Spark's driver; Hadoop's application master), hosting the file
// system the committer writes to (the storage core):
//   node node.js --role coordinator --tasks T --workers W --parts P [--speculate] [--bug NAME] --port P
// Workers connect and register; each registered connection is one worker, and its closing is
// that worker's loss (the heartbeat the coordinator watches). The scheduler here (not the core)
// chooses what to launch: an unfinished task without a running attempt first, then, with
// --speculate, a second copy of a task that has only one. When every task is finished it
// commits the job. `Inspect` on any connection answers the job, the tasks and the file system.

import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused, type Send } from '../../../conformance/transition.js'
import { initialCoordinator, stepCoordinator, type CoordinatorEvent } from './coordinator.js'
import { type Address, type Message, bugNames, type MapReduceBug } from './messages.js'
import { bugArgument, wholeArgument } from '../../../runtime/node-arguments.js'
import { initialStorage, stepStorage, type StorageState } from './storage.js'
import { parseAtCoordinator } from './wire.js'

const config = { tasks: wholeArgument('tasks', undefined, 1), workers: wholeArgument('workers', undefined, 1), bug: bugArgument<MapReduceBug>(bugNames) }
const speculate = process.argv.includes('--speculate')
let coordinator = initialCoordinator(config)
let storage: StorageState = initialStorage
const connections: (Connection | undefined)[] = Array.from({ length: config.workers }, () => undefined)

const log = (line: string) => process.stderr.write(`${line}\n`)

function route(effects: readonly Send<Address, Message>[]) {
  for (const { to, message } of effects) {
    if (to === 'storage') {
      const t = stepStorage(storage, message as never)
      if (isRefused(t)) log(`storage refused ${message.type}: ${t.refused}`)
      else storage = t.state
    } else if (typeof to === 'object') {
      connections[to.worker]?.send(message)
    }
  }
}

function step(event: CoordinatorEvent): boolean {
  const t = stepCoordinator(config, coordinator, event)
  if (isRefused(t)) {
    log(`refused ${event.type}: ${t.refused}`)
    return false
  }
  coordinator = t.state
  route(t.effects)
  return true
}

/** Launch what can be launched; commit the job when every task is finished. */
function schedule() {
  if (coordinator.job !== 'running') return
  if (coordinator.tasks.every((t) => t.done)) {
    step({ type: 'CommitJob' })
    log('job committed')
    return
  }
  const runningCopies = (t: number) => coordinator.running.filter((r) => r?.task === t).length
  for (let w = 0; w < config.workers; w++) {
    if (!connections[w] || coordinator.lost[w] || coordinator.running[w]) continue
    const open = coordinator.tasks.map((task, t) => ({ task, t })).filter(({ task }) => !task.done)
    const next = open.find(({ t }) => runningCopies(t) === 0) ?? (speculate ? open.find(({ t }) => runningCopies(t) === 1) : undefined)
    if (next) step({ type: 'Launch', task: next.t, worker: w })
  }
}

function inspect() {
  return { type: 'State', job: coordinator.job, tasks: coordinator.tasks, failures: coordinator.failures, running: coordinator.running, dirs: storage.dirs }
}

const server = await listen(portArgument(), (connection) => {
  let worker: number | undefined
  connection.onMessage((raw) => {
    const message = parseAtCoordinator(raw, config)
    if (message === null) return // not ours: dropped
    if (message.type === 'Inspect') {
      connection.send(inspect())
      return
    }
    if (message.type === 'Register') {
      if (worker !== undefined || connections[message.worker] || coordinator.lost[message.worker]) return
      worker = message.worker
      connections[worker] = connection
      log(`worker${worker + 1} registered`)
    } else if (worker === undefined) {
      return // an unregistered peer may only inspect
    } else if (message.type === 'CanCommit' || message.type === 'TaskDone') {
      if (message.worker !== worker) return // a worker speaks only for itself
      step({ type: 'Receive', message })
    } else {
      route([{ to: 'storage', message }])
    }
    schedule()
  })
  connection.onClose(() => {
    if (worker === undefined || connections[worker] !== connection) return
    connections[worker] = undefined
    log(`worker${worker + 1} lost`)
    if (coordinator.running[worker]) step({ type: 'WorkerLost', worker })
    schedule()
  })
})
onShutdown(() => server.close())
announceListening(server.port)
