// Names shared by the core, the driver and the node processes of failover-fencing.

export type NodeId = number

/** The resource group's state on one node: the shared filesystem, then the database on it. */
export type GroupState = 'stopped' | 'mounted' | 'started'

/** The same bug switches as protocols/failover-fencing/model.ts, each flipping the same rule here. */
export type FencingBug = 'no-fencing' | 'ignore-quorum' | undefined

export const BUGS: readonly Exclude<FencingBug, undefined>[] = ['no-fencing', 'ignore-quorum']

/** A node's name in logs and traces: node1..nodeN for ids 0..N-1. */
export const nodeName = (id: NodeId) => `node${id + 1}`
