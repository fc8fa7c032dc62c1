// Paxos messages as they cross the network: whatever arrives is checked before a core sees
// it, so a malformed or hostile frame is answered with an error instead of corrupting a node.
// `refused` is the acceptor's answer when its core refuses a message (a nack carrying its
// promise, so that a proposer can move to a higher ballot instead of waiting).

import type { PaxosMessage } from './messages.js'

export interface Refusal {
  readonly type: 'refused'
  readonly reason: string
  readonly maxBal: number
}

export type WireMessage = PaxosMessage | Refusal

const isBallot = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min
const isValue = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 1024

/** The message `raw` is, or null if it is not a well-formed Paxos message. */
export function parseMessage(raw: unknown): WireMessage | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case '1a':
      return isBallot(m.bal) ? { type: '1a', bal: m.bal } : null
    case '1b':
      return isBallot(m.acc) && isBallot(m.bal) && isBallot(m.mbal, -1) && (m.mval === null || isValue(m.mval))
        ? { type: '1b', acc: m.acc, bal: m.bal, mbal: m.mbal, mval: m.mval }
        : null
    case '2a':
      return isBallot(m.bal) && isValue(m.val) ? { type: '2a', bal: m.bal, val: m.val } : null
    case '2b':
      return isBallot(m.acc) && isBallot(m.bal) && isValue(m.val) ? { type: '2b', acc: m.acc, bal: m.bal, val: m.val } : null
    case 'refused':
      return typeof m.reason === 'string' && isBallot(m.maxBal, -1) ? { type: 'refused', reason: m.reason, maxBal: m.maxBal } : null
    default:
      return null
  }
}

/** The Paxos instance a frame is for: its `key` (a short non-empty string), '' when it has
 * none (the single decree), or null when the key is malformed. */
export function instanceKey(raw: unknown): string | null {
  const key = raw !== null && typeof raw === 'object' ? (raw as { key?: unknown }).key : undefined
  if (key === undefined) return ''
  return typeof key === 'string' && key.length > 0 && key.length <= 128 ? key : null
}
