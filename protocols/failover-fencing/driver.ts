// Replay/conformance driver for failover-fencing: an in-process cluster of n node cores
// (impl/node.ts), with the network (which side of a partition each node is on) and the
// fault count held here. Each model action is one event:
//
//   Reform(x)        corosync forms the ring of x's side (x its lowest id): the same
//                    configuration change is delivered to every node of the ring
//   Fence(x, y)      x's stonith-watchdog-timeout for y passes: an event on x, possible only
//                    once y is down or has formed a ring of its own (the timeout's margin)
//   Start(x)         an event on x, with the members whose group the status shows not stopped
//   StartDb(x), Stop(x), Crash(x), Restart(x)   that event on x
//   Partition(x)     the network moves x to the other side (no node is told: corosync finds out)
//
// Fence, Start and Stop need x's ring to be intact (the controller speaks through corosync):
// a step on a broken ring is refused here, as a real node's would never be delivered.

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused } from '../../conformance/transition.js'
import { nodeName, type FencingBug, type NodeId } from './impl/messages.js'
import { initialNode, stepNode, type NodeEvent, type NodeState } from './impl/node.js'

/** The reducer the cluster runs; replaceable so that tests can build a mutant. */
export interface FencingCores {
  readonly stepNode: typeof stepNode
}

class FencingCluster implements Driver {
  private nodes: NodeState[] = []
  private side: number[] = []
  private faults = 0

  constructor(private readonly n: number, private readonly bug: FencingBug, private readonly cores: FencingCores) {
    this.restart()
  }

  async reset() {
    this.restart()
  }

  private restart() {
    this.nodes = Array.from({ length: this.n }, (_, x) => initialNode(x, this.n))
    this.side = Array.from({ length: this.n }, () => 0)
    this.faults = 0
  }

  /** The nodes x can reach: up and on its side. */
  private component(x: NodeId): NodeId[] {
    return this.nodes.filter((s) => s.up && this.side[s.id] === this.side[x]).map((s) => s.id)
  }

  private intact(x: NodeId): boolean {
    const c = this.component(x)
    const m = this.nodes[x].member
    return m.length === c.length && c.every((y) => m.includes(y))
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const x = this.index('x', picks.x)
    switch (action) {
      case 'Reform': {
        if (!this.nodes[x].up) throw new NotEnabledError(`${nodeName(x)} is down`)
        const ring = this.component(x)
        if (ring[0] !== x) throw new NotEnabledError(`${nodeName(x)} is not the lowest id of its side`)
        if (ring.every((y) => this.intact(y))) throw new NotEnabledError(`the ring of ${nodeName(x)}'s side is formed already`)
        const next = ring.map((y) => this.take(y, { type: 'Membership', members: ring }))
        ring.forEach((y, i) => (this.nodes[y] = next[i]))
        return
      }
      case 'Fence': {
        const y = this.index('y', picks.y)
        this.needRing(x)
        if (this.nodes[y].up && !this.intact(y)) throw new NotEnabledError(`${nodeName(y)} is up and has not formed a ring of its own yet: the fence timeout cannot have passed`)
        this.step(x, { type: 'FenceTimeout', target: y })
        return
      }
      case 'Start': {
        this.needRing(x)
        const active = this.nodes.filter((s) => s.rsc !== 'stopped').map((s) => s.id)
        this.step(x, { type: 'Start', active })
        return
      }
      case 'Stop':
        this.needRing(x)
        this.step(x, { type: 'Stop' })
        return
      case 'StartDb':
      case 'Restart':
        this.step(x, { type: action })
        return
      case 'Crash':
        this.step(x, { type: 'Crash' })
        this.faults++
        return
      case 'Partition':
        this.side[x] = 1 - this.side[x]
        this.faults++
        return
      default:
        throw new NotEnabledError(`failover-fencing has no action ${action}`)
    }
  }

  async observe() {
    return {
      up: this.nodes.map((s) => s.up),
      side: [...this.side],
      member: this.nodes.map((s) => [...s.member]),
      clean: this.nodes.map((s) => [...s.clean]),
      rsc: this.nodes.map((s) => s.rsc),
      faults: this.faults,
    }
  }

  private needRing(x: NodeId) {
    if (this.nodes[x].up && !this.intact(x)) throw new NotEnabledError(`${nodeName(x)}'s ring is broken: nothing it sends is delivered`)
  }

  private take(x: NodeId, event: NodeEvent): NodeState {
    const t = this.cores.stepNode({ nodes: this.n, bug: this.bug }, this.nodes[x], event)
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    return t.state
  }

  private step(x: NodeId, event: NodeEvent) {
    this.nodes[x] = this.take(x, event)
  }

  private index(name: string, value: unknown): NodeId {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.n) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(value)} is outside 0..${this.n - 1}`)
    }
    return value
  }
}

/** A driver factory over the given core (the real one unless a test swaps it). */
export function fencingDriverOf(cores: FencingCores): DriverFactory {
  return { model: 'failover-fencing', start: async (params, bug) => new FencingCluster(params.n, bug as FencingBug, cores) }
}

export const fencingDriver = fencingDriverOf({ stepNode })

export default fencingDriver
