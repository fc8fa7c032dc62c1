// What Raft servers say to each other, and the bug switches the implementation can be built
// with (the same names as protocols/raft/model.ts). Server ids are 0..n-1; entries carry any value type
// (a model value id in replays, a key-value command in the real store).

export type ServerId = number

export interface Entry<V> {
  readonly term: number
  readonly value: V
}

export type RaftMessage<V> =
  | { readonly type: 'RequestVoteRequest'; readonly term: number; readonly lastLogTerm: number; readonly lastLogIndex: number; readonly from: ServerId; readonly to: ServerId }
  | { readonly type: 'RequestVoteResponse'; readonly term: number; readonly voteGranted: boolean; readonly from: ServerId; readonly to: ServerId }
  | {
      readonly type: 'AppendEntriesRequest'
      readonly term: number
      /** 1-based, as in the Raft paper: 0 means "before the first entry". */
      readonly prevLogIndex: number
      readonly prevLogTerm: number
      readonly entries: readonly Entry<V>[]
      readonly commitIndex: number
      readonly from: ServerId
      readonly to: ServerId
    }
  | { readonly type: 'AppendEntriesResponse'; readonly term: number; readonly success: boolean; readonly matchIndex: number; readonly from: ServerId; readonly to: ServerId }

export type RaftBug = 'vote-without-log-check' | 'vote-not-persisted' | 'truncate-on-stale-append' | 'commit-earlier-term' | undefined
