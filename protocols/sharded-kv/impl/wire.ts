// sharded-kv messages as they cross the network: whatever arrives is checked before a core sees
// it, so that a malformed or hostile frame is dropped instead of corrupting a node.

import type { Configuration, ConfigReply, Push, ToController } from './messages.js'

/** Anyone -> any node: report your state (for tests and operators). */
export interface Inspect {
  readonly type: 'Inspect'
}

/** Client -> group: read the key of `shard`. */
export interface Get {
  readonly type: 'Get'
  readonly shard: number
}

/** Client -> group: append write `id` to the key of `shard`. */
export interface PutRequest {
  readonly type: 'Put'
  readonly shard: number
  readonly id: number
}

/** Group -> controller: configuration `num`, please (the reply goes back on this connection). */
export interface QueryRequest {
  readonly type: 'Query'
  readonly num: number
  readonly from: number
}

export interface Limits {
  readonly groups: number
  readonly shards: number
}

const isIndex = (x: unknown, below: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < below
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 1_000_000_000
const isOwner = (x: unknown, limits: Limits) => x === -1 || isIndex(x, limits.groups)
const isData = (x: unknown): x is number[] => Array.isArray(x) && x.length <= 1_000_000 && x.every((w) => isCount(w) && w > 0)

/** What the controller accepts: a Move, a Query from a group, or an inspection. */
export function parseAtController(raw: unknown, limits: Limits): Exclude<ToController, { type: 'Query' }> | QueryRequest | Inspect | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'Inspect':
      return { type: 'Inspect' }
    case 'Move':
      return isIndex(m.shard, limits.shards) && isIndex(m.group, limits.groups) ? { type: 'Move', shard: m.shard, group: m.group } : null
    case 'Query':
      return isCount(m.num) && isIndex(m.from, limits.groups) ? { type: 'Query', num: m.num, from: m.from } : null
    default:
      return null
  }
}

/** A configuration as the controller sends it. */
export function parseConfigReply(raw: unknown, limits: Limits): ConfigReply | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  if (m.type !== 'Config' || m.config === null || typeof m.config !== 'object') return null
  const c = m.config as Record<string, unknown>
  if (!isCount(c.num) || !Array.isArray(c.shards) || c.shards.length !== limits.shards || !c.shards.every((g) => isOwner(g, limits))) return null
  const config: Configuration = { num: c.num, shards: [...(c.shards as number[])] }
  return { type: 'Config', config }
}

/** What a group accepts: a client's Put or Get, a peer's Push, or an inspection. */
export function parseAtGroup(raw: unknown, limits: Limits): PutRequest | Get | Push | Inspect | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'Inspect':
      return { type: 'Inspect' }
    case 'Get':
      return isIndex(m.shard, limits.shards) ? { type: 'Get', shard: m.shard } : null
    case 'Put':
      return isIndex(m.shard, limits.shards) && isCount(m.id) && m.id > 0 ? { type: 'Put', shard: m.shard, id: m.id } : null
    case 'Push':
      return isIndex(m.shard, limits.shards) && isCount(m.config) && isIndex(m.to, limits.groups) && isData(m.data)
        ? { type: 'Push', shard: m.shard, config: m.config, to: m.to, data: [...m.data] }
        : null
    default:
      return null
  }
}
