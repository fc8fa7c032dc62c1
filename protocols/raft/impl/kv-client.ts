// A client of the Raft key-value store as its users have it: it asks its home server first
// and follows the leader named in a refusal, or tries the next server, until a deadline.

import { request } from '../../../runtime/tcp.js'

/** One attempt's time limit: a paused or partitioned server must not hold a client long. */
const ATTEMPT_MS = 400

type Answer = { ok: boolean; value?: string | null; leader?: number | null }

export class KvClient {
  private readonly home: number
  /** `home`: the server every operation asks first, as Jepsen binds each client to a node
   * (so a leader cut off keeps its clients, and their reads). */
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
