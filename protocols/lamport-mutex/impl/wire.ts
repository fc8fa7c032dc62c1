// What crosses the network, checked before a core sees it: a malformed or hostile frame is
// dropped instead of corrupting a process. Peers send { from, type, clock? }; clients send
// { type: 'Acquire' | 'Release' | 'Inspect' } on a connection of their own.

import type { MutexMessage, ProcessId } from './messages.js'

export interface PeerMessage {
  readonly from: ProcessId
  readonly message: MutexMessage
}

export type ClientRequest = { readonly type: 'Acquire' } | { readonly type: 'Release' } | { readonly type: 'Inspect' }

const isProcess = (x: unknown, processes: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < processes

/** The peer message `raw` is, for process `self` of `processes`, or null if it is not one. */
export function parsePeerMessage(raw: unknown, self: ProcessId, processes: number): PeerMessage | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null
  const m = raw as Record<string, unknown>
  if (!isProcess(m.from, processes) || m.from === self) return null
  switch (m.type) {
    case 'req':
      return typeof m.clock === 'number' && Number.isSafeInteger(m.clock) && m.clock >= 1 ? { from: m.from, message: { type: 'req', clock: m.clock } } : null
    case 'ack':
    case 'rel':
      return { from: m.from, message: { type: m.type } }
    default:
      return null
  }
}

/** The client request `raw` is, or null. */
export function parseClientRequest(raw: unknown): ClientRequest | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null
  const type = (raw as Record<string, unknown>).type
  return type === 'Acquire' || type === 'Release' || type === 'Inspect' ? { type } : null
}
