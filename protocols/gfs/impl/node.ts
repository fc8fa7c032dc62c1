// The one script `protocheck serve gfs` starts for every node (a Servable has one script):
// `--role master` or `--role chunkserver` picks which process this is.

import { argument } from '../../../runtime/node-process.js'

const role = argument('role')
if (role === 'master') await import('./master-node.js')
else if (role === 'chunkserver') await import('./chunkserver-node.js')
else {
  process.stderr.write(`--role must be master or chunkserver, got '${role}'\n`)
  process.exit(2)
}
