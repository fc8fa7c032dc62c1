// What every nemesis workload shares: a Jepsen-style history recorder (every operation an
// invoke event and a completion, ok, fail or info, with times in ms since the run began) and
// the client loops. An operation that got no answer may still take effect later: it is `info`
// (indeterminate), and its process is retired (a new process number takes over, as in
// Jepsen), since a process runs one operation at a time. One with no effect is `fail`.

import type { HistoryEvent, OperationName, Scalar } from '../linearizability/history.js'

export type Outcome =
  | {
      readonly status: 'ok'
      /** A read's value. */
      readonly value?: Scalar
      /** What the operation turned out to be, when its answer decides it: a Paxos propose
       * that returns another proposer's value is, in the write-once register, a read of it. */
      readonly as?: { readonly f: OperationName; readonly value: Scalar | Scalar[] }
    }
  | { readonly status: 'fail' | 'info' }

export class HistoryRecorder {
  readonly events: HistoryEvent[] = []
  private readonly startedAt = Date.now()

  record(event: Pick<HistoryEvent, 'process' | 'type' | 'f' | 'key' | 'value'>) {
    this.events.push({ ...event, time: Date.now() - this.startedAt })
  }

  /** Record one operation: its invoke, `perform` it, then its completion. A read's `ok`
   * carries the value read; any other completion the value it was invoked with. */
  async operation(process: number | string, f: OperationName, key: string, value: Scalar | Scalar[], perform: () => Promise<Outcome>): Promise<Outcome> {
    this.record({ process, type: 'invoke', f, key, value })
    const invoke = this.events[this.events.length - 1]
    const outcome = await perform()
    if (outcome.status === 'ok' && outcome.as) Object.assign(invoke, outcome.as)
    const done = outcome.status === 'ok' && outcome.as ? outcome.as : { f, value }
    this.record({ process, type: outcome.status, f: done.f, key, value: done.f === 'read' && outcome.status === 'ok' ? (outcome.value ?? null) : done.value })
    return outcome
  }
}

/** `clients` loops until `until`, each calling `operate(client, process, n)` for its n-th
 * operation; a client whose operation ends `info` goes on as a new process. */
export async function clientLoops(clients: number, until: number, operate: (client: number, process: number, n: number) => Promise<Outcome>): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let process = client
      for (let n = 0; Date.now() < until; n++) {
        if ((await operate(client, process, n)).status === 'info') process += clients
      }
    }),
  )
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll `probe` until it gives a value or `ms` pass. */
export async function until<T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await sleep(50)
  }
  return undefined
}
