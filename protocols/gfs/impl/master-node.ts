// The master as a process:
//   node node.js --role master --replicas N --lease L --tick-ms T [--bug NAME] --port P
// It keeps the clock (tick 0 at its start, one tick every T ms), which it gives every chunkserver
// that registers. It grants no lease before every chunkserver has reported once (a GFS master
// learns where the chunk's replicas are from the chunkservers' reports). Chunkservers connect, register with the chunk version they hold (the master
// lists a replica only if that is its version), and a registered connection's closing is that
// replica's loss (the heartbeats it watches). On every tick with no lease in force it grants one
// to the first listed, connected replica. `Locate` answers the primary and the replicas listed;
// `Inspect` the master's state.

import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { initialMaster, leaseFree, stepMaster, type MasterEvent } from './master.js'
import { bugArgument, wholeArgument } from '../../../runtime/node-arguments.js'
import { parseAtMaster } from './wire.js'
import { bugNames, type GfsBug } from './messages.js'

const config = { replicas: wholeArgument('replicas', undefined, 1), lease: wholeArgument('lease', 5, 1), bug: bugArgument<GfsBug>(bugNames) }
const tickMs = wholeArgument('tick-ms', 100, 1)
const epoch = Date.now()
let master = initialMaster(config)
const connections: (Connection | undefined)[] = Array.from({ length: config.replicas }, () => undefined)
const reported: boolean[] = Array.from({ length: config.replicas }, () => false)
const log = (line: string) => process.stderr.write(`${line}\n`)

function step(event: MasterEvent): boolean {
  const t = stepMaster(config, master, event)
  if (isRefused(t)) return false
  master = t.state
  for (const { to, message } of t.effects) if (typeof to === 'object') connections[to.replica]?.send(message)
  return true
}

function grantIfFree() {
  if (!leaseFree(config, master) || !reported.every(Boolean)) return
  const r = master.current.findIndex((current, x) => current && connections[x])
  if (r >= 0 && step({ type: 'Grant', replica: r })) log(`lease to replica${r + 1} until tick ${master.expires}, version ${master.version}`)
}

const clock = setInterval(() => {
  const now = Math.floor((Date.now() - epoch) / tickMs)
  while (master.now < now) step({ type: 'Tick' })
  grantIfFree()
}, tickMs)

const server = await listen(portArgument(), (connection) => {
  let replica: number | undefined
  connection.onMessage((raw) => {
    const message = parseAtMaster(raw, config.replicas)
    if (message === null) return // not ours: dropped
    if (message.type === 'Inspect') connection.send({ type: 'State', ...master })
    else if (message.type === 'Locate') {
      const primary = master.primary >= 0 && master.now < master.expires ? master.primary : -1
      connection.send({ type: 'Location', primary, current: master.current.map((c, x) => c && connections[x] !== undefined), version: master.version })
    } else {
      if (replica !== undefined || connections[message.replica]) return // one connection per replica
      replica = message.replica
      connections[replica] = connection
      reported[replica] = true
      connection.send({ type: 'Welcome', epoch, tickMs })
      step({ type: 'Report', replica, version: message.version })
      log(`replica${replica + 1} registered with version ${message.version}: ${master.current[replica] ? 'current' : 'stale'}`)
    }
  })
  connection.onClose(() => {
    if (replica === undefined || connections[replica] !== connection) return
    connections[replica] = undefined
    step({ type: 'ReplicaLost', replica })
    log(`replica${replica + 1} lost`)
  })
})
onShutdown(async () => {
  clearInterval(clock)
  await server.close()
})
announceListening(server.port)
