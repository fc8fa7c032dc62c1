// `protocheck serve mapreduce-commit --nodes N`: node 1 is the coordinator (hosting the file
// system), nodes 2..N are workers that connect to it. The job has 4 tasks of 3 part files each,
// and the coordinator launches speculative copies on idle workers.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

export const SERVED_TASKS = 4
export const SERVED_PARTS = 3

export default {
  nodeName: (i) => (i === 0 ? 'coordinator' : `worker${i}`),
  script: fileURLToPath(new URL('./impl/node.js', import.meta.url)),
  args: (i, _dataDir, ports = []) =>
    i === 0
      ? ['--role', 'coordinator', '--tasks', String(SERVED_TASKS), '--workers', String(Math.max(ports.length - 1, 1)), '--speculate']
      : ['--role', 'worker', '--id', String(i - 1), '--coordinator', String(ports[0]), '--parts', String(SERVED_PARTS), '--write-ms', '100'],
} satisfies Servable
