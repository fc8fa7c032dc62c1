// A replica group as a process:
//   node node.js --role group --id G --shards S --controller PORT --peers P1,...,PG
//        [--poll-ms MS] [--bug NAME] --port P
// Every --poll-ms it asks the controller for the configuration after its own and installs it
// (the core refuses while shards are still on their way). The shards it hands off are pushed to
// the new owner's port (--peers, in group order) until that group answers `PushOk`. A push the
// core cannot install yet (its receiver is still in an earlier configuration) is kept and
// retried after each installation. Clients send Put (answered PutOk or WrongGroup) and Get
// (answered Value or WrongGroup); `Inspect` answers the group's state.

import { setTimeout as sleep } from 'node:timers/promises'
import { announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen, request } from '../../../runtime/tcp.js'
import { isRefused, type Send } from '../../../conformance/transition.js'
import { initialGroup, stepGroup, type GroupEvent } from './group.js'
import { type Address, type Message, type Push, bugNames, type ShardedKvBug } from './messages.js'
import { bugArgument, portsArgument, wholeArgument } from '../../../runtime/node-arguments.js'
import { parseAtGroup, parseConfigReply } from './wire.js'

const id = wholeArgument('id')
const shards = wholeArgument('shards', undefined, 1)
const peers = portsArgument('peers')
const controllerPort = wholeArgument('controller', undefined, 1)
const pollMs = wholeArgument('poll-ms', 100, 1)
const config = { shards, bug: bugArgument<ShardedKvBug>(bugNames) }
const limits = { groups: peers.length, shards }
let state = initialGroup(config, id)
/** Pushes for a later configuration than ours: installed once we get there. */
let early: Push[] = []
let stopping = false

const log = (line: string) => process.stderr.write(`${line}\n`)

function step(event: GroupEvent) {
  const t = stepGroup(config, state, event)
  if (isRefused(t)) return t
  state = t.state
  route(t.effects)
  return t
}

function route(effects: readonly Send<Address, Message>[]) {
  for (const { message } of effects) if (message.type === 'Push') void deliver(message)
}

/** Push a shard to its new owner until it is taken. */
async function deliver(push: Push) {
  while (!stopping) {
    const reply = await request(peers[push.to], push, 1000).catch(() => null)
    if ((reply as { type?: string } | null)?.type === 'PushOk') return
    await sleep(pollMs)
  }
}

function installEarly() {
  const waiting = early
  early = []
  for (const push of waiting) receivePush(push)
}

/** Install a push, keep it for later, or drop it (a duplicate or stale one). */
function receivePush(push: Push) {
  if (push.config > state.config.num) {
    early.push(push)
    return
  }
  const t = step({ type: 'Receive', message: push })
  if (isRefused(t)) log(`dropped push of shard ${push.shard} for configuration ${push.config}: ${t.refused}`)
}

async function poll() {
  while (!stopping) {
    const reply = await request(controllerPort, { type: 'Query', num: state.config.num + 1, from: id }, 1000).catch(() => null)
    const message = parseConfigReply(reply, limits)
    if (message !== null) {
      const t = step({ type: 'Receive', message })
      if (!isRefused(t)) {
        log(`installed configuration ${state.config.num}: ${JSON.stringify(state.shards.map((s) => s.status))}`)
        installEarly()
        continue
      }
    }
    await sleep(pollMs)
  }
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const message = parseAtGroup(raw, limits)
    if (message === null) return
    switch (message.type) {
      case 'Inspect':
        connection.send({ type: 'State', ...state, early: early.length })
        return
      case 'Get': {
        const copy = state.shards[message.shard]
        connection.send(copy.status === 'serving' ? { type: 'Value', shard: message.shard, data: copy.data, config: state.config.num } : { type: 'WrongGroup' })
        return
      }
      case 'Put': {
        const t = step(message)
        connection.send(isRefused(t) ? { type: 'WrongGroup' } : t.effects[0].message)
        return
      }
      case 'Push':
        if (message.to !== id) return
        receivePush(message)
        installEarly()
        connection.send({ type: 'PushOk' })
    }
  })
})
announceListening(server.port)
void poll()

onShutdown(async () => {
  stopping = true
  await server.close()
})
