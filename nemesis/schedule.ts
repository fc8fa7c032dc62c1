// The seeded fault schedule of one nemesis run: which fault happens when, and when it is
// undone. Targets are roles ("the leader", "a follower"), resolved when the fault fires,
// because who leads is only known then. The same seed and run number give the same schedule.

export type Fault =
  | { kind: 'kill'; target: Target } // kill -9, then restart from its storage
  | { kind: 'partition'; target: Target } // cut off from every other server, then heal
  | { kind: 'pause'; target: Target } // SIGSTOP, then SIGCONT
  /** The stale-read probe: partition the leader, write through the new leader, then read from
   * the old one (a leader without read-index answers from its stale state). */
  | { kind: 'stale-read-probe' }

export type Target = 'leader' | 'follower' | 'any'

export interface ScheduledFault {
  /** Ms after the clients start. */
  readonly at: number
  /** How long the fault lasts before it is undone (restart, heal, resume). */
  readonly lasts: number
  readonly fault: Fault
}

export type ScheduleName = 'random' | 'stale-read'
export const scheduleNames: readonly ScheduleName[] = ['random', 'stale-read']

/** A small fast PRNG (mulberry32) over a hash of seed and run, so adjacent seeds or runs give
 * independent streams, not shifted copies. */
export function random(seed: number, run: number): () => number {
  let state = hash(`${seed}:${run}`)
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

/** Faults one after the other over `durationMs` of load: each starts after a short calm, lasts
 * 300-700 ms (a leader's partition 900-1300 ms), and is undone before the next begins. */
export function faultSchedule(name: ScheduleName, durationMs: number, next: () => number): ScheduledFault[] {
  if (name === 'stale-read') return [{ at: 300, lasts: 0, fault: { kind: 'stale-read-probe' } }]
  const faults: ScheduledFault[] = []
  const kinds: Fault[] = [
    { kind: 'kill', target: 'leader' },
    { kind: 'kill', target: 'follower' },
    { kind: 'partition', target: 'leader' },
    { kind: 'partition', target: 'follower' },
    { kind: 'pause', target: 'leader' },
    { kind: 'pause', target: 'any' },
  ]
  for (let at = 200 + Math.floor(next() * 300); at < durationMs - 400; ) {
    const fault = kinds[Math.floor(next() * kinds.length)]
    // A cut-off leader is replaced only after an election timeout (200-400 ms): keep it cut
    // off long enough for the new leader to take writes while the old one may still serve.
    const lasts = (fault.kind === 'partition' && fault.target === 'leader' ? 900 : 300) + Math.floor(next() * 400)
    faults.push({ at, lasts, fault })
    at += lasts + 150 + Math.floor(next() * 350)
  }
  return faults
}

export function describeFault(fault: Fault): string {
  return fault.kind === 'stale-read-probe' ? 'stale-read probe (partition the leader, write via the new one, read the old)' : `${fault.kind} ${fault.target}`
}
