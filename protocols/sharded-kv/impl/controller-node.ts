// The shard controller as a process:
//   node node.js --role controller --groups G --shards S [--rebalance-ms MS] [--bug NAME] --port P
// It answers each group's Query on the connection it came on (nothing, if that configuration
// is not published yet) and takes operators' Move requests (answered `Moved` or `Refused`).
// With --rebalance-ms it first gives shard s to group s mod G, then every MS moves one shard
// (in turn) to the next group. `Inspect` answers every configuration.

import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { initialController, newest, stepController, type ControllerEvent } from './controller.js'
import { bugArgument, wholeArgument } from '../../../runtime/node-arguments.js'
import { parseAtController } from './wire.js'
import { bugNames, type ShardedKvBug } from './messages.js'

const config = { groups: wholeArgument('groups', undefined, 1), shards: wholeArgument('shards', undefined, 1), bug: bugArgument<ShardedKvBug>(bugNames) }
const rebalanceMs = wholeArgument('rebalance-ms', 0)
let controller = initialController(config)

function step(event: ControllerEvent) {
  const t = stepController(config, controller, event)
  if (isRefused(t)) return t
  controller = t.state
  return t
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const message = parseAtController(raw, config)
    if (message === null) return
    if (message.type === 'Inspect') {
      connection.send({ type: 'State', configs: controller.configs })
    } else if (message.type === 'Move') {
      const t = step(message)
      connection.send(isRefused(t) ? { type: 'Refused', reason: t.refused } : { type: 'Moved', num: newest(controller).num })
    } else {
      const t = step({ type: 'Query', num: message.num, from: message.from })
      connection.send(isRefused(t) ? { type: 'NoConfig', num: message.num } : t.effects[0].message)
    }
  })
})
announceListening(server.port)

let timer: NodeJS.Timeout | undefined
if (rebalanceMs > 0) {
  for (let s = 0; s < config.shards; s++) step({ type: 'Move', shard: s, group: s % config.groups })
  let turn = 0
  if (config.groups > 1) {
    timer = setInterval(() => {
      const shard = turn++ % config.shards
      const owner = newest(controller).shards[shard]
      step({ type: 'Move', shard, group: (owner + 1) % config.groups })
      process.stderr.write(`configuration ${newest(controller).num}: ${JSON.stringify(newest(controller).shards)}\n`)
    }, rebalanceMs)
  }
}

onShutdown(async () => {
  if (timer) clearInterval(timer)
  await server.close()
})
