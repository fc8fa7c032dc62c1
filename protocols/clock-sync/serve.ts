// `protocheck serve clock-sync`: node 1 is the time server, the others are clients
// (impl/clock-node.ts) polling it every 200 ms, booted with their clocks off the real time by
// alternately +300 ms, -300 ms, +600 ms, ... so that corrections both ways are seen.

import { fileURLToPath } from 'node:url'
import type { Servable } from '../../runtime/servable.js'

/** Client i's (1-based) boot offset in milliseconds. */
export const bootOffsetMs = (i: number) => (i % 2 === 1 ? 1 : -1) * 300 * Math.ceil(i / 2)

export default {
  nodeName: (i) => (i === 0 ? 'server' : `client${i}`),
  script: fileURLToPath(new URL('./impl/clock-node.js', import.meta.url)),
  args: (i, _dataDir, ports = []) =>
    i === 0 ? ['--role', 'server'] : ['--role', 'client', '--id', String(i - 1), '--server-port', String(ports[0]), '--offset-ms', String(bootOffsetMs(i)), '--poll-ms', '200'],
} satisfies Servable
