// `protocheck serve lamport-mutex`: one process (impl/process-node.ts) per node, each told
// every process's port; clients acquire and release the lock through any of them
// (impl/client.ts). The algorithm keeps no state worth persisting: dataDir is unused.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export default {
  nodeName: (i) => `p${i + 1}`,
  script: fileURLToPath(new URL('./impl/process-node.js', import.meta.url)),
  args: (i, _dataDir, ports = []) => ['--id', String(i), '--peers', ports.join(',')],
} satisfies Servable
