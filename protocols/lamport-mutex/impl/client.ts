// A client of the distributed lock: it asks one process for the critical section and holds
// it until it releases (or hangs up). Each lease uses a connection of its own.

import { connect, request, type Connection } from '../../../runtime/tcp.js'

export interface Lease {
  /** The timestamp of the request that won the critical section. */
  readonly clock: number
  /** Leave the critical section; resolves once the process has left and told its peers. */
  release(): Promise<void>
}

export interface Inspected {
  readonly id: number
  readonly clock: number
  readonly req: number[]
  readonly ack: number[]
  readonly inCritical: boolean
  readonly queued: number
}

/** The next message on `connection`, or a rejection if it closes or `timeoutMs` passes first. */
function nextMessage(connection: Connection, what: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.close()
      reject(new Error(`no ${what} within ${timeoutMs} ms`))
    }, timeoutMs)
    connection.onMessage((m) => {
      clearTimeout(timer)
      resolve(m as Record<string, unknown>)
    })
    connection.onClose(() => {
      clearTimeout(timer)
      reject(new Error(`the process closed the connection before ${what}`))
    })
  })
}

/** Ask the process on `port` for the critical section and wait until it is granted. */
export async function acquire(port: number, timeoutMs = 10_000): Promise<Lease> {
  const connection = await connect(port)
  const granted = nextMessage(connection, 'grant', timeoutMs)
  connection.send({ type: 'Acquire' })
  const reply = await granted
  if (reply.type !== 'Granted' || typeof reply.clock !== 'number') {
    connection.close()
    throw new Error(`unexpected answer to Acquire: ${JSON.stringify(reply)}`)
  }
  return {
    clock: reply.clock,
    async release() {
      const released = nextMessage(connection, 'release', timeoutMs)
      connection.send({ type: 'Release' })
      const answer = await released
      connection.close()
      if (answer.type !== 'Released') throw new Error(`unexpected answer to Release: ${JSON.stringify(answer)}`)
    },
  }
}

/** The state of the process on `port`. */
export const inspect = (port: number, timeoutMs = 2000) => request(port, { type: 'Inspect' }, timeoutMs) as Promise<Inspected>
