// `protocheck serve failover-fencing`: one process (impl/cluster-node.ts) per node, each told
// every node's port; the shared storage is one file in serve's data folder, which every
// node appends to while the group is placed on it.

import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export default {
  nodeName: (i) => `node${i + 1}`,
  script: fileURLToPath(new URL('./impl/cluster-node.js', import.meta.url)),
  args: (i, dataDir, ports = []) => ['--id', String(i), '--peers', ports.join(','), '--storage', join(dataDir, 'shared-storage.log')],
} satisfies Servable
