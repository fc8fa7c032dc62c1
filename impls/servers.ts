// Implementations that run as real node processes on 127.0.0.1, by model name: what
// `protocheck serve <model>` launches. Adding one: write its node process (see
// impls/runtime/node-process.ts for the launcher's protocol) and list it here.

import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { InputError } from '../checker/errors.js'

export interface Servable {
  readonly model: string
  /** What one node is called, from its index: `a1`. */
  nodeName(index: number): string
  /** The compiled module a node process runs. */
  readonly script: string
  /** Its arguments (the launcher adds --port); `dataDir` is where it may persist state. */
  args(index: number, dataDir: string): string[]
}

const paxosAcceptors: Servable = {
  model: 'paxos',
  nodeName: (i) => `a${i + 1}`,
  script: fileURLToPath(new URL('./paxos/acceptor-node.js', import.meta.url)),
  args: (i, dataDir) => ['--id', String(i), '--state', join(dataDir, `a${i + 1}.json`)],
}

export const servables: readonly Servable[] = [paxosAcceptors]

export function findServable(model: string): Servable {
  const servable = servables.find((s) => s.model === model)
  if (!servable) throw new InputError(`model '${model}' has no network runtime to serve (servable: ${servables.map((s) => s.model).join(', ')})`)
  return servable
}
