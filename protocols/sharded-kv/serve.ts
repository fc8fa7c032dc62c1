// `protocheck serve sharded-kv --nodes N`: node 1 is the shard controller, nodes 2..N replica
// groups. There are 4 shards; the controller spreads them over the groups and then moves one
// shard every second, so the groups keep handing shards to each other.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export const SERVED_SHARDS = 4

export default {
  nodeName: (i) => (i === 0 ? 'controller' : `group${i}`),
  script: fileURLToPath(new URL('./impl/node.js', import.meta.url)),
  args: (i, _dataDir, ports = []) => {
    const groups = Math.max(ports.length - 1, 1)
    return i === 0
      ? ['--role', 'controller', '--groups', String(groups), '--shards', String(SERVED_SHARDS), '--rebalance-ms', '1000']
      : ['--role', 'group', '--id', String(i - 1), '--shards', String(SERVED_SHARDS), '--controller', String(ports[0]), '--peers', ports.slice(1).join(',')]
  },
} satisfies Servable
