// How `protocheck serve <model>` runs a protocol's implementation as node processes on
// 127.0.0.1: a protocol folder's serve.ts default-exports one of these (see node-process.ts
// for the launcher's protocol that the node script speaks).

export interface Servable {
  /** What one node is called, from its index: `a1`. */
  nodeName(index: number): string
  /** The compiled module a node process runs. */
  readonly script: string
  /** Its arguments (the launcher adds --port); `dataDir` is where it may persist state;
   * `ports`, for nodes that talk to each other, are every node's ports, fixed before any starts. */
  args(index: number, dataDir: string, ports?: readonly number[]): string[]
}
