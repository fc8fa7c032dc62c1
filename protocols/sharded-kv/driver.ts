// Replay/conformance driver for sharded-kv: an in-process controller and `groups` replica
// groups, each a sans-IO core from impl/, a network holding the pushes in flight, and a client
// that numbers its writes and remembers which were acknowledged. One model action is one event
// at one node:
//
//   Reconfigure(shard, group)   the controller's Move (an operator's request)
//   Learn(group)                the group's Query for the configuration after its own, answered
//                               by the controller and installed by the group (its pushes go into
//                               the network)
//   Receive(group, shard, config)  the push for that shard and configuration, delivered to group
//   Put(group, shard)           the client's next write, sent to group; its PutOk is the
//                               acknowledgement the model calls `acked`
//
// A step is taken whole or not at all: if any node refuses its part, nothing changes and the
// step is not enabled.

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused, type Send, type Transition } from '../../conformance/transition.js'
import { initialController, stepController, type ControllerState } from './impl/controller.js'
import { initialGroup, stepGroup, type GroupEvent, type GroupState } from './impl/group.js'
import type { Address, Message, Push, ShardedKvBug } from './impl/messages.js'

/** The node reducers; replaceable so that tests can build a mutant. */
export interface ShardedKvCores {
  readonly stepController: typeof stepController
  readonly stepGroup: typeof stepGroup
}

interface Cluster {
  controller: ControllerState
  groups: GroupState[]
  network: Push[]
  writes: number
  acked: number[][]
}

class ShardedKvCluster implements Driver {
  private cluster: Cluster

  constructor(
    private readonly params: Readonly<Record<string, number>>,
    private readonly bug: ShardedKvBug,
    private readonly cores: ShardedKvCores,
  ) {
    this.cluster = this.initial()
  }

  private initial(): Cluster {
    const { groups, shards } = this.params
    return {
      controller: initialController(this.controllerConfig),
      groups: Array.from({ length: groups }, (_, g) => initialGroup(this.groupConfig, g)),
      network: [],
      writes: 0,
      acked: Array.from({ length: shards }, () => []),
    }
  }

  private get controllerConfig() {
    return { groups: this.params.groups, shards: this.params.shards, bug: this.bug }
  }

  private get groupConfig() {
    return { shards: this.params.shards, bug: this.bug }
  }

  async reset() {
    this.cluster = this.initial()
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    // Work on a copy: the cores' states are immutable, so only the containers need copying.
    const c = this.cluster
    const next: Cluster = { ...c, groups: [...c.groups], network: [...c.network], acked: c.acked.map((a) => [...a]) }
    switch (action) {
      case 'Reconfigure':
        next.controller = this.taken(this.cores.stepController(this.controllerConfig, next.controller, {
          type: 'Move', shard: this.index(picks, 'shard', this.params.shards), group: this.index(picks, 'group', this.params.groups),
        })).state
        break
      case 'Learn': {
        const g = this.index(picks, 'group', this.params.groups)
        const asked = this.taken(this.cores.stepController(this.controllerConfig, next.controller, { type: 'Query', num: next.groups[g].config.num + 1, from: g }))
        next.controller = asked.state
        for (const { message } of asked.effects) {
          if (message.type === 'Config') this.atGroup(next, g, { type: 'Receive', message })
        }
        break
      }
      case 'Receive': {
        const g = this.index(picks, 'group', this.params.groups)
        const shard = this.index(picks, 'shard', this.params.shards)
        const at = next.network.findIndex((p) => p.to === g && p.shard === shard && p.config === picks.config)
        if (at < 0) throw new NotEnabledError(`no push of shard ${shard} for configuration ${String(picks.config)} to group${g + 1} in flight`)
        const [push] = next.network.splice(at, 1)
        this.atGroup(next, g, { type: 'Receive', message: push })
        break
      }
      case 'Put': {
        const g = this.index(picks, 'group', this.params.groups)
        this.atGroup(next, g, { type: 'Put', shard: this.index(picks, 'shard', this.params.shards), id: next.writes + 1 })
        next.writes += 1
        break
      }
      default:
        throw new NotEnabledError(`sharded-kv has no action ${action}`)
    }
    this.cluster = next
  }

  async observe() {
    const { controller, groups, network, writes, acked } = this.cluster
    const { shards, maxConfig } = this.params
    const unassigned = Array.from({ length: shards }, () => -1)
    return {
      // Configurations not yet published are all unassigned in the model.
      configs: Array.from({ length: maxConfig + 2 }, (_, n) => [...(controller.configs[n]?.shards ?? unassigned)]),
      latest: controller.configs.length - 1,
      group: groups.map((g) => ({ config: g.config.num, shards: g.shards.map((s) => ({ status: s.status, data: [...s.data] })) })),
      pushes: network.map((p) => ({ shard: p.shard, config: p.config, to: p.to, data: [...p.data] })),
      writes,
      acked,
    }
  }

  private atGroup(c: Cluster, g: number, event: GroupEvent) {
    const t = this.taken(this.cores.stepGroup(this.groupConfig, c.groups[g], event))
    c.groups[g] = t.state
    this.route(c, t.effects)
  }

  /** Pushes wait in the network; the client's acknowledgements are recorded at once. */
  private route(c: Cluster, effects: readonly Send<Address, Message>[]) {
    for (const { message } of effects) {
      if (message.type === 'Push') c.network.push(message)
      else if (message.type === 'PutOk') c.acked[message.shard] = [...new Set([...c.acked[message.shard], message.id])].sort((a, b) => a - b)
    }
  }

  /** A refusal is a step the implementation cannot take: a divergence, not a crash. */
  private taken<S>(t: Transition<S, Address, Message>) {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    return t
  }

  private index(picks: Readonly<Record<string, unknown>>, name: string, count: number): number {
    const i = picks[name]
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= count) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(i)} is not one of ${count}`)
    }
    return i
  }
}

export function shardedKvDriverOf(cores: ShardedKvCores): DriverFactory {
  return {
    model: 'sharded-kv',
    start: async (params, bug) => new ShardedKvCluster(params, bug as ShardedKvBug, cores),
  }
}

export const shardedKvDriver = shardedKvDriverOf({ stepController, stepGroup })

export default shardedKvDriver
