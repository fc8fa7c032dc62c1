// The messages of the load balancer, its backends, the idempotency store and the clients, and
// the bug switches the cores share with protocols/load-balancer/model.ts. A request is named by
// its idempotency key (a string) and the client's attempt number: each attempt travels on a
// connection of its own, so (key, attempt) names that connection too.

export type BackendId = number
export type Key = string

export type LoadBalancerBug = 'dispatch-to-marked-down' | 'unclaimed-key' | 'rr-cursor-one-step' | 'conn-leak-on-timeout' | undefined

/** 0: round robin, 1: least connections (the model's `policy` param). */
export type Policy = 0 | 1

export interface Job {
  readonly key: Key
  readonly attempt: number
}

/** Client -> balancer. */
export interface ClientRequest {
  readonly type: 'Request'
  readonly key: Key
  readonly attempt: number
}

/** Balancer -> client: the request's answer, or a failure the client may retry. */
export type ClientAnswer =
  | { readonly type: 'Answer'; readonly key: Key; readonly attempt: number }
  | { readonly type: 'Failed'; readonly key: Key; readonly attempt: number; readonly reason: string }

/** Balancer -> backend: work on a request (on the attempt's connection), or a health probe. */
export type BackendRequest = ({ readonly type: 'Work' } & Job) | { readonly type: 'Probe' }

/** Backend -> balancer: `ok` is the request's result (run now or stored); not ok: busy, its key
 * is claimed by an attempt still running. */
export type BackendReply = ({ readonly type: 'Reply'; readonly backend: BackendId; readonly ok: boolean } & Job) | { readonly type: 'Healthy'; readonly backend: BackendId }

/** Backend -> store. `Claim` is insert-if-absent; `Lookup` (the unclaimed-key bug) only reads. */
export type StoreRequest =
  | { readonly type: 'Claim'; readonly key: Key; readonly backend: BackendId }
  | { readonly type: 'Lookup'; readonly key: Key; readonly backend: BackendId }
  | { readonly type: 'Complete'; readonly key: Key; readonly backend: BackendId }

/** Store -> backend: go ahead (claimed, or absent for a lookup), the key is done (stored
 * result), or busy (claimed by another running attempt). */
export type StoreAnswer = { readonly type: 'KeyState'; readonly key: Key; readonly state: 'go' | 'done' | 'busy' }

export type Address = 'balancer' | 'store' | { readonly client: Key } | { readonly backend: BackendId }
export type Message = ClientRequest | ClientAnswer | BackendRequest | BackendReply | StoreRequest | StoreAnswer
