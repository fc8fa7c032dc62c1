// What a Raft server accepts on its port, checked with ajv before anything reaches the core or
// the key-value store: a malformed or hostile frame (null, a partition list that is not ids,
// a message without fields, entries of null) is answered with an error or dropped, and the
// server keeps running.

import { Ajv, type ValidateFunction } from 'ajv'
import type { PutCommand } from './kv.js'
import type { RaftMessage, ServerId } from './messages.js'

export type Request =
  /** round: the leader's read-index heartbeat round (server-node.ts), on AppendEntries only. */
  | { kind: 'raft'; message: RaftMessage<PutCommand>; round?: number }
  | { kind: 'put'; id: string; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'status' }
  | { kind: 'partition'; blocked: ServerId[] }

const natural = { type: 'integer', minimum: 0 } as const
const text = { type: 'string', maxLength: 4096 } as const
const envelope = (type: string, fields: Record<string, object>) => ({
  type: 'object',
  required: ['type', 'term', 'from', 'to', ...Object.keys(fields)],
  properties: { type: { const: type }, term: natural, from: natural, to: natural, ...fields },
})
const command = { type: 'object', required: ['id', 'key', 'value'], properties: { id: text, key: text, value: text } }

const requestSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'message'],
      properties: {
        kind: { const: 'raft' },
        round: natural,
        message: {
          oneOf: [
            envelope('RequestVoteRequest', { lastLogTerm: natural, lastLogIndex: natural }),
            envelope('RequestVoteResponse', { voteGranted: { type: 'boolean' } }),
            envelope('AppendEntriesRequest', {
              prevLogIndex: natural,
              prevLogTerm: natural,
              commitIndex: natural,
              entries: { type: 'array', items: { type: 'object', required: ['term', 'value'], properties: { term: natural, value: command } } },
            }),
            envelope('AppendEntriesResponse', { success: { type: 'boolean' }, matchIndex: natural }),
          ],
        },
      },
    },
    { type: 'object', required: ['kind', 'id', 'key', 'value'], properties: { kind: { const: 'put' }, id: text, key: text, value: text } },
    { type: 'object', required: ['kind', 'key'], properties: { kind: { const: 'get' }, key: text } },
    { type: 'object', required: ['kind'], properties: { kind: { const: 'status' } } },
    { type: 'object', required: ['kind', 'blocked'], properties: { kind: { const: 'partition' }, blocked: { type: 'array', items: natural } } },
  ],
}

let valid: ValidateFunction | undefined

/** The request `raw` is, or null if it is not one a server accepts. Server ids must also be
 * below `servers`. */
export function parseRequest(raw: unknown, servers: number): Request | null {
  valid ??= new Ajv({ strict: false }).compile(requestSchema)
  if (!valid(raw)) return null
  const request = raw as Request
  if (request.kind === 'raft' && (request.message.from >= servers || request.message.to >= servers)) return null
  if (request.kind === 'partition' && request.blocked.some((b) => b >= servers)) return null
  return request
}
