// A chunkserver holding one replica of the chunk, as a sans-IO core (GFS paper, 3.1 and 3.3).
// It keeps the chunk's version and contents (record ids; 0 is padding), and, while it holds the
// lease, the lease's expiry and members. As primary it takes a client's record append at the end
// of its replica and forwards the record with that offset to the other members; as secondary it
// writes a forwarded record at exactly that offset (padding a gap a failed attempt left) and
// acknowledges. A crash stops it (its disk stays); on restart it reports its chunk version to the
// master. Bug switches: append-at-own-end (a secondary writes at the end of its own replica),
// reply-before-replicas (the primary tells the client the append went to itself alone, so the
// client counts it successful before any secondary wrote it).

import { produce } from 'immer'
import { refuse, type Send, type Transition } from '../../../conformance/transition.js'
import type { Address, GfsBug, Message, ReplicaId, ToChunkserver } from './messages.js'

export interface ChunkserverState {
  readonly id: ReplicaId
  readonly now: number
  readonly up: boolean
  readonly version: number
  /** Its lease's expiry (0: it was never primary); primary while now < lease. */
  readonly lease: number
  readonly members: readonly boolean[]
  readonly data: readonly number[]
}

export type ChunkserverEvent =
  | { readonly type: 'Tick' }
  | { readonly type: 'Receive'; readonly message: ToChunkserver }
  | { readonly type: 'Crash' }
  | { readonly type: 'Restart' }

export interface ChunkserverConfig {
  readonly replicas: number
  readonly bug?: GfsBug
}

export const initialChunkserver = (config: ChunkserverConfig, id: ReplicaId): ChunkserverState => ({
  id,
  now: 0,
  up: true,
  version: 0,
  lease: 0,
  members: Array.from({ length: config.replicas }, () => false),
  data: [],
})

type Step = Transition<ChunkserverState, Address, Message>

export function stepChunkserver(config: ChunkserverConfig, state: ChunkserverState, event: ChunkserverEvent): Step {
  const me = state.id
  switch (event.type) {
    case 'Tick':
      return { state: produce(state, (d) => void (d.now += 1)), effects: [] }
    case 'Crash':
      if (!state.up) return refuse(`replica${me + 1} is down already`)
      return { state: produce(state, (d) => void (d.up = false)), effects: [] }
    case 'Restart':
      if (state.up) return refuse(`replica${me + 1} is up`)
      return {
        state: produce(state, (d) => void (d.up = true)),
        effects: [{ to: 'master', message: { type: 'Report', replica: me, version: state.version } }],
      }
    case 'Receive':
      break
  }
  if (!state.up) return refuse(`replica${me + 1} is down`)
  const message = event.message
  switch (message.type) {
    case 'SetVersion':
      return { state: produce(state, (d) => void (d.version = message.version)), effects: [] }
    case 'Grant':
      if (message.members.length !== config.replicas) return refuse('a grant must name every replica')
      return {
        state: produce(state, (d) => {
          d.lease = message.expires
          d.members = [...message.members]
        }),
        effects: [],
      }
    case 'AppendRequest': {
      if (state.lease <= state.now) return refuse(`replica${me + 1} holds no lease`)
      const offset = state.data.length
      const effects: Send<Address, Message>[] = [
        { to: 'client', message: { type: 'AppendAccepted', replica: me, rec: message.rec, offset, members: config.bug === 'reply-before-replicas' ? state.members.map((_, x) => x === me) : state.members } },
      ]
      state.members.forEach((member, x) => {
        if (member && x !== me) effects.push({ to: { replica: x }, message: { type: 'Forward', offset, rec: message.rec } })
      })
      return { state: produce(state, (d) => void d.data.push(message.rec)), effects }
    }
    case 'Forward': {
      const at = config.bug === 'append-at-own-end' ? state.data.length : message.offset
      return {
        state: produce(state, (d) => {
          while (d.data.length < at) d.data.push(0)
          d.data[at] = message.rec
        }),
        effects: [{ to: 'client', message: { type: 'Ack', replica: me, rec: message.rec, offset: message.offset } }],
      }
    }
  }
}
