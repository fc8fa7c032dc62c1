// The storage service as a process on 127.0.0.1:
//   node storage-node.js [--bug NAME] [--state FILE] --port P
// Each Write on a connection is answered with its WriteResult on that connection. A write may
// carry a `value`: storage keeps the value of the last write it accepted ({ type: 'Read' }
// answers { type: 'ReadResult', value }) and the log of writes it accepted, with their tokens
// ({ type: 'Inspect' }: { maxToken, accepted }), so that a fault run can check it never took a
// stale token. With --state, all of it is on disk before any answer leaves: a kill -9 loses
// nothing storage acknowledged.

import { readJsonFile, writeFileDurably } from '../../../runtime/json-file.js'
import { argument, announceListening, onShutdown, portArgument } from '../../../runtime/node-process.js'
import { listen } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import type { ClientId, LockServiceBug, WriteRequest } from './messages.js'
import { initialStorage, stepStorage, type StorageState } from './storage.js'

interface Accepted {
  readonly client: ClientId
  readonly token: number
  readonly value: string | null
}

interface OnDisk {
  state: StorageState
  value: string | null
  accepted: Accepted[]
}

const config = { bug: argument('bug') as LockServiceBug }
const stateFile = argument('state')
const disk: OnDisk = (stateFile && readJsonFile<OnDisk>(stateFile)) || { state: initialStorage, value: null, accepted: [] }

const server = await listen(portArgument(), (connection) => {
  connection.onMessage((message) => {
    const request = message as { type?: unknown }
    if (request?.type === 'Read') return void connection.send({ type: 'ReadResult', value: disk.value })
    if (request?.type === 'Inspect') return void connection.send({ maxToken: disk.state.maxToken, accepted: disk.accepted })
    const write = message as WriteRequest & { value?: unknown }
    if (write?.type !== 'Write' || !Number.isInteger(write.token) || !Number.isInteger(write.client)) return
    const value = typeof write.value === 'string' ? write.value : null
    const t = stepStorage(config, disk.state, { type: 'Receive', message: { type: 'Write', client: write.client, token: write.token } })
    if (isRefused(t)) return
    const accepted = t.effects.some((e) => e.message.type === 'WriteResult' && e.message.accepted)
    disk.state = t.state
    if (accepted) {
      disk.value = value
      disk.accepted.push({ client: write.client, token: write.token, value })
    }
    if (stateFile) writeFileDurably(stateFile, JSON.stringify(disk))
    for (const effect of t.effects) connection.send(effect.message)
  })
})
onShutdown(() => server.close())
announceListening(server.port)
