// The messages of Lamport's mutual exclusion, as LamportMutex.tla has them: a request carries
// its sender's clock; acknowledgements and releases carry none. On the wire every message
// also names its sender (`from`), since a process receives from all its peers on one port.

export type ProcessId = number

export type MutexMessage =
  | { readonly type: 'req'; readonly clock: number }
  | { readonly type: 'ack' }
  | { readonly type: 'rel' }

/** The same bug switches as protocols/lamport-mutex/model.ts, each flipping the same rule here. */
export type MutexBug = 'majority-acks' | 'no-clock-update' | 'no-tie-break' | 'no-ack-in-critical-section' | undefined

export const BUGS: readonly Exclude<MutexBug, undefined>[] = ['majority-acks', 'no-clock-update', 'no-tie-break', 'no-ack-in-critical-section']

/** A process's name in logs and traces: p1..pN for ids 0..N-1. */
export const processName = (id: ProcessId) => `p${id + 1}`
