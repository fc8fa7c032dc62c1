// `protocheck serve raft`: the replicated key-value store (impl/server-node.ts), peers and
// clients on each port, each server with its own storage directory.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export default {
  nodeName: (i) => `server${i + 1}`,
  script: fileURLToPath(new URL('./impl/server-node.js', import.meta.url)),
  args: (i, dataDir, ports = []) => ['--id', String(i), '--peers', ports.join(','), '--dir', dataDir],
} satisfies Servable
