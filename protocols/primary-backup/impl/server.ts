// A primary/backup server as a sans-IO core (the lab's pbservice): it holds the register's
// value and the view it last learned from the view service. As primary it sends its whole
// state to a new backup, forwards every client operation to its backup and answers the
// client only once the backup has taken it; as backup it takes state and operations only for
// the view it holds, so a primary the view service has replaced can no longer get an answer.
//
// Events, one per action of the model:
//   Learn(view)              the view service's answer to a ping: a newer view is adopted; a
//                            primary with a backup sends it Transfer (its whole state)
//   Receive(Transfer)        the backup of that view takes the state and confirms (TransferOk)
//   Receive(TransferOk)      the primary's backup is in step: it may ack the view and serve
//   Request(request)         a client operation reaches the primary, which forwards it
//   Receive(Forward)         the backup of that view applies a write (a read just checks that
//                            it is still the backup) and answers ForwardOk; a late copy of a
//                            write older than the last it applied is answered, not applied
//   Serve(request, ok)       the primary answers the client: with its backup's ForwardOk for
//                            that operation, or at once when its view has no backup
//
// pingView is what the server's pings acknowledge: a primary acknowledges its view only once
// its backup has confirmed the state transfer.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { NIL, serverName, type ClientReply, type ClientRequest, type PrimaryBackupBug, type ServerId, type ServerMessage, type ViewInfo } from './messages.js'

export interface ServerState {
  readonly id: ServerId
  readonly view: number
  readonly primary: ServerId
  readonly backup: ServerId
  readonly value: number
  /** The client operation (seq) of the last write this server applied: a later copy of an
   * older write is not applied again (the lab's duplicate detection; it travels with the state). */
  readonly seen: number
  /** Primary: its backup confirmed the state transfer of this view. Backup: it received it. */
  readonly synced: boolean
  /** The client operation (seq) this primary has forwarded in this view, 0 for none. */
  readonly forwarded: number
}

export type ServerEvent =
  | { readonly type: 'Learn'; readonly view: ViewInfo }
  | { readonly type: 'Receive'; readonly message: ServerMessage }
  | { readonly type: 'Request'; readonly request: ClientRequest }
  | { readonly type: 'Serve'; readonly request: ClientRequest; readonly ok: ServerMessage | null }

export interface ServerConfig {
  readonly bug?: PrimaryBackupBug
}

/** Effects go to a server, or to the client ('client'). */
export type ServerTransition = Transition<ServerState, ServerId | 'client', ServerMessage | ClientReply>

export const initialServer = (id: ServerId): ServerState => ({ id, view: 0, primary: NIL, backup: NIL, value: 0, seen: 0, synced: false, forwarded: 0 })

export const isPrimary = (s: ServerState) => s.view > 0 && s.primary === s.id
export const isBackup = (s: ServerState) => s.view > 0 && s.backup === s.id

/** The view this server's pings acknowledge. */
export function pingView(config: ServerConfig, s: ServerState): number {
  const waiting = s.primary === s.id && s.backup !== NIL && !s.synced
  return waiting && config.bug !== 'ack-before-transfer' ? s.view - 1 : s.view
}

/** Does this primary answer `request` without its backup? */
const direct = (config: ServerConfig, s: ServerState, request: ClientRequest) => s.backup === NIL || (request.op === 'read' && config.bug === 'local-reads')

export function stepServer(config: ServerConfig, state: ServerState, event: ServerEvent): ServerTransition {
  const name = serverName(state.id)
  switch (event.type) {
    case 'Learn': {
      const v = event.view
      if (v.view <= state.view) return refuse(`${name} holds view ${state.view} already, not older than ${v.view}`)
      const next = produce(state, (d) => {
        d.view = v.view
        d.primary = v.primary
        d.backup = v.backup
        d.synced = false
        d.forwarded = 0
      })
      const transfer = v.primary === state.id && v.backup !== NIL
      return { state: next, effects: transfer ? [{ to: v.backup, message: { type: 'Transfer', view: v.view, value: state.value, seen: state.seen } }] : [] }
    }
    case 'Receive': {
      const m = event.message
      switch (m.type) {
        case 'Transfer':
          if (!isBackup(state) || m.view !== state.view) return refuse(`${name} is not the backup of view ${m.view}`)
          return {
            state: produce(state, (d) => {
              d.value = m.value
              d.seen = m.seen
              d.synced = true
            }),
            effects: [{ to: state.primary, message: { type: 'TransferOk', view: m.view } }],
          }
        case 'TransferOk':
          if (!isPrimary(state) || m.view !== state.view || state.backup === NIL) return refuse(`${name} is not a primary with a backup in view ${m.view}`)
          if (state.synced) return refuse(`${name}'s backup has confirmed the transfer already`)
          return { state: produce(state, (d) => void (d.synced = true)), effects: [] }
        case 'Forward':
          if (!isBackup(state) || m.view !== state.view) return refuse(`${name} is not the backup of view ${m.view}`)
          if (!state.synced) return refuse(`${name} has not received the state of view ${m.view} yet`)
          return {
            state:
              m.op === 'write' && m.seq > state.seen
                ? produce(state, (d) => {
                    d.value = m.value
                    d.seen = m.seq
                  })
                : state,
            effects: [{ to: state.primary, message: { type: 'ForwardOk', view: m.view, seq: m.seq } }],
          }
        case 'ForwardOk':
          return refuse(`${name} takes a ForwardOk only when it answers its client (Serve)`)
      }
      break
    }
    case 'Request': {
      const r = event.request
      if (!isPrimary(state)) return refuse(`${name} is not primary`)
      if (direct(config, state, r)) return refuse(`${name} answers this operation itself, without its backup`)
      if (!state.synced) return refuse(`${name}'s backup has not confirmed the state transfer`)
      if (state.forwarded === r.seq) return refuse(`${name} has forwarded operation ${r.seq} already`)
      return {
        state: produce(state, (d) => void (d.forwarded = r.seq)),
        effects: [{ to: state.backup, message: { type: 'Forward', view: state.view, seq: r.seq, op: r.op, value: r.value } }],
      }
    }
    case 'Serve': {
      const { request: r, ok } = event
      if (!isPrimary(state)) return refuse(`${name} is not primary`)
      if (!direct(config, state, r)) {
        if (ok === null || ok.type !== 'ForwardOk' || ok.view !== state.view || ok.seq !== r.seq) return refuse(`${name} has no answer from its backup for operation ${r.seq} in view ${state.view}`)
      } else if (ok !== null) return refuse(`${name} answers operation ${r.seq} without its backup`)
      const reply: ClientReply = { type: 'Reply', seq: r.seq, op: r.op, value: r.op === 'write' ? r.value : state.value }
      return {
        state:
          r.op === 'write'
            ? produce(state, (d) => {
                d.value = r.value
                d.seen = r.seq
              })
            : state,
        effects: [{ to: 'client', message: reply }],
      }
    }
  }
}
