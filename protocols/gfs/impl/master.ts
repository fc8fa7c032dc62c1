// The GFS master's part for one chunk, as a sans-IO core (GFS paper, 3.1 and 4.5). It grants
// the chunk lease to a replica it lists as current when no lease is in force, bumping the chunk
// version and telling every current replica; it stops listing a replica whose heartbeats stop;
// it lists a restarted replica again only if the version it reports is the master's (an older
// one is stale: never handed to a client, left for garbage collection). Bug switches:
// no-version-bump (grant without bumping), early-regrant (grant as soon as the primary is lost,
// before its lease expired).

import { produce } from 'immer'
import { refuse, type Send, type Transition } from '../../../conformance/transition.js'
import type { Address, GfsBug, Message, ReplicaId } from './messages.js'

export interface MasterState {
  readonly now: number
  readonly version: number
  /** The replica holding the lease it granted last (-1: none yet). */
  readonly primary: number
  readonly expires: number
  /** The replica locations handed to clients. */
  readonly current: readonly boolean[]
  /** Replicas whose loss it noticed. */
  readonly failures: number
}

export type MasterEvent =
  | { readonly type: 'Tick' }
  /** Grant the lease to this replica (the master's choice; the driver or the node picks). */
  | { readonly type: 'Grant'; readonly replica: ReplicaId }
  /** The replica's heartbeats stopped. */
  | { readonly type: 'ReplicaLost'; readonly replica: ReplicaId }
  /** A (restarted) replica reports the chunk version it holds. */
  | { readonly type: 'Report'; readonly replica: ReplicaId; readonly version: number }

export interface MasterConfig {
  readonly replicas: number
  readonly lease: number
  readonly bug?: GfsBug
}

export const initialMaster = (config: MasterConfig): MasterState => ({
  now: 0,
  version: 0,
  primary: -1,
  expires: 0,
  current: Array.from({ length: config.replicas }, () => true),
  failures: 0,
})

type Step = Transition<MasterState, Address, Message>

/** Whether a lease may be granted now. */
export function leaseFree(config: MasterConfig, state: MasterState): boolean {
  return state.primary === -1 || state.now >= state.expires || (config.bug === 'early-regrant' && !state.current[state.primary])
}

export function stepMaster(config: MasterConfig, state: MasterState, event: MasterEvent): Step {
  const known = (r: number) => Number.isInteger(r) && r >= 0 && r < config.replicas
  switch (event.type) {
    case 'Tick':
      return { state: produce(state, (d) => void (d.now += 1)), effects: [] }
    case 'Grant': {
      const r = event.replica
      if (!known(r)) return refuse(`no replica ${r}`)
      if (!leaseFree(config, state)) return refuse(`replica${state.primary + 1}'s lease runs until ${state.expires}`)
      if (!state.current[r]) return refuse(`replica${r + 1} is not a current replica`)
      const version = config.bug === 'no-version-bump' ? state.version : state.version + 1
      const expires = state.now + config.lease
      const effects: Send<Address, Message>[] = []
      state.current.forEach((current, x) => {
        if (current) effects.push({ to: { replica: x }, message: { type: 'SetVersion', version } })
      })
      effects.push({ to: { replica: r }, message: { type: 'Grant', expires, members: state.current } })
      return {
        state: produce(state, (d) => {
          d.version = version
          d.primary = r
          d.expires = expires
        }),
        effects,
      }
    }
    case 'ReplicaLost': {
      const r = event.replica
      if (!known(r)) return refuse(`no replica ${r}`)
      return {
        state: produce(state, (d) => {
          d.current[r] = false
          d.failures += 1
        }),
        effects: [],
      }
    }
    case 'Report': {
      const r = event.replica
      if (!known(r)) return refuse(`no replica ${r}`)
      return { state: produce(state, (d) => void (d.current[r] = event.version === state.version)), effects: [] }
    }
  }
}
