// Histories for the linearizability benchmark (and tests): a simulated key-value store with
// concurrent clients, recorded as Jepsen records it. Each process invokes an operation, the
// store applies it atomically at some later moment, and the process then completes it, so
// operations overlap; the store is linearizable by construction (each operation takes
// effect at one instant between its invoke and its completion). Writes and cas write fresh
// values, never written before. A few processes crash (an `info` completion, the operation
// applied or not) and come back under a new process id, as Jepsen's do.
//
// staleRead() then injects one anomaly: a read that returns a value already overwritten.

import type { HistoryEvent } from '../linearizability/history.js'

export interface StoreHistoryOptions {
  operations: number
  keys: number
  processes: number
  seed: number
  /** Chance that a process crashes while its operation is pending (info). */
  crash?: number
}

export function storeHistory(options: StoreHistoryOptions): HistoryEvent[] {
  const random = mulberry32(options.seed)
  const pick = (n: number) => Math.floor(random() * n)
  const crash = options.crash ?? 0.001
  const store = new Map<string, number | null>()
  const events: HistoryEvent[] = []
  let fresh = 0
  let time = 0
  let invoked = 0
  let open = 0
  interface Pending { process: number; f: 'read' | 'write' | 'cas'; key: string; value: number | null | [number | null, number]; applied: boolean; result: 'ok' | 'fail'; output: number | null }
  const slots: { process: number; pending: Pending | null }[] = Array.from({ length: options.processes }, (_, i) => ({ process: i, pending: null }))
  const emit = (event: HistoryEvent) => {
    time += 1 + pick(1000)
    events.push({ ...event, time })
  }
  while (invoked < options.operations || open > 0) {
    const slot = slots[pick(slots.length)]
    const p = slot.pending
    if (p === null) {
      if (invoked >= options.operations) continue
      const key = `k${pick(options.keys)}`
      const roll = random()
      const current = store.get(key) ?? null
      const f = roll < 0.5 ? 'read' : roll < 0.8 ? 'write' : 'cas'
      // A cas usually expects the value it last saw, which another client may change first.
      const value = f === 'read' ? null : f === 'write' ? ++fresh : ([random() < 0.8 ? current : fresh > 0 ? 1 + pick(fresh) : null, ++fresh] as [number | null, number])
      slot.pending = { process: slot.process, f, key, value, applied: false, result: 'ok', output: null }
      invoked++
      open++
      emit({ process: slot.process, type: 'invoke', f, key, value })
    } else if (random() < crash) {
      // The client crashes: its operation may or may not have taken effect.
      if (!p.applied && random() < 0.5) apply(p)
      emit({ process: p.process, type: 'info', f: p.f, key: p.key, value: p.f === 'read' ? null : p.value })
      slot.process += options.processes
      slot.pending = null
      open--
    } else if (!p.applied) {
      apply(p)
    } else {
      emit({ process: p.process, type: p.result, f: p.f, key: p.key, value: p.f === 'read' ? p.output : p.value })
      slot.pending = null
      open--
    }
  }
  return events

  function apply(p: Pending) {
    p.applied = true
    const current = store.get(p.key) ?? null
    if (p.f === 'read') p.output = current
    else if (p.f === 'write') store.set(p.key, p.value as number)
    else if ((p.value as [number | null, number])[0] === current) store.set(p.key, (p.value as [number | null, number])[1])
    else p.result = 'fail'
  }
}

export interface InjectedAnomaly {
  /** Indices (in the events array) of the completion events of the three operations. */
  overwritten: number
  overwriting: number
  read: number
  key: string
  value: number
}

/** Make one `ok` read from the middle on returns a value that had already been overwritten
 * when the read began: the write of that value (w1) completed before another write (w2) began,
 * and w2 completed before the read began. Since every value is written once, any linearization
 * puts w1 before w2 before the read, which then cannot return w1's value: not linearizable.
 * Changes `events` in place. */
export function injectStaleRead(events: HistoryEvent[], from = Math.floor(events.length / 2)): InjectedAnomaly {
  interface Done { invoke: number; complete: number; value: number }
  const invokes = new Map<number | string, number>()
  const writesByKey = new Map<string, Done[]>()
  for (let i = 0; i < events.length; i++) {
    const e = events[i]
    if (e.type === 'invoke') {
      invokes.set(e.process, i)
      continue
    }
    const invoke = invokes.get(e.process)!
    const key = e.key as string
    if (e.type === 'ok' && e.f !== 'read') {
      const value = e.f === 'write' ? (e.value as number) : (e.value as number[])[1]
      if (!writesByKey.has(key)) writesByKey.set(key, [])
      writesByKey.get(key)!.push({ invoke, complete: i, value })
    }
    if (i < from || e.type !== 'ok' || e.f !== 'read') continue
    const before = (writesByKey.get(key) ?? []).filter((w) => w.complete < invoke)
    const w2 = before.at(-1)
    const w1 = w2 && [...before].reverse().find((w) => w.complete < w2.invoke)
    if (!w2 || !w1) continue
    e.value = w1.value
    return { overwritten: w1.complete, overwriting: w2.complete, read: i, key, value: w1.value }
  }
  throw new Error('no read to make stale after event ' + from)
}

/** A small, fast, seedable PRNG (public domain, Tommy Ettinger). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
