// The client over TCP: the client core driven by real connections. It asks the master where the
// chunk is, sends the record to the primary, waits for the acceptance and every member's
// acknowledgement (relayed by the primary), and retries the same record after a timeout. Used
// by the TCP tests and by operators poking at `protocheck serve gfs`.

import { setTimeout as sleep } from 'node:timers/promises'
import { isRefused } from '../../../conformance/transition.js'
import { connect, request } from '../../../runtime/tcp.js'
import { initialClient, stepClient, type ClientState } from './client.js'
import { parseAtClient } from './wire.js'

export interface Location {
  readonly primary: number
  readonly current: readonly boolean[]
  readonly version: number
}

export class GfsClient {
  state: ClientState

  constructor(
    private readonly masterPort: number,
    private readonly chunkserverPorts: readonly number[],
  ) {
    this.state = initialClient({ replicas: chunkserverPorts.length })
  }

  locate(): Promise<Location> {
    return request(this.masterPort, { type: 'Locate' }) as Promise<Location>
  }

  /** One attempt through the current primary: true if every member acknowledged in time. */
  async attempt(timeoutMs: number): Promise<boolean> {
    const { primary } = await this.locate()
    if (primary < 0) return false
    const replicas = this.chunkserverPorts.length
    let connection
    try {
      connection = await connect(this.chunkserverPorts[primary], timeoutMs)
    } catch {
      return false
    }
    const t = stepClient({ replicas }, this.state, { type: 'Append', primary })
    if (isRefused(t)) throw new Error(t.refused)
    this.state = t.state
    const rec = this.state.rec
    const done = new Promise<boolean>((resolve) => {
      connection.onMessage((raw) => {
        const message = parseAtClient(raw, replicas)
        if (!message) return
        const next = stepClient({ replicas }, this.state, { type: 'Receive', message })
        if (isRefused(next)) return
        this.state = next.state
        if (this.state.rec === 0) resolve(true)
      })
      connection.onClose(() => resolve(false))
    })
    for (const effect of t.effects) connection.send(effect.message)
    const ok = await Promise.race([done, sleep(timeoutMs).then(() => false)])
    connection.close()
    return ok && this.state.appended.some((a) => a.rec === rec)
  }

  /** Append the next record, retrying until it succeeds (at most `tries` attempts). */
  async append(tries = 20, timeoutMs = 500): Promise<{ rec: number; offset: number }> {
    for (let i = 0; i < tries; i++) {
      if (await this.attempt(timeoutMs)) return this.state.appended.at(-1)!
      await sleep(100)
    }
    throw new Error(`record ${this.state.rec} was not appended in ${tries} attempts`)
  }

  /** A replica's records, read from it directly. */
  async read(replica: number): Promise<{ version: number; data: number[] }> {
    return (await request(this.chunkserverPorts[replica], { type: 'Read' })) as { version: number; data: number[] }
  }
}
