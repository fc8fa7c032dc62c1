// A replica group as a sans-IO core (MIT 6.824's shardkv, with shards pushed rather than
// pulled). The group keeps the configuration it has installed and, per shard, whether it serves
// it, waits for its data, or has nothing of it. It installs configurations strictly in order and
// only once every shard it waits for has arrived; installing one, it sends each shard it loses to
// the new owner tagged with the configuration's number and stops serving it, and waits for each
// shard it gains from another group (a shard unassigned before starts empty). A push is
// installed only for the configuration the group is in, into a shard it waits for. Clients' writes
// are accepted only for shards it serves (ErrWrongGroup otherwise).
//
// Bugs: serve-before-data serves a gained shard at once; keep-serving-after-handoff sends the
// data of a lost shard but keeps serving it.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, Configuration, ConfigReply, GroupId, Message, Push, ShardedKvBug, ShardId, WriteId } from './messages.js'

export type ShardStatus = 'none' | 'waiting' | 'serving'

export interface ShardCopy {
  readonly status: ShardStatus
  /** The write ids appended to the shard's key, ascending. */
  readonly data: readonly WriteId[]
}

export interface GroupState {
  readonly id: GroupId
  /** The configuration installed. */
  readonly config: Configuration
  readonly shards: readonly ShardCopy[]
}

export type GroupEvent =
  | { readonly type: 'Receive'; readonly message: ConfigReply | Push }
  /** A client's write: append `id` to the key of `shard`. */
  | { readonly type: 'Put'; readonly shard: ShardId; readonly id: WriteId }

export interface GroupConfig {
  readonly shards: number
  readonly bug?: ShardedKvBug
}

export const initialGroup = (config: GroupConfig, id: GroupId): GroupState => ({
  id,
  config: { num: 0, shards: Array.from({ length: config.shards }, () => -1) },
  shards: Array.from({ length: config.shards }, () => ({ status: 'none' as const, data: [] })),
})

type Step = Transition<GroupState, Address, Message>

export function stepGroup(config: GroupConfig, state: GroupState, event: GroupEvent): Step {
  const me = `group${state.id + 1}`
  switch (event.type) {
    case 'Put': {
      const copy = state.shards[event.shard]
      if (copy === undefined || copy.status !== 'serving') return refuse(`${me} does not serve shard ${event.shard} (ErrWrongGroup)`)
      return {
        state: produce(state, (d) => {
          d.shards[event.shard].data = [...new Set([...copy.data, event.id])].sort((a, b) => a - b)
        }),
        effects: [{ to: 'client', message: { type: 'PutOk', shard: event.shard, id: event.id } }],
      }
    }
    case 'Receive': {
      const { message } = event
      if (message.type === 'Config') return install(config, state, message.config, me)
      if (message.to !== state.id) return refuse(`a push for group${message.to + 1} reached ${me}`)
      if (message.config !== state.config.num) return refuse(`${me} is in configuration ${state.config.num}, the push is for ${message.config}`)
      if (state.shards[message.shard]?.status !== 'waiting') return refuse(`${me} does not wait for shard ${message.shard}`)
      return {
        state: produce(state, (d) => {
          d.shards[message.shard] = { status: 'serving', data: [...message.data].sort((a, b) => a - b) }
        }),
        effects: [],
      }
    }
  }
}

function install(config: GroupConfig, state: GroupState, next: Configuration, me: string): Step {
  if (next.num !== state.config.num + 1) return refuse(`${me} is in configuration ${state.config.num}, not installing ${next.num}`)
  if (state.shards.some((s) => s.status === 'waiting')) return refuse(`${me} still waits for shards of configuration ${state.config.num}`)
  const effects: { to: Address; message: Push }[] = []
  const shards = state.shards.map((copy, s): ShardCopy => {
    const before = state.config.shards[s]
    const after = next.shards[s]
    if (before === state.id && after !== state.id) {
      effects.push({ to: { group: after }, message: { type: 'Push', shard: s, config: next.num, to: after, data: copy.data } })
      return config.bug === 'keep-serving-after-handoff' ? copy : { status: 'none', data: [] }
    }
    if (before !== state.id && after === state.id) {
      return { status: before === -1 || config.bug === 'serve-before-data' ? 'serving' : 'waiting', data: copy.data }
    }
    return copy
  })
  return { state: { ...state, config: next, shards }, effects }
}
