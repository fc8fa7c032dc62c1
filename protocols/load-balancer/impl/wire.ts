// The load balancer's messages as they cross the network: every frame a node receives is
// checked here before a core sees it, and a frame that is not a well-formed message of the
// kind that node expects is dropped (the node logs nothing and keeps serving).

import type { BackendReply, BackendRequest, ClientAnswer, ClientRequest, StoreAnswer, StoreRequest } from './messages.js'

type Fields = Record<string, unknown>

const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x)
const isKey = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 256
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0

export function parseClientRequest(raw: unknown): ClientRequest | null {
  if (!isObject(raw) || raw.type !== 'Request' || !isKey(raw.key) || !isCount(raw.attempt)) return null
  return { type: 'Request', key: raw.key, attempt: raw.attempt }
}

export function parseClientAnswer(raw: unknown): ClientAnswer | null {
  if (!isObject(raw) || !isKey(raw.key) || !isCount(raw.attempt)) return null
  if (raw.type === 'Answer') return { type: 'Answer', key: raw.key, attempt: raw.attempt }
  if (raw.type === 'Failed' && typeof raw.reason === 'string') return { type: 'Failed', key: raw.key, attempt: raw.attempt, reason: raw.reason }
  return null
}

export function parseBackendRequest(raw: unknown): BackendRequest | null {
  if (!isObject(raw)) return null
  if (raw.type === 'Probe') return { type: 'Probe' }
  if (raw.type === 'Work' && isKey(raw.key) && isCount(raw.attempt)) return { type: 'Work', key: raw.key, attempt: raw.attempt }
  return null
}

export function parseBackendReply(raw: unknown): BackendReply | null {
  if (!isObject(raw) || !isCount(raw.backend)) return null
  if (raw.type === 'Healthy') return { type: 'Healthy', backend: raw.backend }
  if (raw.type === 'Reply' && isKey(raw.key) && isCount(raw.attempt) && typeof raw.ok === 'boolean') {
    return { type: 'Reply', backend: raw.backend, key: raw.key, attempt: raw.attempt, ok: raw.ok }
  }
  return null
}

export function parseStoreRequest(raw: unknown): StoreRequest | null {
  if (!isObject(raw) || !isKey(raw.key) || !isCount(raw.backend)) return null
  if (raw.type === 'Claim' || raw.type === 'Lookup' || raw.type === 'Complete') return { type: raw.type, key: raw.key, backend: raw.backend }
  return null
}

export function parseStoreAnswer(raw: unknown): StoreAnswer | null {
  if (!isObject(raw) || raw.type !== 'KeyState' || !isKey(raw.key)) return null
  if (raw.state === 'go' || raw.state === 'done' || raw.state === 'busy') return { type: 'KeyState', key: raw.key, state: raw.state }
  return null
}

/** The store's answer to `{ type: 'Stats' }`: completions per key (how often each request ran). */
export interface StoreStats {
  readonly type: 'Stats'
  readonly completions: Readonly<Record<string, number>>
}

export function parseStoreStats(raw: unknown): StoreStats | null {
  if (!isObject(raw) || raw.type !== 'Stats' || !isObject(raw.completions)) return null
  const completions: Record<string, number> = {}
  for (const [key, n] of Object.entries(raw.completions)) {
    if (!isCount(n)) return null
    completions[key] = n
  }
  return { type: 'Stats', completions }
}
