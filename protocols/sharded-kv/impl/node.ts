// The one script `protocheck serve sharded-kv` starts for every node (a Servable has one
// script): `--role controller` or `--role group` picks which process this is.

import { argument } from '../../../runtime/node-process.js'

const role = argument('role')
if (role === 'controller') await import('./controller-node.js')
else if (role === 'group') await import('./group-node.js')
else {
  process.stderr.write(`--role must be controller or group, got '${role}'\n`)
  process.exit(2)
}
