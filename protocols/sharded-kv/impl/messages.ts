// The messages of the sharded key/value store and the bug switches its nodes share with
// protocols/sharded-kv/model.ts. Groups and shards are numbered from 0 (the model shows group g
// as `group${g + 1}`); configuration numbers from 0 (configuration 0 assigns nothing); a shard's
// owner is a group number or -1 (unassigned, the model's Nil).

export type GroupId = number
export type ShardId = number
export type ConfigNum = number
/** A write's id, chosen by the client (1, 2, ...); a shard's data is the set of ids appended. */
export type WriteId = number

export type ShardedKvBug = 'serve-before-data' | 'keep-serving-after-handoff' | 'reconfigure-in-place' | undefined

export const bugNames: readonly string[] = ['serve-before-data', 'keep-serving-after-handoff', 'reconfigure-in-place']

/** A configuration: its number and the owner of each shard (-1: unassigned). */
export interface Configuration {
  readonly num: ConfigNum
  readonly shards: readonly GroupId[]
}

/** Anyone -> controller. */
export type ToController =
  /** An operator's request: publish a configuration that moves `shard` to `group`. */
  | { readonly type: 'Move'; readonly shard: ShardId; readonly group: GroupId }
  /** A group asks for configuration `num` (the one after its own). */
  | { readonly type: 'Query'; readonly num: ConfigNum }

/** Controller -> group: the configuration asked for. */
export interface ConfigReply {
  readonly type: 'Config'
  readonly config: Configuration
}

/** Group -> group: a shard's data, for the configuration that gave it to the receiver. */
export interface Push {
  readonly type: 'Push'
  readonly shard: ShardId
  readonly config: ConfigNum
  readonly to: GroupId
  readonly data: readonly WriteId[]
}

/** Client -> group: append write `id` to the key of `shard`. */
export interface Put {
  readonly type: 'Put'
  readonly shard: ShardId
  readonly id: WriteId
}

/** Group -> client: the write is applied (acknowledged). */
export interface PutOk {
  readonly type: 'PutOk'
  readonly shard: ShardId
  readonly id: WriteId
}

export type Address = 'controller' | 'client' | { readonly group: GroupId }
export type Message = ToController | ConfigReply | Push | Put | PutOk
