// Zab's transaction ids, messages and bug switches, shared by the server core, the driver and
// the TCP node. Servers are numbered 0..n-1 (the model shows server i as `server${i + 1}`).

export type ServerId = number

/** ⟨epoch, counter⟩: the epoch of the primary that proposed it and its position in that epoch. */
export interface Zxid {
  readonly epoch: number
  readonly counter: number
}

/** What a transaction does for the ensemble's clients (the model's transactions have no
 * content): set a key, or nothing (a sync, ordered like any write). */
export type Txn = { readonly kind: 'write'; readonly key: string; readonly value: string } | { readonly kind: 'sync' }

/** A logged transaction: its zxid, and its content when a client gave one. */
export interface LogEntry extends Zxid {
  readonly txn?: Txn
}

export const NO_ZXID: Zxid = { epoch: 0, counter: 0 }
export const zxidLess = (a: Zxid, b: Zxid) => a.epoch < b.epoch || (a.epoch === b.epoch && a.counter < b.counter)
export const zxidEqual = (a: Zxid, b: Zxid) => a.epoch === b.epoch && a.counter === b.counter
export const lastZxid = (log: readonly Zxid[]) => log.at(-1) ?? NO_ZXID

export type ZabBug = 'skip-sync' | 'ack-before-log' | 'commit-on-minority' | undefined

/** A looking server's vote, which is also its FOLLOWERINFO (it carries acceptedEpoch). */
export interface Vote {
  readonly type: 'Vote'
  readonly from: ServerId
  readonly currentEpoch: number
  readonly lastZxid: Zxid
  readonly acceptedEpoch: number
}

export type ZabMessage =
  | Vote
  /** Leader -> follower: the new epoch (phase 1). */
  | { readonly type: 'NewEpoch'; readonly from: ServerId; readonly epoch: number }
  /** Follower -> leader: NEWEPOCH accepted, ready to be synchronised. */
  | { readonly type: 'AckEpoch'; readonly from: ServerId; readonly epoch: number }
  /** Leader -> follower: the leader's history (phase 2); `history` is null when the leader skips synchronisation. */
  | { readonly type: 'NewLeader'; readonly from: ServerId; readonly epoch: number; readonly history: readonly LogEntry[] | null }
  /** Follower -> leader: everything up to `upTo` is logged (ACK-NEWLEADER and ACK alike). */
  | { readonly type: 'Ack'; readonly from: ServerId; readonly epoch: number; readonly upTo: Zxid }
  /** Follower -> leader: send me the next proposal after `after` (proposals are pulled). */
  | { readonly type: 'Fetch'; readonly from: ServerId; readonly epoch: number; readonly after: Zxid }
  | { readonly type: 'Proposal'; readonly from: ServerId; readonly epoch: number; readonly zxid: LogEntry }
  /** Follower -> leader: how far have you committed? */
  | { readonly type: 'CommitQuery'; readonly from: ServerId; readonly epoch: number }
  | { readonly type: 'Commit'; readonly from: ServerId; readonly epoch: number; readonly upTo: Zxid }
