// The one script `protocheck serve mapreduce-commit` starts for every node (a Servable has one
// script): `--role coordinator` or `--role worker` picks which process this is.

import { argument } from '../../../runtime/node-process.js'

const role = argument('role')
if (role === 'coordinator') await import('./coordinator-node.js')
else if (role === 'worker') await import('./worker-node.js')
else {
  process.stderr.write(`--role must be coordinator or worker, got '${role}'\n`)
  process.exit(2)
}
