// What crosses the network, checked before a node uses it: a malformed or hostile frame is
// dropped. Peers send heartbeats { from, rsc } (corosync's part, much simplified: who is
// reachable, and the group's state on the sender, as the CIB's status section would say);
// clients and tests send { type: 'Inspect' } or { type: 'Isolate', from: [ids] } (drop all
// traffic to and from those nodes: a network partition injected from outside).

import type { GroupState, NodeId } from './messages.js'

export interface Heartbeat {
  readonly from: NodeId
  readonly rsc: GroupState
}

export type ControlRequest = { readonly type: 'Inspect' } | { readonly type: 'Isolate'; readonly from: readonly NodeId[] }

const isNode = (x: unknown, nodes: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < nodes
const GROUP_STATES: readonly unknown[] = ['stopped', 'mounted', 'started']

/** The heartbeat `raw` is, for node `self` of `nodes`, or null if it is not one. */
export function parseHeartbeat(raw: unknown, self: NodeId, nodes: number): Heartbeat | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null
  const m = raw as Record<string, unknown>
  if (!isNode(m.from, nodes) || m.from === self || !GROUP_STATES.includes(m.rsc)) return null
  return { from: m.from, rsc: m.rsc as GroupState }
}

/** The control request `raw` is, or null. */
export function parseControl(raw: unknown, nodes: number): ControlRequest | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null
  const m = raw as Record<string, unknown>
  if (m.type === 'Inspect') return { type: 'Inspect' }
  if (m.type === 'Isolate' && Array.isArray(m.from) && m.from.every((x) => isNode(x, nodes))) return { type: 'Isolate', from: m.from as NodeId[] }
  return null
}
