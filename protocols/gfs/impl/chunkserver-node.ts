// A chunkserver as a process:
//   node node.js --role chunkserver --id R --replicas N --master PORT --peers P1,P2,...
//        --data-dir DIR [--bug NAME] --port P
// It keeps its replica (version and records) in DIR/replica<R+1>.json, written before it answers,
// so that a restarted chunkserver comes back with what it had, old version included. It
// connects to the master and registers with its version, and follows the master's clock. As
// primary it takes clients' record appends, forwards them to the other members' ports (--peers:
// every chunkserver's port, in replica order) and relays their acknowledgements to the client
// that asked; as secondary it writes what a primary forwards and acknowledges to it. `Read`
// answers the replica's records; `Inspect` its state.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { announceListening, argument, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { connect, listen, type Connection } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import { initialChunkserver, stepChunkserver, type ChunkserverEvent } from './chunkserver.js'
import { type ToClient, bugNames, type GfsBug } from './messages.js'
import { bugArgument, wholeArgument } from '../../../runtime/node-arguments.js'
import { parseAtChunkserver } from './wire.js'

const id = wholeArgument('id')
const config = { replicas: wholeArgument('replicas', undefined, 1), bug: bugArgument<GfsBug>(bugNames) }
const masterPort = wholeArgument('master')
const peers = (argument('peers') ?? '').split(',').filter((p) => p !== '').map(Number)
if (peers.length !== config.replicas || peers.some((p) => !Number.isInteger(p) || p <= 0)) {
  process.stderr.write(`--peers needs ${config.replicas} ports, got '${argument('peers')}'\n`)
  process.exit(2)
}
const dataDir = argument('data-dir') ?? '.'
const file = join(dataDir, `replica${id + 1}.json`)
const log = (line: string) => process.stderr.write(`replica${id + 1}: ${line}\n`)

let state = initialChunkserver(config, id)
if (existsSync(file)) {
  const disk = JSON.parse(readFileSync(file, 'utf8')) as { version: unknown; data: unknown }
  if (typeof disk.version === 'number' && Array.isArray(disk.data) && disk.data.every((x) => typeof x === 'number')) {
    state = { ...state, version: disk.version, data: disk.data as number[] }
  }
}

function persist() {
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(`${file}.tmp`, JSON.stringify({ version: state.version, data: state.data }))
  renameSync(`${file}.tmp`, file)
}

/** Clients waiting for an append's acknowledgements, by offset. */
const waiting = new Map<number, Connection>()
const peerConnections: (Connection | undefined)[] = []
let clock: { epoch: number; tickMs: number } | undefined

async function peer(x: number): Promise<Connection | undefined> {
  const open = peerConnections[x]
  if (open && !open.closed) return open
  try {
    const c = await connect(peers[x], 500)
    peerConnections[x] = c
    c.onMessage((raw) => {
      const m = parseAtChunkserver(raw, config.replicas)
      if (m?.type === 'Ack' && m.replica === x) waiting.get(m.offset)?.send(m)
    })
    return c
  } catch {
    return undefined // a crashed secondary: the write is lost, the client's attempt fails
  }
}

function tick() {
  if (!clock) return
  const now = Math.floor((Date.now() - clock.epoch) / clock.tickMs)
  while (state.now < now) step({ type: 'Tick' }, undefined)
}

/** Take an event; messages to the client go back on `from`, forwards to the peers. */
function step(event: ChunkserverEvent, from: Connection | undefined): boolean {
  const t = stepChunkserver(config, state, event)
  if (isRefused(t)) return false
  const changed = t.state.version !== state.version || t.state.data !== state.data
  state = t.state
  if (changed) persist()
  for (const { to, message } of t.effects) {
    if (to === 'client') {
      const reply = message as ToClient
      if (reply.type === 'AppendAccepted' && from) waiting.set(reply.offset, from)
      from?.send(reply)
    } else if (typeof to === 'object') {
      void peer(to.replica).then((c) => c?.send(message))
    }
  }
  return true
}

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((raw) => {
    const message = parseAtChunkserver(raw, config.replicas)
    if (message === null) return // not ours: dropped
    tick()
    switch (message.type) {
      case 'Inspect':
        connection.send({ type: 'State', ...state })
        return
      case 'Read':
        connection.send({ type: 'Contents', replica: id, version: state.version, data: state.data })
        return
      case 'AppendRequest':
      case 'Forward':
        if (!step({ type: 'Receive', message }, connection)) log(`refused ${message.type}`)
        return
      default:
        return // the master's messages come only on the master's connection
    }
  })
})
announceListening(server.port)

async function connectToMaster(): Promise<Connection> {
  for (let tries = 0; ; tries++) {
    try {
      return await connect(masterPort)
    } catch (e) {
      if (tries >= 100) {
        log(`no master on port ${masterPort}: ${e instanceof Error ? e.message : String(e)}`)
        process.exit(1)
      }
      await sleep(50)
    }
  }
}

const master = await connectToMaster()
master.onMessage((raw) => {
  const message = parseAtChunkserver(raw, config.replicas)
  if (message === null) return
  if (message.type === 'Welcome') {
    clock = { epoch: message.epoch, tickMs: message.tickMs }
    tick()
  } else if (message.type === 'Grant' || message.type === 'SetVersion') {
    tick()
    step({ type: 'Receive', message }, undefined)
  }
})
master.onClose(() => log('the master closed the connection'))
master.send({ type: 'Register', replica: id, version: state.version })
const ticking = setInterval(tick, 20)
onShutdown(async () => {
  clearInterval(ticking)
  master.close()
  for (const c of peerConnections) c?.close()
  await server.close()
})
