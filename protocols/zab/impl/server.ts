// A Zab server as a sans-IO core: step(config, state, event) -> { state, effects }. The rules
// are those of protocols/zab/model.ts, one handler per message or local event:
//
//   Nominate            a looking server sends its vote (and FOLLOWERINFO)
//   Lead(votes)         a looking server whose vote is the highest of a quorum's leads epoch max(a)+1
//   Receive Vote        a leader answers a latecomer with NEWEPOCH (the model's Join)
//   Receive NewEpoch    a looking server follows, acknowledging with ACKEPOCH
//   Receive AckEpoch    the leader sends NEWLEADER with its history (skip-sync: without it)
//   Receive NewLeader   the follower takes the history and the epoch, and acknowledges
//   Receive Ack         the leader records how far the follower has logged
//   Request             the leader proposes the next zxid of its epoch
//   Fetch / Proposal    the follower pulls the next proposal, logs it, acknowledges
//   CommitNext          the leader delivers its next zxid once a quorum has logged it
//   CommitQuery/Commit  the follower learns the leader's commit point, delivers its next zxid
//   Fsync               the log reaches the disk (pending only under ack-before-log)
//   Restart             crash recovery: the disk's log, and looking again
//
// Messages from another epoch than the receiver's are refused, as ZooKeeper drops them.

import { produce } from 'immer'
import { refuse, type Send, type Transition } from '../../../conformance/transition.js'
import { lastZxid, zxidEqual, zxidLess, type LogEntry, type ServerId, type Txn, type Vote, type ZabBug, type ZabMessage, type Zxid } from './messages.js'

export interface ZabServerState {
  readonly id: ServerId
  readonly role: 'looking' | 'following' | 'leading'
  /** Whom it follows, or itself when leading; 0 when looking. */
  readonly leader: ServerId
  readonly acceptedEpoch: number
  readonly currentEpoch: number
  /** The log in memory; its first `durable` entries are on disk. */
  readonly history: readonly LogEntry[]
  readonly durable: number
  /** A follower that has taken NEWLEADER. */
  readonly synced: boolean
  /** Leader only: the last zxid each follower acknowledged (null: none yet). */
  readonly acks: readonly (Zxid | null)[]
  /** The transactions applied to the state machine, in order; kept across crashes. */
  readonly delivered: readonly LogEntry[]
}

export type ZabEvent =
  | { readonly type: 'Nominate' }
  | { readonly type: 'Lead'; readonly votes: readonly Vote[] }
  /** A client's request: `txn`, its content, rides with the zxid (none in the model). */
  | { readonly type: 'Request'; readonly txn?: Txn }
  | { readonly type: 'CommitNext' }
  | { readonly type: 'Fetch' }
  | { readonly type: 'PollCommit' }
  | { readonly type: 'Fsync' }
  | { readonly type: 'Restart' }
  | { readonly type: 'Receive'; readonly message: ZabMessage }

export interface ZabConfig {
  readonly servers: number
  readonly bug?: ZabBug
}

type Step = Transition<ZabServerState, ServerId, ZabMessage>
type Effects = readonly Send<ServerId, ZabMessage>[]

export const initialServer = (id: ServerId, servers: number): ZabServerState => ({
  id,
  role: 'looking',
  leader: 0,
  acceptedEpoch: 0,
  currentEpoch: 0,
  history: [],
  durable: 0,
  synced: false,
  acks: Array.from({ length: servers }, () => null),
  delivered: [],
})

const quorumOf = (servers: number) => Math.floor(servers / 2) + 1
const took = (state: ZabServerState, effects: Effects = []): Step => ({ state, effects })

/** Vote order of fast leader election: currentEpoch, then last zxid, then id. */
export function voteBeats(a: Vote, b: Vote): boolean {
  if (a.currentEpoch !== b.currentEpoch) return a.currentEpoch > b.currentEpoch
  if (!zxidEqual(a.lastZxid, b.lastZxid)) return zxidLess(b.lastZxid, a.lastZxid)
  return a.from > b.from
}

export const voteOf = (s: ZabServerState): Vote => ({
  type: 'Vote',
  from: s.id,
  currentEpoch: s.currentEpoch,
  lastZxid: lastZxid(s.history),
  acceptedEpoch: s.acceptedEpoch,
})

/** Has a quorum (the leader included) acknowledged NEWLEADER? */
export function established(config: ZabConfig, s: ZabServerState): boolean {
  return s.role === 'leading' && 1 + s.acks.filter((a, f) => f !== s.id && a !== null).length >= quorumOf(config.servers)
}

