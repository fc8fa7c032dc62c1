// One node of a Pacemaker-style cluster resource manager as a sans-IO core: the reducer of
// its controller (crmd/pacemaker-controld), given what corosync and the timers tell it. It
// keeps the node's view of the cluster: whether it is up, the membership of its ring, the
// nodes it knows were fenced since they were last members (clean), and the state of the
// resource group here (stopped, filesystem mounted, database started).
//
// Events, one per action of the model:
//   Membership(members)  corosync delivers a new ring; quorum is more than half of the
//                        expected votes (votequorum); a ring without quorum makes the node
//                        stop feeding its watchdog: it resets (watchdog fencing, SBD)
//   FenceTimeout(target) stonith-watchdog-timeout passed for a node outside the ring: it is
//                        counted as fenced (only a quorate node may conclude so)
//   Start(active)        place the group here (mount the filesystem), given which members the
//                        cluster's status shows with the group not stopped; only on a quorate
//                        node, with no member running it and every non-member fenced
//   StartDb, Stop        start the database on the mounted filesystem; stop the group
//   Crash, Restart       power loss; boot (up, in no ring yet)
// Whether the ring is intact and whether a fence timeout can have passed are facts of the
// network and of time: the driver (or the node process's transport and timers) decides them.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { nodeName, type FencingBug, type GroupState, type NodeId } from './messages.js'

export interface NodeState {
  readonly id: NodeId
  readonly up: boolean
  /** The nodes of this node's ring, ascending; empty when it is in none. */
  readonly member: readonly NodeId[]
  /** Nodes known fenced since they last were members, ascending. */
  readonly clean: readonly NodeId[]
  readonly rsc: GroupState
}

export type NodeEvent =
  | { readonly type: 'Membership'; readonly members: readonly NodeId[] }
  | { readonly type: 'FenceTimeout'; readonly target: NodeId }
  | { readonly type: 'Start'; readonly active: readonly NodeId[] }
  | { readonly type: 'StartDb' }
  | { readonly type: 'Stop' }
  | { readonly type: 'Crash' }
  | { readonly type: 'Restart' }

export interface NodeConfig {
  /** Expected votes: the number of nodes, ids 0..nodes-1. */
  readonly nodes: number
  readonly bug?: FencingBug
}

/** The node's transitions; no effects (what a node tells others travels as membership and status). */
export type NodeTransition = Transition<NodeState, NodeId, never>

export const initialNode = (id: NodeId, nodes: number): NodeState => ({
  id,
  up: true,
  member: Array.from({ length: nodes }, (_, y) => y),
  clean: [],
  rsc: 'stopped',
})

/** votequorum with one vote a node: more than half of the expected votes. The ignore-quorum
 * bug (no-quorum-policy=ignore) treats every ring as quorate. */
export const quorate = (config: NodeConfig, members: number) => 2 * members > config.nodes || config.bug === 'ignore-quorum'

const DOWN = { up: false, member: [], clean: [], rsc: 'stopped' } as const

export function stepNode(config: NodeConfig, state: NodeState, event: NodeEvent): NodeTransition {
  const name = nodeName(state.id)
  const taken = (next: NodeState): NodeTransition => ({ state: next, effects: [] })
  if (event.type === 'Restart') return state.up ? refuse(`${name} is already up`) : taken({ ...state, up: true })
  if (!state.up) return refuse(`${name} is down`)
  switch (event.type) {
    case 'Crash':
      return taken({ ...state, ...DOWN })
    case 'Membership': {
      const members = [...new Set(event.members)].sort((a, b) => a - b)
      if (!members.includes(state.id)) return refuse(`${name} is not in the ring ${members.map(nodeName).join(', ')}`)
      if (!quorate(config, members.length)) return taken({ ...state, ...DOWN })
      return taken(
        produce(state, (d) => {
          d.member = members
          d.clean = state.clean.filter((y) => !members.includes(y))
        }),
      )
    }
    case 'FenceTimeout': {
      const { target } = event
      if (!quorate(config, state.member.length)) return refuse(`${name} has no quorum`)
      if (state.member.includes(target)) return refuse(`${nodeName(target)} is a member of ${name}'s ring`)
      if (state.clean.includes(target)) return refuse(`${nodeName(target)} is already fenced`)
      return taken(produce(state, (d) => void (d.clean = [...state.clean, target].sort((a, b) => a - b))))
    }
    case 'Start': {
      if (state.rsc !== 'stopped') return refuse(`the group is already ${state.rsc} on ${name}`)
      if (!quorate(config, state.member.length)) return refuse(`${name} has no quorum`)
      const running = event.active.find((y) => state.member.includes(y))
      if (running !== undefined) return refuse(`the group is active on ${nodeName(running)}`)
      if (config.bug !== 'no-fencing') {
        for (let y = 0; y < config.nodes; y++) {
          if (!state.member.includes(y) && !state.clean.includes(y)) return refuse(`${nodeName(y)} is outside the ring and not fenced`)
        }
      }
      return taken({ ...state, rsc: 'mounted' })
    }
    case 'StartDb':
      return state.rsc === 'mounted' ? taken({ ...state, rsc: 'started' }) : refuse(`the filesystem is not mounted on ${name}`)
    case 'Stop':
      return state.rsc === 'started' ? taken({ ...state, rsc: 'stopped' }) : refuse(`the database is not running on ${name}`)
  }
}
