// What crosses the network, checked before a core sees it: a malformed or hostile frame is
// dropped (and logged) instead of corrupting a node. Besides the protocol's request and
// response, any node answers { type: 'status' } with its state, for operators and tests.

import type { Hlc } from './hlc.js'
import type { TimeRequest, TimeResponse } from './messages.js'

const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x)
const isHlc = (x: unknown): x is Hlc => {
  if (x === null || typeof x !== 'object') return false
  const h = x as Record<string, unknown>
  return isTime(h.l) && isTime(h.c) && h.c >= 0
}
const isClient = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 1 << 20

export type Incoming = TimeRequest | TimeResponse | { readonly type: 'status' }

/** The message `raw` is, or null if it is not well formed. */
export function parseIncoming(raw: unknown): Incoming | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'request':
      return isClient(m.client) && isTime(m.t1) && isHlc(m.hlc) ? { type: 'request', client: m.client, t1: m.t1, hlc: { l: m.hlc.l, c: m.hlc.c } } : null
    case 'response':
      return isClient(m.client) && isTime(m.t1) && isTime(m.t2) && isTime(m.t3) && isHlc(m.hlc)
        ? { type: 'response', client: m.client, t1: m.t1, t2: m.t2, t3: m.t3, hlc: { l: m.hlc.l, c: m.hlc.c } }
        : null
    case 'status':
      return { type: 'status' }
    default:
      return null
  }
}
