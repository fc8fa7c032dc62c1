// The messages of one GFS chunk's lease and record-append protocol, and the bug switches its
// nodes share with protocols/gfs/model.ts. Replicas (chunkservers) are numbered from 0 (the model
// shows replica r as `replica${r + 1}`); records are numbered 1, 2, ... in the order the client
// appends them; time is in ticks, the same clock everywhere (the model's `now`).
//
// Three kinds of node: the master (lease and chunk version), the chunkservers holding the
// chunk's replicas, and the client appending records.

export type ReplicaId = number

export type GfsBug = 'no-version-bump' | 'early-regrant' | 'append-at-own-end' | 'reply-before-replicas' | undefined

export const bugNames: readonly string[] = ['no-version-bump', 'early-regrant', 'append-at-own-end', 'reply-before-replicas']

/** Master -> chunkserver. */
export type ToChunkserver =
  /** The lease: this replica is primary until `expires`; `members` are the lease's replicas. */
  | { readonly type: 'Grant'; readonly expires: number; readonly members: readonly boolean[] }
  /** The chunk's new version (sent to every up-to-date replica when a lease is granted). */
  | { readonly type: 'SetVersion'; readonly version: number }
  /** Client -> primary: append this record. */
  | { readonly type: 'AppendRequest'; readonly rec: number }
  /** Primary -> secondary: write this record at this offset. */
  | { readonly type: 'Forward'; readonly offset: number; readonly rec: number }

/** Chunkserver -> master: the chunk's version this replica holds (on restart). */
export interface Report {
  readonly type: 'Report'
  readonly replica: ReplicaId
  readonly version: number
}

/** Chunkserver -> client. */
export type ToClient =
  /** The primary took the append: at this offset, going to these replicas. */
  | { readonly type: 'AppendAccepted'; readonly replica: ReplicaId; readonly rec: number; readonly offset: number; readonly members: readonly boolean[] }
  /** A replica wrote the record (the primary relays its secondaries' acknowledgements). */
  | { readonly type: 'Ack'; readonly replica: ReplicaId; readonly rec: number; readonly offset: number }

export type Address = 'master' | 'client' | { readonly replica: ReplicaId }
export type Message = ToChunkserver | Report | ToClient
