// What crosses the network, checked before a core sees it: a malformed or hostile frame is
// dropped instead of corrupting a node. Servers send each other { from, message } with a
// ServerMessage; servers ping the view service with { type: 'Ping', from, view }; clients
// send { type: 'GetView' } to the view service and { type: 'Put', value } / { type: 'Get' }
// / { type: 'Inspect' } to a server.

import type { ServerId, ServerMessage } from './messages.js'

export type ViewServiceRequest = { readonly type: 'Ping'; readonly from: ServerId; readonly view: number } | { readonly type: 'GetView' }
export type ServerClientRequest = { readonly type: 'Put'; readonly value: number } | { readonly type: 'Get' } | { readonly type: 'Inspect' }

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x)
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
const isServer = (x: unknown, servers: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < servers

/** The server message `raw` is, from a peer of server `self` among `servers`, or null. */
export function parsePeerMessage(raw: unknown, self: ServerId, servers: number): { from: ServerId; message: ServerMessage } | null {
  if (!isObject(raw) || !isServer(raw.from, servers) || raw.from === self || !isObject(raw.message)) return null
  const m = raw.message
  if (!isCount(m.view) || m.view < 1) return null
  switch (m.type) {
    case 'Transfer':
      return isCount(m.value) && isCount(m.seen) ? { from: raw.from, message: { type: 'Transfer', view: m.view, value: m.value, seen: m.seen } } : null
    case 'TransferOk':
      return { from: raw.from, message: { type: 'TransferOk', view: m.view } }
    case 'Forward':
      if (!isCount(m.seq) || m.seq < 1 || !isCount(m.value) || (m.op !== 'write' && m.op !== 'read')) return null
      return { from: raw.from, message: { type: 'Forward', view: m.view, seq: m.seq, op: m.op, value: m.value } }
    case 'ForwardOk':
      return isCount(m.seq) && m.seq >= 1 ? { from: raw.from, message: { type: 'ForwardOk', view: m.view, seq: m.seq } } : null
    default:
      return null
  }
}

/** The view service request `raw` is, with `servers` servers, or null. */
export function parseViewServiceRequest(raw: unknown, servers: number): ViewServiceRequest | null {
  if (!isObject(raw)) return null
  if (raw.type === 'GetView') return { type: 'GetView' }
  if (raw.type === 'Ping' && isServer(raw.from, servers) && isCount(raw.view)) return { type: 'Ping', from: raw.from, view: raw.view }
  return null
}

/** The client request `raw` is, or null. */
export function parseClientRequest(raw: unknown): ServerClientRequest | null {
  if (!isObject(raw)) return null
  if (raw.type === 'Put') return isCount(raw.value) ? { type: 'Put', value: raw.value } : null
  if (raw.type === 'Get' || raw.type === 'Inspect') return { type: raw.type }
  return null
}
