// `protocheck serve gfs --nodes N`: node 1 is the master, nodes 2..N the chunkservers holding the
// chunk's replicas (each keeps its replica in its data directory). Ticks are 100 ms and leases 20
// ticks; clients (impl/client-runtime.ts) locate the primary at the master.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export const SERVED_TICK_MS = 100
export const SERVED_LEASE = 20

export default {
  nodeName: (i) => (i === 0 ? 'master' : `chunkserver${i}`),
  script: fileURLToPath(new URL('./impl/node.js', import.meta.url)),
  args: (i, dataDir, ports = []) => {
    const replicas = String(Math.max(ports.length - 1, 1))
    return i === 0
      ? ['--role', 'master', '--replicas', replicas, '--lease', String(SERVED_LEASE), '--tick-ms', String(SERVED_TICK_MS)]
      : ['--role', 'chunkserver', '--id', String(i - 1), '--replicas', replicas, '--master', String(ports[0]), '--peers', ports.slice(1).join(','), '--data-dir', dataDir]
  },
} satisfies Servable
