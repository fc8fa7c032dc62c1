// The GFS client appending records to the chunk, as a sans-IO core (GFS paper, 3.3). It appends
// records 1, 2, ... in turn: it sends the record to the primary, learns the offset the primary
// chose and the replicas it goes to, and counts the append successful once every one of them
// acknowledged; a failed attempt (some replica never acknowledged, noticed by a timeout) is
// retried with the same record. It remembers, for each successful record, the offset it was
// told and the replicas that acknowledged it.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, Message, ReplicaId, ToClient } from './messages.js'

export interface Appended {
  readonly rec: number
  readonly offset: number
  readonly ackedBy: readonly boolean[]
}

export interface ClientState {
  /** The record being appended (0: none). */
  readonly rec: number
  /** The attempt's offset and replicas once the primary accepted it (-1: not yet). */
  readonly offset: number
  readonly members: readonly boolean[]
  readonly acked: readonly boolean[]
  /** Attempts made, retries included. */
  readonly attempts: number
  readonly appended: readonly Appended[]
}

export type ClientEvent =
  /** Append the next record, or retry the one whose attempt failed, through this primary. */
  | { readonly type: 'Append'; readonly primary: ReplicaId }
  | { readonly type: 'Receive'; readonly message: ToClient }

export interface ClientConfig {
  readonly replicas: number
}

export const initialClient = (config: ClientConfig): ClientState => ({
  rec: 0,
  offset: -1,
  members: Array.from({ length: config.replicas }, () => false),
  acked: Array.from({ length: config.replicas }, () => false),
  attempts: 0,
  appended: [],
})

type Step = Transition<ClientState, Address, Message>

const finished = (d: { rec: number; offset: number; members: boolean[]; acked: boolean[]; appended: Appended[] }) => {
  d.appended.push({ rec: d.rec, offset: d.offset, ackedBy: [...d.acked] })
  d.rec = 0
  d.offset = -1
  d.members = d.members.map(() => false)
  d.acked = d.acked.map(() => false)
}

export function stepClient(config: ClientConfig, state: ClientState, event: ClientEvent): Step {
  if (event.type === 'Append') {
    const p = event.primary
    if (!Number.isInteger(p) || p < 0 || p >= config.replicas) return refuse(`no replica ${p}`)
    // A new record when idle; otherwise the attempt timed out: the same record again.
    const rec = state.rec === 0 ? state.appended.length + 1 : state.rec
    return {
      state: produce(state, (d) => {
        d.rec = rec
        d.offset = -1
        d.attempts += 1
      }),
      effects: [{ to: { replica: p }, message: { type: 'AppendRequest', rec } }],
    }
  }
  const m = event.message
  if (m.rec !== state.rec || state.rec === 0) return refuse(`no append of record ${m.rec} in progress`)
  if (m.type === 'AppendAccepted') {
    if (state.offset !== -1) return refuse('this attempt was accepted already')
    if (m.members.length !== config.replicas) return refuse('the accepted append must name every replica')
    return {
      state: produce(state, (d) => {
        d.offset = m.offset
        d.members = [...m.members]
        d.acked = m.members.map((_, x) => x === m.replica)
        if (d.members.every((member, x) => !member || d.acked[x])) finished(d)
      }),
      effects: [],
    }
  }
  if (m.offset !== state.offset || !state.members[m.replica]) return refuse(`an acknowledgement of another attempt from replica${m.replica + 1}`)
  return {
    state: produce(state, (d) => {
      d.acked[m.replica] = true
      if (d.members.every((member, x) => !member || d.acked[x])) finished(d)
    }),
    effects: [],
  }
}
