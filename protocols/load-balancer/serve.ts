// `protocheck serve load-balancer --nodes N`: node 1 is the balancer (`lb`, round robin, the
// port clients talk to), node 2 the idempotency store, nodes 3..N the backends (at least one:
// N >= 3). Every node is told the ports it needs; nothing is persisted.

import { fileURLToPath } from 'node:url'
import { InputError } from '../../checker/errors.js'
import type { Servable } from '../../runtime/servable.js'

export default {
  nodeName: (i) => (i === 0 ? 'lb' : i === 1 ? 'store' : `backend${i - 1}`),
  script: fileURLToPath(new URL('./impl/serve-node.js', import.meta.url)),
  args: (i, _dataDir, ports = []) => {
    if (ports.length < 3) throw new InputError(`load-balancer needs --nodes 3 or more: the balancer, the store and at least one backend`)
    if (i === 0) return ['--role', 'balancer', '--backends', ports.slice(2).join(','), '--policy', '0']
    if (i === 1) return ['--role', 'store']
    return ['--role', 'backend', '--id', String(i - 2), '--store', String(ports[1])]
  },
} satisfies Servable
