// The messages of the lock service and the bug switches its nodes share with
// protocols/lock-service/model.ts. Clients are numbered 0..clients-1 (the model shows client i
// as `client${i + 1}`); a sequencer is the lock's generation number at the grant.

export type ClientId = number

export type LockServiceBug = 'no-fencing' | 'unbounded-drift' | 'release-without-bump' | 'no-lease-reclaim' | undefined

/** Client -> lock server. */
export type ServerRequest =
  | { readonly type: 'Acquire'; readonly client: ClientId }
  | { readonly type: 'Release'; readonly client: ClientId }

/** Lock server -> client. `lease` is the lease length in the server's ticks. */
export type ServerReply =
  | { readonly type: 'Granted'; readonly token: number; readonly lease: number }
  | { readonly type: 'Busy' }
  | { readonly type: 'Released' }

/** Client -> storage: a write fenced by the sequencer of the lease it was made under. */
export interface WriteRequest {
  readonly type: 'Write'
  readonly client: ClientId
  readonly token: number
}

/** Storage -> client. */
export interface WriteReply {
  readonly type: 'WriteResult'
  readonly accepted: boolean
}

export type Address = 'lock-server' | 'storage' | { readonly client: ClientId }
export type Message = ServerRequest | ServerReply | WriteRequest | WriteReply
