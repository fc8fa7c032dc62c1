// `protocheck serve paxos-commit`: acceptor processes (impl/acceptor-node.ts), each persisting
// its promises and votes, for every instance, to a file of its own. Resource managers and the
// leader are clients of these (impl/transaction.ts runs them over TCP).

import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export default {
  nodeName: (i) => `a${i + 1}`,
  script: fileURLToPath(new URL('./impl/acceptor-node.js', import.meta.url)),
  args: (i, dataDir) => ['--id', String(i), '--state', join(dataDir, `a${i + 1}.json`)],
} satisfies Servable
