// The view service as a sans-IO core: it decides the sequence of views (primary, backup) from
// the servers' pings and from its suspicion that a server is gone, as the primary/backup lab's
// viewservice does. Its one safety rule: it moves from view v to v+1 only once the primary of
// v has acknowledged v (pinged with v), so every view's primary has learned the view before,
// and a new primary is always the previous view's backup, which holds the state.
//
// Events, one per action of the model:
//   Ping(from, view)   a server pings, acknowledging `view` (the first server to ping becomes
//                      primary; the primary acknowledges the current view; once it has, an
//                      idle server becomes backup in a new view)
//   Suspect(server)    the service gives up on a server (missed pings): the primary is
//                      replaced by its backup, a backup is dropped; only once the view is acked
// A ping or suspicion that changes nothing is refused (the model has no such step); the
// node process answers every ping with the current view all the same.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { NIL, serverName, type ServerId } from './messages.js'

export interface ViewServiceState {
  readonly view: number
  readonly primary: ServerId
  readonly backup: ServerId
  /** Has the primary of `view` acknowledged it? */
  readonly acked: boolean
}

export type ViewServiceEvent =
  | { readonly type: 'Ping'; readonly from: ServerId; readonly view: number }
  | { readonly type: 'Suspect'; readonly server: ServerId }

export type ViewServiceTransition = Transition<ViewServiceState, never, never>

export const initialViewService = (): ViewServiceState => ({ view: 0, primary: NIL, backup: NIL, acked: false })

export function stepViewService(state: ViewServiceState, event: ViewServiceEvent): ViewServiceTransition {
  switch (event.type) {
    case 'Ping': {
      const { from, view } = event
      if (state.view === 0) return { state: { view: 1, primary: from, backup: NIL, acked: false }, effects: [] }
      if (from === state.primary) {
        if (view === state.view && !state.acked) return { state: produce(state, (d) => void (d.acked = true)), effects: [] }
        return refuse(`${serverName(from)}'s ping acknowledges view ${view}; view ${state.view} is ${state.acked ? 'acknowledged already' : 'not acknowledged by it'}`)
      }
      if (state.acked && state.backup === NIL) {
        return { state: { view: state.view + 1, primary: state.primary, backup: from, acked: false }, effects: [] }
      }
      return refuse(`${serverName(from)}'s ping changes nothing in view ${state.view}`)
    }
    case 'Suspect': {
      const { server } = event
      if (!state.acked) return refuse(`view ${state.view} is not acknowledged by its primary yet: the view cannot change`)
      if (server === state.primary && state.backup !== NIL) {
        return { state: { view: state.view + 1, primary: state.backup, backup: NIL, acked: false }, effects: [] }
      }
      if (server === state.backup && server !== NIL) {
        return { state: { view: state.view + 1, primary: state.primary, backup: NIL, acked: false }, effects: [] }
      }
      return refuse(`${serverName(server)} cannot be replaced in view ${state.view}`)
    }
  }
}
