// A worker (executor) as a process:
//   node node.js --role worker --id W --coordinator PORT --parts P [--write-ms MS]
//        [--pause-before-report MS] [--bug NAME] --port P
// It connects to the coordinator, registers, and runs the attempts it is given: a part file
// every --write-ms, then canCommit, then (allowed) the rename and, after --pause-before-report,
// the success report (the pause is the window in which a lost committer matters). Its own port
// answers `Inspect` with its state.

import { setTimeout as sleep } from 'node:timers/promises'
import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { bugArgument, wholeArgument } from '../../../runtime/node-arguments.js'
import { parseAtWorker } from './wire.js'
import { initialWorker, stepWorker, type WorkerEvent } from './worker.js'
import { bugNames, type MapReduceBug } from './messages.js'

const id = wholeArgument('id')
const config = { parts: wholeArgument('parts', undefined, 1), bug: bugArgument<MapReduceBug>(bugNames) }
const writeMs = wholeArgument('write-ms', 50)
const pauseBeforeReport = wholeArgument('pause-before-report', 0)
let state = initialWorker(id)

const coordinatorPort = wholeArgument('coordinator')

/** The coordinator may start after this worker (serve starts every node at once): retry. */
async function connectToCoordinator(): Promise<Connection> {
  for (let tries = 0; ; tries++) {
    try {
      return await connect(coordinatorPort)
    } catch (e) {
      if (tries >= 100) {
        process.stderr.write(`worker${id + 1}: no coordinator on port ${coordinatorPort}: ${e instanceof Error ? e.message : String(e)}\n`)
        process.exit(1)
      }
      await sleep(50)
    }
  }
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    if (parseAtWorker(raw)?.type === 'Inspect') connection.send({ type: 'State', ...state })
  })
})
announceListening(server.port)
const coordinator = await connectToCoordinator()

function step(event: WorkerEvent): boolean {
  const t = stepWorker(config, state, event)
  if (isRefused(t)) return false
  state = t.state
  // Every message goes to the coordinator's process, which hosts the storage too.
  for (const effect of t.effects) coordinator.send(effect.message)
  return true
}

/** Run the attempt just received: write its parts, then ask to commit. */
async function run(task: number, attempt: number) {
  while (state.status === 'writing' && state.task === task && state.attempt === attempt && state.written < config.parts) {
    await sleep(writeMs)
    step({ type: 'WriteNext' })
  }
  step({ type: 'WantCommit' })
}

coordinator.onMessage(async (raw) => {
  const message = parseAtWorker(raw)
  if (message === null || message.type === 'Inspect') return
  if (!step({ type: 'Receive', message })) return
  if (message.type === 'RunTask') void run(message.task, message.attempt)
  if (message.type === 'CommitAllowed') {
    step({ type: 'DoCommit' })
    if (pauseBeforeReport > 0) await sleep(pauseBeforeReport)
    step({ type: 'Report' })
  }
})
coordinator.onClose(() => process.stderr.write('the coordinator closed the connection\n'))
coordinator.send({ type: 'Register', worker: id })
onShutdown(async () => {
  coordinator.close()
  await server.close()
})
