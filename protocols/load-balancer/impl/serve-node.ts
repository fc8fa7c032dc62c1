// The one script `protocheck serve load-balancer` starts for every node (runtime/servable.ts
// has one script per protocol): `--role balancer|store|backend` says which node process this is.

import { argument } from '../../../runtime/node-process.js'

const role = argument('role')
if (role === 'balancer') await import('./balancer-node.js')
else if (role === 'store') await import('./store-node.js')
else if (role === 'backend') await import('./backend-node.js')
else {
  process.stderr.write(`load-balancer node: --role must be balancer, store or backend, got '${role}'\n`)
  process.exit(2)
}
