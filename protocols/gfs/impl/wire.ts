// gfs messages as they cross the network: whatever arrives is checked before a core sees it, so
// that a malformed or hostile frame is dropped instead of corrupting a node.

import type { ToChunkserver, ToClient } from './messages.js'

/** Chunkserver -> master, first on its connection: which replica this connection is, and the
 * chunk version it holds (its report on start). */
export interface Register {
  readonly type: 'Register'
  readonly replica: number
  readonly version: number
}

/** Master -> chunkserver, on registering: the shared clock (tick 0 at `epoch` ms, one tick every
 * `tickMs` ms). */
export interface Welcome {
  readonly type: 'Welcome'
  readonly epoch: number
  readonly tickMs: number
}

/** Client -> master: where is the chunk (the primary, the replicas it may read). */
export interface Locate {
  readonly type: 'Locate'
}

/** Client -> chunkserver: the replica's contents. */
export interface Read {
  readonly type: 'Read'
}

/** Anyone -> any node: report your state (for tests and operators). */
export interface Inspect {
  readonly type: 'Inspect'
}

const isIndex = (x: unknown, below: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < below
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 1_000_000_000
const isFlags = (x: unknown, length: number): x is boolean[] => Array.isArray(x) && x.length === length && x.every((b) => typeof b === 'boolean')

/** What the master accepts. */
export function parseAtMaster(raw: unknown, replicas: number): Register | Locate | Inspect | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'Register':
      return isIndex(m.replica, replicas) && isCount(m.version) ? { type: 'Register', replica: m.replica, version: m.version } : null
    case 'Locate':
    case 'Inspect':
      return { type: m.type }
    default:
      return null
  }
}

/** What a chunkserver accepts: the master's grant, version and clock, a client's append or
 * read, a primary's forwarded write, a secondary's acknowledgement, an inspection. */
export function parseAtChunkserver(raw: unknown, replicas: number): ToChunkserver | Welcome | Read | Inspect | Extract<ToClient, { type: 'Ack' }> | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'Welcome':
      return Number.isSafeInteger(m.epoch) && (m.epoch as number) >= 0 && isCount(m.tickMs) && m.tickMs > 0 ? { type: 'Welcome', epoch: m.epoch as number, tickMs: m.tickMs } : null
    case 'Grant':
      return isCount(m.expires) && isFlags(m.members, replicas) ? { type: 'Grant', expires: m.expires, members: m.members } : null
    case 'SetVersion':
      return isCount(m.version) ? { type: 'SetVersion', version: m.version } : null
    case 'AppendRequest':
      return isCount(m.rec) && m.rec > 0 ? { type: 'AppendRequest', rec: m.rec } : null
    case 'Forward':
      return isCount(m.offset) && m.offset < 100_000 && isCount(m.rec) && m.rec > 0 ? { type: 'Forward', offset: m.offset, rec: m.rec } : null
    case 'Ack':
      return isIndex(m.replica, replicas) && isCount(m.rec) && isCount(m.offset) ? { type: 'Ack', replica: m.replica, rec: m.rec, offset: m.offset } : null
    case 'Read':
    case 'Inspect':
      return { type: m.type }
    default:
      return null
  }
}

/** What the client accepts from a chunkserver. */
export function parseAtClient(raw: unknown, replicas: number): ToClient | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  if (m.type === 'AppendAccepted') {
    return isIndex(m.replica, replicas) && isCount(m.rec) && isCount(m.offset) && isFlags(m.members, replicas)
      ? { type: 'AppendAccepted', replica: m.replica, rec: m.rec, offset: m.offset, members: m.members }
      : null
  }
  if (m.type === 'Ack') {
    return isIndex(m.replica, replicas) && isCount(m.rec) && isCount(m.offset) ? { type: 'Ack', replica: m.replica, rec: m.rec, offset: m.offset } : null
  }
  return null
}
