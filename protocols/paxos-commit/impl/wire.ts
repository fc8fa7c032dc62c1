// Paxos Commit messages as they cross the network: whatever arrives is checked field by field
// before a core sees it, so a malformed or hostile frame is answered with an error instead of
// corrupting a node. `refused` is an acceptor's answer when its core refuses a message.

import type { PaxosCommitMessage } from './messages.js'

export interface Refusal {
  readonly type: 'refused'
  readonly reason: string
}

export type WireMessage = PaxosCommitMessage | Refusal

const isId = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x < 1_000_000
const isBallot = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min
const isVote = (x: unknown): x is 'prepared' | 'aborted' => x === 'prepared' || x === 'aborted'

/** The message `raw` is, or null if it is not a well-formed Paxos Commit message. */
export function parseMessage(raw: unknown): WireMessage | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null
  const m = raw as Record<string, unknown>
  switch (m.type) {
    case 'phase1a':
      return isId(m.ins) && isBallot(m.bal, 1) ? { type: 'phase1a', ins: m.ins, bal: m.bal } : null
    case 'phase1b':
      return isId(m.ins) && isBallot(m.mbal) && isBallot(m.bal, -1) && (isVote(m.val) || m.val === 'none') && isId(m.acc)
        ? { type: 'phase1b', ins: m.ins, mbal: m.mbal, bal: m.bal, val: m.val, acc: m.acc }
        : null
    case 'phase2a':
      return isId(m.ins) && isBallot(m.bal) && isVote(m.val) ? { type: 'phase2a', ins: m.ins, bal: m.bal, val: m.val } : null
    case 'phase2b':
      return isId(m.acc) && isId(m.ins) && isBallot(m.bal) && isVote(m.val) ? { type: 'phase2b', acc: m.acc, ins: m.ins, bal: m.bal, val: m.val } : null
    case 'Commit':
    case 'Abort':
      return { type: m.type }
    case 'refused':
      return typeof m.reason === 'string' ? { type: 'refused', reason: m.reason } : null
    default:
      return null
  }
}
