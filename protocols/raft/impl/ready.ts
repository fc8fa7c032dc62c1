// etcd raft's shape over the sans-IO core: `step(event)` feeds the reducer; `ready()` hands the
// runner what it must do now (save this hard state, then send these messages, then apply these
// committed entries); `advance(ready)` says it is done. The node keeps no I/O of its own; its
// storage is injected and only read when the node starts (or restarts after a crash).

import { isRefused } from '../../../conformance/transition.js'
import type { Send } from '../../../conformance/transition.js'
import type { Entry, RaftMessage, ServerId } from './messages.js'
import { hardStateOf, initialRaft, restartRaft, stepRaft, type RaftConfig, type RaftEvent, type RaftState, type RaftTransition } from './core.js'
import type { HardState, RaftStorage } from './storage.js'

export interface Ready<V> {
  /** Present when the hard state changed since the last save: save it before sending. */
  readonly hardState?: HardState<V>
  readonly messages: readonly Send<ServerId, RaftMessage<V>>[]
  /** Entries newly known committed, in log order, to apply to the state machine. */
  readonly committed: readonly Entry<V>[]
  /** Index (1-based) of the last entry in `committed`. */
  readonly appliedIndex: number
}

export class RaftNode<V> {
  private current: RaftState<V>
  private outbox: Send<ServerId, RaftMessage<V>>[] = []
  private saved: HardState<V> | undefined
  private applied = 0

  /** A node starting from whatever `storage` holds: a fresh server, or one back from a crash. */
  constructor(readonly config: RaftConfig, readonly id: ServerId, storage: RaftStorage<V>) {
    const hard = storage.load()
    this.saved = hard
    this.current = hard ? restartRaft(config, id, hard) : initialRaft(config, id)
  }

  get state(): RaftState<V> {
    return this.current
  }

  /** Feed one event; a refused event changes nothing. */
  step(event: RaftEvent<V>): RaftTransition<V> {
    const t = stepRaft(this.config, this.current, event)
    if (isRefused(t)) return t
    this.current = t.state
    this.outbox.push(...t.effects)
    return t
  }

  hasReady(): boolean {
    return this.outbox.length > 0 || this.hardStateChanged() || this.current.commitIndex > this.applied
  }

  ready(): Ready<V> {
    const hard = hardStateOf(this.config, this.current)
    const commitIndex = Math.min(this.current.commitIndex, this.current.log.length)
    return {
      hardState: this.hardStateChanged() ? hard : undefined,
      messages: [...this.outbox],
      committed: commitIndex > this.applied ? this.current.log.slice(this.applied, commitIndex) : [],
      appliedIndex: Math.max(this.applied, commitIndex),
    }
  }

  /** The runner saved, sent and applied what `ready` held. */
  advance(ready: Ready<V>) {
    if (ready.hardState) this.saved = ready.hardState
    this.outbox = this.outbox.slice(ready.messages.length)
    this.applied = ready.appliedIndex
  }

  private hardStateChanged(): boolean {
    const hard = hardStateOf(this.config, this.current)
    const saved = this.saved
    return !saved || saved.currentTerm !== hard.currentTerm || saved.votedFor !== hard.votedFor || saved.log !== hard.log
  }
}
