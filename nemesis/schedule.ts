// The seeded fault schedule of one nemesis run: which fault happens when, and when it is
// undone. Targets are roles ("the leader", "a follower", "the lock server"), resolved by the
// protocol's adapter when the fault fires, because who leads is only known then. The kinds a
// schedule draws from are the adapter's. The same seed and run number give the same schedule.

export type FaultKind =
  | 'kill' // kill -9, then restart from its storage
  | 'partition' // cut off from the others, then healed
  | 'pause' // SIGSTOP, then SIGCONT (for a client: it stalls between its check and its write)
  | 'skew' // its clock jumps or runs at another rate, then runs true again

export interface Fault {
  readonly kind: FaultKind
  /** A role the adapter resolves to a node when the fault fires ('leader', 'any', 'storage'...). */
  readonly target: string
  /** Range of how long it lasts, ms (default 300-700). */
  readonly lasts?: readonly [number, number]
}

/** The faults of a cluster with an elected leader (raft, zab): kill -9 of the leader or a
 * follower, partitions of either, pauses. A cut-off leader is replaced only after an election
 * timeout (a few hundred ms), so its partition lasts long enough for a new leader to take
 * writes while the old one may still answer. */
export const leaderClusterFaults: readonly Fault[] = [
  { kind: 'kill', target: 'leader' },
  { kind: 'kill', target: 'follower' },
  { kind: 'partition', target: 'leader', lasts: [900, 1300] },
  { kind: 'partition', target: 'follower' },
  { kind: 'pause', target: 'leader' },
  { kind: 'pause', target: 'any' },
]

/** A protocol's scripted scenario (raft's stale-read probe), played instead of random faults. */
export interface Probe {
  readonly kind: 'probe'
  readonly name: string
}

export interface ScheduledFault {
  /** Ms after the clients start. */
  readonly at: number
  /** How long the fault lasts before it is undone (restart, heal, resume). */
  readonly lasts: number
  readonly fault: Fault | Probe
}

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

/** Faults one after the other over `durationMs` of load, drawn from `kinds`: each starts after
 * a short calm, lasts its range, and is undone before the next begins. */
export function randomSchedule(kinds: readonly Fault[], durationMs: number, next: () => number): ScheduledFault[] {
  const faults: ScheduledFault[] = []
  for (let at = 200 + Math.floor(next() * 300); at < durationMs - 400; ) {
    const fault = kinds[Math.floor(next() * kinds.length)]
    const [min, max] = fault.lasts ?? [300, 700]
    const lasts = min + Math.floor(next() * (max - min))
    faults.push({ at, lasts, fault })
    at += lasts + 150 + Math.floor(next() * 350)
  }
  return faults
}

/** A probe alone, once the clients have run a little. */
export const probeSchedule = (name: string): ScheduledFault[] => [{ at: 300, lasts: 0, fault: { kind: 'probe', name } }]

export function describeFault(fault: Fault | Probe): string {
  return fault.kind === 'probe' ? `${fault.name} probe` : `${fault.kind} ${fault.target}`
}
