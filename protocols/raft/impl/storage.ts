// Stable storage, injected into a Raft node: what must survive a crash (the term, the vote
// and the log: raft.tla's Restart keeps exactly these). The node never calls it itself; the
// code that runs it saves each Ready's hard state before sending that Ready's messages.

import type { Entry, ServerId } from './messages.js'

export interface HardState<V> {
  readonly currentTerm: number
  readonly votedFor: ServerId | null
  readonly log: readonly Entry<V>[]
}

export interface RaftStorage<V> {
  /** The last hard state saved, or undefined for a server that never saved one. */
  load(): HardState<V> | undefined
  save(state: HardState<V>): void
}

/** Storage in memory (replay and conformance drivers: it survives a Restart, which is all they need). */
export class MemoryStorage<V> implements RaftStorage<V> {
  private saved: HardState<V> | undefined
  load() {
    return this.saved
  }
  save(state: HardState<V>) {
    this.saved = state
  }
}
