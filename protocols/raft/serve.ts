// `protocheck serve raft`: the replicated key-value store (impl/server-node.ts), peers and
// clients on each port, each server with its own storage directory; `--bug` builds the
// servers with a bug switch, `--log-events FILE` has them log their events (impl/event-log.ts).

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'
import { raftLogHeader } from './impl/event-log.js'

export default {
  nodeName: (i) => `server${i + 1}`,
  script: fileURLToPath(new URL('./impl/server-node.js', import.meta.url)),
  args: (i, dataDir, ports = [], options = {}) => [
    '--id', String(i), '--peers', ports.join(','), '--dir', dataDir,
    ...(options.bug ? ['--bug', options.bug] : []),
    ...(options.events ? ['--events', options.events] : []),
  ],
  takesBug: true,
  eventLogHeader: (nodes, events, bug) => raftLogHeader(nodes, events, bug),
} satisfies Servable
