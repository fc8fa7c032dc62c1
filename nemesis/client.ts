// Clients of the Raft key-value store that record a Jepsen-style history: every operation is
// an invoke event and a completion (ok, fail or info) with times in ms since the run began.
// A write that got no answer may still commit later: it is `info` (indeterminate), and its
// process is retired (a new process number takes over, as in Jepsen). A read with no answer
// did nothing: `fail`.

import { request } from '../runtime/tcp.js'
import type { HistoryEvent } from '../linearizability/history.js'

/** One attempt's time limit: a paused or partitioned server must not hold a client long. */
const ATTEMPT_MS = 400

export class HistoryRecorder {
  readonly events: HistoryEvent[] = []
  private readonly startedAt = Date.now()
  record(event: Omit<HistoryEvent, 'time'> & Pick<HistoryEvent, 'process' | 'type' | 'f'>) {
    this.events.push({ ...event, time: Date.now() - this.startedAt } as HistoryEvent)
  }
}

type Answer = { ok: boolean; value?: string | null; leader?: number | null }

/** Finds the leader by asking servers in turn, starting from its home server. */
export class KvClient {
  private readonly home: number
  /** `home`: the server every operation asks first, as Jepsen binds each client to a node
   * (so a leader cut off keeps its clients, and their reads); on a refusal or no answer the
   * client follows the leader named, or tries the next server. */
  constructor(private readonly ports: readonly number[], home = 0) {
    this.home = home % ports.length
  }

  /** True once acknowledged; false if no server acknowledged before `deadline`. */
  async put(id: string, key: string, value: string, deadline: number): Promise<boolean> {
    return (await this.ask({ kind: 'put', id, key, value }, deadline)) !== undefined
  }

  /** The value read (null: never written), or undefined with no answer before `deadline`. */
  async get(key: string, deadline: number): Promise<string | null | undefined> {
    const answer = await this.ask({ kind: 'get', key }, deadline)
    return answer === undefined ? undefined : (answer.value ?? null)
  }

  /** Ask server `server` alone, once. */
  async getFrom(server: number, key: string, timeoutMs: number): Promise<string | null | undefined> {
    try {
      const answer = (await request(this.ports[server], { kind: 'get', key }, timeoutMs)) as Answer
      return answer.ok ? (answer.value ?? null) : undefined
    } catch {
      return undefined
    }
  }

  private async ask(message: object, deadline: number): Promise<Answer | undefined> {
    let server = this.home
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      try {
        const answer = (await request(this.ports[server], message, Math.max(50, Math.min(ATTEMPT_MS, deadline - Date.now())))) as Answer
        if (answer.ok) return answer
        if (typeof answer.leader === 'number' && answer.leader !== server) {
          server = answer.leader
          continue
        }
      } catch {
        // down, paused, partitioned away or slow
      }
      server = (server + 1) % this.ports.length
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return undefined
  }
}

export interface Workload {
  readonly clients: number
  readonly keys: readonly string[]
  /** Share of operations that are writes. */
  readonly writeShare: number
}

/** `workload.clients` clients doing random writes and reads on shared keys until `until`;
 * returns the ids of acknowledged writes. */
export async function runClients(ports: readonly number[], workload: Workload, history: HistoryRecorder, until: number, next: () => number): Promise<Map<string, string>> {
  const acknowledged = new Map<string, string>() // write id -> key
  await Promise.all(
    Array.from({ length: workload.clients }, async (_, c) => {
      const client = new KvClient(ports, c)
      let processId = c
      for (let n = 0; Date.now() < until; n++) {
        const key = workload.keys[Math.floor(next() * workload.keys.length)]
        if (next() < workload.writeShare) {
          const value = `p${processId}-${n}`
          history.record({ process: processId, type: 'invoke', f: 'write', key, value })
          if (await client.put(value, key, value, Date.now() + 1200)) {
            history.record({ process: processId, type: 'ok', f: 'write', key, value })
            acknowledged.set(value, key)
          } else {
            history.record({ process: processId, type: 'info', f: 'write', key, value })
            processId += workload.clients
          }
        } else {
          history.record({ process: processId, type: 'invoke', f: 'read', key, value: null })
          const value = await client.get(key, Date.now() + 1200)
          if (value === undefined) history.record({ process: processId, type: 'fail', f: 'read', key, value: null })
          else history.record({ process: processId, type: 'ok', f: 'read', key, value })
        }
      }
    }),
  )
  return acknowledged
}
