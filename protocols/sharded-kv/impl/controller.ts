// The shard controller as a sans-IO core: an append-only list of numbered configurations
// (MIT 6.824's shardctrler). Configuration 0 assigns nothing; a Move publishes a new
// configuration, a copy of the newest with one shard given to another group; a Query answers
// the configuration asked for. The reconfigure-in-place bug edits the newest configuration
// (once there is one beyond 0) instead of appending a new number.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, ConfigNum, Configuration, GroupId, Message, ShardedKvBug, ShardId } from './messages.js'

export interface ControllerState {
  /** configs[n] is configuration n. */
  readonly configs: readonly Configuration[]
}

export type ControllerEvent =
  | { readonly type: 'Move'; readonly shard: ShardId; readonly group: GroupId }
  | { readonly type: 'Query'; readonly num: ConfigNum; readonly from: GroupId }

export interface ControllerConfig {
  readonly groups: number
  readonly shards: number
  readonly bug?: ShardedKvBug
}

export const initialController = (config: ControllerConfig): ControllerState => ({
  configs: [{ num: 0, shards: Array.from({ length: config.shards }, () => -1) }],
})

export const newest = (state: ControllerState): Configuration => state.configs[state.configs.length - 1]

export function stepController(config: ControllerConfig, state: ControllerState, event: ControllerEvent): Transition<ControllerState, Address, Message> {
  switch (event.type) {
    case 'Move': {
      const { shard, group } = event
      if (shard < 0 || shard >= config.shards || group < 0 || group >= config.groups) return refuse(`no shard ${shard} or group ${group}`)
      const last = newest(state)
      if (last.shards[shard] === group) return refuse(`shard ${shard} is group ${group}'s already`)
      const shards = last.shards.map((g, s) => (s === shard ? group : g))
      return {
        state: produce(state, (d) => {
          if (config.bug === 'reconfigure-in-place' && last.num > 0) d.configs[last.num] = { num: last.num, shards }
          else d.configs.push({ num: last.num + 1, shards })
        }),
        effects: [],
      }
    }
    case 'Query': {
      const found = state.configs[event.num]
      if (found === undefined) return refuse(`no configuration ${event.num} yet`)
      return { state, effects: [{ to: { group: event.from }, message: { type: 'Config', config: found } }] }
    }
  }
}
