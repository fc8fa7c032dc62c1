// How `protocheck serve <model>` runs a protocol's implementation as node processes on
// 127.0.0.1: a protocol folder's serve.ts default-exports one of these (see node-process.ts
// for the launcher's protocol that the node script speaks).

import type { EventLogHeader, LoggedEvent } from '../conformance/event-log.js'

/** What `serve` asks of the nodes beyond running: a bug switch, an event log. */
export interface ServeOptions {
  /** One of the model's bug switches, built into the nodes. */
  bug?: string
  /** The file this node appends its events to (docs/log-format.md); serve merges them. */
  events?: string
}

export interface Servable {
  /** What one node is called, from its index: `a1`. */
  nodeName(index: number): string
  /** The compiled module a node process runs. */
  readonly script: string
  /** Its arguments (the launcher adds --port); `dataDir` is where it may persist state;
   * `ports`, for nodes that talk to each other, are every node's ports, fixed before any starts. */
  args(index: number, dataDir: string, ports?: readonly number[], options?: ServeOptions): string[]
  /** Nodes that take `bug` (serve --bug). */
  readonly takesBug?: boolean
  /** For nodes that write event logs (serve --log-events): the merged log's header (model,
   * params big enough for the run), from the events of the run. */
  eventLogHeader?(nodes: number, events: readonly LoggedEvent[], bug: string | undefined): Omit<EventLogHeader, 'format' | 'version'>
}
