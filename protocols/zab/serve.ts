// `protocheck serve zab`: a ZooKeeper-style ensemble (impl/server-node.ts), each server
// told every server's port and keeping its epochs and history in a file of its own.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export default {
  nodeName: (i) => `server${i + 1}`,
  script: fileURLToPath(new URL('./impl/server-node.js', import.meta.url)),
  args: (i, dataDir, ports = []) => ['--id', String(i), '--peers', ports.join(','), '--data', dataDir, '--tick-ms', '20'],
} satisfies Servable
