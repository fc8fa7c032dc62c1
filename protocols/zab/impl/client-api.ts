// The ZooKeeper client API of a Zab server, over a key-value state machine (the delivered
// write transactions, applied in order):
//   { type: 'Write', key, value }  leader only: proposed, answered { ok, zxid } once delivered
//                                  here (committed by a quorum)
//   { type: 'Sync' }               leader only: a no-op transaction ordered like a write,
//                                  answered { ok, zxid } once delivered
//   { type: 'Read', key, after? }  any server: the value in its delivered state, once that
//                                  state includes zxid `after` (a Sync's), else { ok: false }
// As in ZooKeeper, a plain Read is sequentially consistent, not linearizable: the server may
// lag. A Read after a Sync reflects every write delivered before the Sync was proposed,
// because the Sync is committed by a quorum in the leader's epoch (a deposed leader cannot
// commit it). Refusals say { ok: false, leader } (nothing was done); a write or sync whose
// leader stepped down before delivering it is { ok: false, indeterminate: true }: it may
// still be committed by the next leader.

import type { Connection } from '../../../runtime/tcp.js'
import { lastZxid, zxidEqual, zxidLess, type LogEntry, type Txn, type Zxid } from './messages.js'
import type { ZabServerState } from './server.js'

export type ClientApiRequest =
  | { readonly type: 'Write'; readonly key: string; readonly value: string }
  | { readonly type: 'Sync' }
  | { readonly type: 'Read'; readonly key: string; readonly after?: Zxid }

/** How long a Read waits for its server to deliver `after`. */
const READ_WAIT_MS = 1000

interface Waiting {
  readonly zxid: Zxid
  readonly epoch: number
  readonly connection: Connection
}

interface WaitingRead {
  readonly request: { readonly key: string; readonly after: Zxid }
  readonly connection: Connection
  readonly until: number
}

const isZxid = (x: unknown): x is Zxid => typeof x === 'object' && x !== null && Number.isInteger((x as Zxid).epoch) && Number.isInteger((x as Zxid).counter)
const isKey = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 256

export class ClientApi {
  private proposals: Waiting[] = []
  private reads: WaitingRead[] = []

  /** `propose`: the server's Request step with this content; the zxid, or null if refused. */
  constructor(private readonly propose: (txn: Txn) => Zxid | null) {}

  handles(request: { type: string }): boolean {
    return request.type === 'Write' || request.type === 'Sync' || request.type === 'Read'
  }

  handle(connection: Connection, raw: ClientApiRequest, state: ZabServerState, established: boolean) {
    const request = raw as Record<string, unknown>
    if (request.type === 'Read') {
      if (!isKey(request.key) || (request.after !== undefined && !isZxid(request.after))) return void connection.send({ ok: false, reason: 'a Read needs a key and may name a zxid `after`' })
      const after = (request.after as Zxid | undefined) ?? { epoch: 0, counter: 0 }
      this.reads.push({ request: { key: request.key, after }, connection, until: Date.now() + READ_WAIT_MS })
      return this.changed(state, established)
    }
    if (request.type === 'Write' && (!isKey(request.key) || typeof request.value !== 'string')) return void connection.send({ ok: false, reason: 'a Write needs a key and a string value' })
    if (!established) {
      const leader = state.role === 'following' ? state.leader : null
      return void connection.send({ ok: false, leader, reason: `server${state.id + 1} is not an established leader` })
    }
    const txn: Txn = request.type === 'Write' ? { kind: 'write', key: request.key as string, value: request.value as string } : { kind: 'sync' }
    const zxid = this.propose(txn)
    if (zxid === null) return void connection.send({ ok: false, leader: null, reason: `server${state.id + 1} cannot propose yet` })
    this.proposals.push({ zxid: { epoch: zxid.epoch, counter: zxid.counter }, epoch: state.acceptedEpoch, connection })
  }

  /** After every step of the server (and every tick): answer what can be answered. */
  changed(state: ZabServerState, established: boolean) {
    const last = lastZxid(state.delivered)
    this.proposals = this.proposals.filter((w) => {
      if (delivers(state.delivered, w.zxid)) return void w.connection.send({ ok: true, zxid: w.zxid })
      if (!established || state.acceptedEpoch !== w.epoch) return void w.connection.send({ ok: false, indeterminate: true, reason: `server${state.id + 1} stopped leading epoch ${w.epoch}` })
      return !w.connection.closed
    })
    const now = Date.now()
    this.reads = this.reads.filter((r) => {
      if (!zxidLess(last, r.request.after)) return void r.connection.send({ ok: true, value: valueOf(state.delivered, r.request.key) })
      if (now >= r.until) return void r.connection.send({ ok: false, reason: `server${state.id + 1} has not delivered ⟨${r.request.after.epoch}, ${r.request.after.counter}⟩` })
      return !r.connection.closed
    })
  }
}

function delivers(delivered: readonly LogEntry[], zxid: Zxid): boolean {
  for (let i = delivered.length - 1; i >= 0 && !zxidLess(delivered[i], zxid); i--) if (zxidEqual(delivered[i], zxid)) return true
  return false
}

/** The key's value in the state machine: its last delivered write (null: none). */
export function valueOf(delivered: readonly LogEntry[], key: string): string | null {
  for (let i = delivered.length - 1; i >= 0; i--) {
    const txn = delivered[i].txn
    if (txn?.kind === 'write' && txn.key === key) return txn.value
  }
  return null
}