/** The next zxid the leader may commit, if a quorum has logged it (the bug: its own log suffices). */
export function committable(config: ZabConfig, s: ZabServerState): Zxid | null {
  if (!established(config, s) || s.delivered.length >= s.history.length) return null
  const z = s.history[s.delivered.length]
  const acks = 1 + s.acks.filter((a, f) => f !== s.id && a !== null && !zxidLess(a, z)).length
  return acks >= (config.bug === 'commit-on-minority' ? 1 : quorumOf(config.servers)) ? z : null
}

export function stepServer(config: ZabConfig, s: ZabServerState, event: ZabEvent): Step {
  const name = `server${s.id + 1}`
  switch (event.type) {
    case 'Nominate':
      if (s.role !== 'looking') return refuse(`${name} is ${s.role}, not looking`)
      return took(s, Array.from({ length: config.servers }, (_, to) => to).filter((to) => to !== s.id).map((to) => ({ to, message: voteOf(s) })))

    case 'Lead': {
      if (s.role !== 'looking') return refuse(`${name} is ${s.role}, not looking`)
      const voters = new Set(event.votes.map((v) => v.from))
      if (!voters.has(s.id) || voters.size !== event.votes.length) return refuse('the votes must be distinct and include the candidate\'s own')
      if (voters.size < quorumOf(config.servers)) return refuse(`${voters.size} votes are not a quorum`)
      const mine = voteOf(s)
      if (event.votes.some((v) => v.from !== s.id && voteBeats(v, mine))) return refuse(`${name}'s vote is not the quorum's highest`)
      const epoch = Math.max(...event.votes.map((v) => v.acceptedEpoch)) + 1
      const next = produce(s, (d) => {
        d.role = 'leading'
        d.leader = s.id
        d.acceptedEpoch = epoch
        d.currentEpoch = epoch
        d.synced = false
        d.acks = s.acks.map(() => null)
      })
      return took(next, event.votes.filter((v) => v.from !== s.id).map((v) => ({ to: v.from, message: { type: 'NewEpoch', from: s.id, epoch } })))
    }

    case 'Request': {
      if (!established(config, s)) return refuse(`${name} is not an established leader`)
      const inherited = s.history.filter((z) => z.epoch < s.acceptedEpoch).length
      if (s.delivered.length < inherited) return refuse(`${name} has not yet delivered the history it inherited`)
      const last = lastZxid(s.history)
      const zxid = { epoch: s.acceptedEpoch, counter: last.epoch === s.acceptedEpoch ? last.counter + 1 : 1 }
      return took(produce(s, (d) => {
        d.history.push(event.txn ? { ...zxid, txn: event.txn } : zxid)
        d.durable = s.history.length + 1
      }))
    }

    case 'CommitNext': {
      const z = committable(config, s)
      if (!z) return refuse(`${name} has nothing a quorum has logged to commit`)
      return took(produce(s, (d) => void d.delivered.push(z)))
    }

    case 'Fetch':
      if (s.role !== 'following' || !s.synced) return refuse(`${name} is not a synchronised follower`)
      return took(s, [{ to: s.leader, message: { type: 'Fetch', from: s.id, epoch: s.acceptedEpoch, after: lastZxid(s.history) } }])

    case 'PollCommit':
      if (s.role !== 'following' || !s.synced) return refuse(`${name} is not a synchronised follower`)
      return took(s, [{ to: s.leader, message: { type: 'CommitQuery', from: s.id, epoch: s.acceptedEpoch } }])

    case 'Fsync':
      if (s.durable >= s.history.length) return refuse(`${name}'s log is already on disk`)
      return took(produce(s, (d) => void (d.durable = s.history.length)))

    case 'Restart':
      // What survives a crash: the epochs, the log on disk and the applied transactions.
      return took(produce(s, (d) => {
        d.role = 'looking'
        d.leader = 0
        d.synced = false
        d.acks = s.acks.map(() => null)
        d.history = s.history.slice(0, s.durable)
      }))

    case 'Receive':
      return receive(config, s, event.message)
  }
}

