// `protocheck serve primary-backup --nodes N [--bug NAME]`: node 1 is the view service, nodes
// 2..N are the servers s1..s(N-1) (impl/node.ts runs either, by index); every node is told
// every node's port, and the bug switch if one is given. Clients (impl/client.ts) ask the view
// service for the view and talk to its primary. Servers keep the register in memory only, as
// in the lab: dataDir is unused.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export default {
  nodeName: (i) => (i === 0 ? 'vs' : `s${i}`),
  script: fileURLToPath(new URL('./impl/node.js', import.meta.url)),
  args: (i, _dataDir, ports = [], options = {}) => ['--index', String(i), '--ports', ports.join(','), ...(options.bug ? ['--bug', options.bug] : [])],
  takesBug: true,
} satisfies Servable
