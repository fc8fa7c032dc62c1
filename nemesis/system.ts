// What `protocheck nemesis <system>` asks of a protocol: its folder's nemesis.ts default-exports
// a NemesisSystem (found the way serve.ts is), which starts the real cluster, runs clients that
// record a history, inflicts and undoes the faults the schedule names, and says what the
// history alone cannot show (writes acknowledged and lost, a stale token accepted). The run
// itself (nemesis/run.ts), the schedule, the linearizability check and the report are shared.

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { InputError } from '../checker/errors.js'
import type { ModelName } from '../linearizability/models.js'
import { builtInProtocols, protocolFolder } from '../protocols/index.js'
import type { HistoryRecorder } from './client.js'
import type { Fault, FaultKind } from './schedule.js'

export interface NemesisOptions {
  /** One of the system's bug switches, built into its nodes. */
  readonly bug?: string
  /** Raft: leaders answer reads from their own state, without a read-index round. */
  readonly noReadIndex?: boolean
}

export interface NemesisSystem {
  /** What the clients do and what is checked, one line. */
  readonly summary: string
  /** The model `protocheck linearizable` checks the histories against. */
  readonly model: ModelName
  /** The faults the random schedule draws from. */
  readonly faults: readonly Fault[]
  /** Scripted scenarios (`--schedule NAME`), played by the cluster's probe(). */
  readonly probes?: readonly string[]
  /** Bug switches its nodes take (`--bug`), each a known-bad build the runs should catch. */
  readonly bugs?: readonly string[]
  /** Takes `noReadIndex` (raft). */
  readonly readIndex?: boolean
  start(options: NemesisOptions): Promise<NemesisCluster>
}

export interface NemesisCluster {
  /** The nodes faults hit, by name, for the fault lines. */
  readonly nodeNames: readonly string[]
  /** Wait until the cluster serves (a leader elected); false if it does not in time. */
  ready(): Promise<boolean>
  /** The node a fault's target role stands for, now. */
  resolve(target: string, next: () => number): Promise<number>
  inflict(kind: FaultKind, node: number, next: () => number): Promise<void>
  /** Put right what inflict did (restart, heal, resume, true clock). */
  undo(kind: FaultKind, node: number): Promise<void>
  /** Concurrent clients recording into `history` until `until` (ms since epoch). */
  runClients(history: HistoryRecorder, until: number, next: () => number): Promise<void>
  /** Play a scripted scenario; returns what happened, one line. */
  probe?(name: string, history: HistoryRecorder): Promise<string>
  /** Once every fault is undone: what the history cannot show, one line per problem. */
  finalCheck(): Promise<string[]>
  /** What the final check saw that is no failure (a server still catching up), one line each. */
  readonly notes?: readonly string[]
  stop(): Promise<void>
}

/** Built-in protocols with a nemesis.ts. */
export const nemesisSystems = (): string[] => builtInProtocols.filter((name) => existsSync(fileURLToPath(new URL('nemesis.js', protocolFolder(name)))))

export async function loadNemesisSystem(name: string): Promise<NemesisSystem> {
  const systems = nemesisSystems()
  if (!systems.includes(name)) throw new InputError(`unknown system '${name}' (nemesis runs: ${systems.join(', ')})`)
  return (await import(new URL('nemesis.js', protocolFolder(name)).href)).default as NemesisSystem
}