function receive(config: ZabConfig, s: ZabServerState, m: ZabMessage): Step {
  const name = `server${s.id + 1}`
  const leading = s.role === 'leading'
  const fromMyFollower = (from: ServerId, epoch: number) => leading && epoch === s.acceptedEpoch && from !== s.id
  const fromMyLeader = (from: ServerId, epoch: number) => s.role === 'following' && s.leader === from && epoch === s.acceptedEpoch
  switch (m.type) {
    case 'Vote':
      // A latecomer's vote reaches a leader in place: it is invited into the current epoch.
      if (!leading) return refuse(`${name} is not leading`)
      if (m.acceptedEpoch >= s.acceptedEpoch) return refuse(`server${m.from + 1} has already seen epoch ${m.acceptedEpoch}`)
      return took(s, [{ to: m.from, message: { type: 'NewEpoch', from: s.id, epoch: s.acceptedEpoch } }])

    case 'NewEpoch':
      if (s.role !== 'looking') return refuse(`${name} is ${s.role}, not looking`)
      if (m.epoch <= s.acceptedEpoch) return refuse(`${name} has already accepted epoch ${s.acceptedEpoch}`)
      return took(
        produce(s, (d) => {
          d.role = 'following'
          d.leader = m.from
          d.acceptedEpoch = m.epoch
          d.synced = false
        }),
        [{ to: m.from, message: { type: 'AckEpoch', from: s.id, epoch: m.epoch } }],
      )

    case 'AckEpoch':
      if (!fromMyFollower(m.from, m.epoch)) return refuse(`${name} does not lead epoch ${m.epoch}`)
      return took(s, [{
        to: m.from,
        message: { type: 'NewLeader', from: s.id, epoch: s.acceptedEpoch, history: config.bug === 'skip-sync' ? null : s.history },
      }])

    case 'NewLeader': {
      if (!fromMyLeader(m.from, m.epoch) || s.synced) return refuse(`${name} is not waiting for NEWLEADER of epoch ${m.epoch}`)
      const history = m.history ?? s.history
      return took(
        produce(s, (d) => {
          d.history = [...history]
          d.durable = m.history ? history.length : s.durable
          d.currentEpoch = m.epoch
          d.synced = true
        }),
        [{ to: m.from, message: { type: 'Ack', from: s.id, epoch: m.epoch, upTo: lastZxid(history) } }],
      )
    }

    case 'Ack': {
      if (!fromMyFollower(m.from, m.epoch)) return refuse(`${name} does not lead epoch ${m.epoch}`)
      const known = s.acks[m.from]
      if (known && !zxidLess(known, m.upTo)) return refuse(`server${m.from + 1} acknowledged nothing new`)
      return took(produce(s, (d) => void (d.acks[m.from] = m.upTo)))
    }

    case 'Fetch': {
      if (!fromMyFollower(m.from, m.epoch)) return refuse(`${name} does not lead epoch ${m.epoch}`)
      const next = s.history.find((z) => z.epoch === s.acceptedEpoch && zxidLess(m.after, z))
      if (!next) return refuse(`${name} has no proposal after ⟨${m.after.epoch}, ${m.after.counter}⟩`)
      return took(s, [{ to: m.from, message: { type: 'Proposal', from: s.id, epoch: s.acceptedEpoch, zxid: next } }])
    }

    case 'Proposal':
      if (!fromMyLeader(m.from, m.epoch) || !s.synced) return refuse(`${name} does not follow epoch ${m.epoch}`)
      // Fetches overlap on a real network: an answer to an earlier one may repeat what is logged.
      if (!zxidLess(lastZxid(s.history), m.zxid)) return refuse(`${name} has already logged ⟨${m.zxid.epoch}, ${m.zxid.counter}⟩`)
      return took(
        produce(s, (d) => {
          d.history.push(m.zxid)
          // The bug: the ACK goes out while the proposal is still only in memory.
          if (config.bug !== 'ack-before-log') d.durable = s.history.length + 1
        }),
        [{ to: m.from, message: { type: 'Ack', from: s.id, epoch: m.epoch, upTo: m.zxid } }],
      )

    case 'CommitQuery':
      if (!fromMyFollower(m.from, m.epoch)) return refuse(`${name} does not lead epoch ${m.epoch}`)
      return took(s, [{ to: m.from, message: { type: 'Commit', from: s.id, epoch: s.acceptedEpoch, upTo: lastZxid(s.delivered) } }])

    case 'Commit': {
      if (!fromMyLeader(m.from, m.epoch) || !s.synced) return refuse(`${name} does not follow epoch ${m.epoch}`)
      const z = s.history[s.delivered.length]
      if (!z || zxidLess(m.upTo, z)) return refuse(`${name} has nothing committed left to deliver`)
      return took(produce(s, (d) => void d.delivered.push(z)))
    }
  }
}

