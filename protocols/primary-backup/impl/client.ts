// A client of the primary/backup service (the lab's Clerk): it asks the view service for the
// current view and sends its operation to that view's primary, retrying (a new view, another
// primary) until a primary answers. `ports` are every node's ports as `serve` gives them:
// the view service's first, then the servers'.

import { request } from '../../../runtime/tcp.js'

const RETRY_MS = 50
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function call(ports: readonly number[], operation: { type: 'Put'; value: number } | { type: 'Get' }, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let last = 'no view yet'
  while (Date.now() < deadline) {
    try {
      const view = (await request(ports[0], { type: 'GetView' }, 1000)) as { primary?: unknown }
      if (typeof view.primary === 'number' && view.primary >= 0 && view.primary + 1 < ports.length) {
        const reply = (await request(ports[view.primary + 1], operation, 2000)) as { type?: unknown; value?: unknown }
        if (reply.type === 'Ok' && typeof reply.value === 'number') return reply.value
        last = JSON.stringify(reply)
      }
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await sleep(RETRY_MS)
  }
  throw new Error(`${operation.type} not served within ${timeoutMs} ms (last: ${last})`)
}

/** Write `value` to the register; resolves once a primary has acknowledged it. */
export const put = (ports: readonly number[], value: number, timeoutMs = 10_000) => call(ports, { type: 'Put', value }, timeoutMs).then(() => undefined)

/** Read the register. */
export const get = (ports: readonly number[], timeoutMs = 10_000) => call(ports, { type: 'Get' }, timeoutMs)

export interface Inspected {
  readonly id: number
  readonly view: number
  readonly primary: number
  readonly backup: number
  readonly value: number
  readonly synced: boolean
}

/** The state of server `id` (ports as above). */
export const inspect = (ports: readonly number[], id: number, timeoutMs = 2000) => request(ports[id + 1], { type: 'Inspect' }, timeoutMs) as Promise<Inspected>
