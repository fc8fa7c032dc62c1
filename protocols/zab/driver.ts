// Replay/conformance driver for Zab: `servers` in-process server cores over FIFO channels, one
// per ordered pair of servers, that die with either end (a crash clears them). Each model
// action runs the events it stands for, in the order the messages would flow:
//
//   Elect(leader, quorum)   each member Nominates; the leader Leads on their votes; each member
//                           receives NEWEPOCH (its ACKEPOCH waits in the channel)
//   Join(follower, leader)  the follower's vote reaches the leader; the follower receives NEWEPOCH
//   Sync(follower)          the leader receives ACKEPOCH; the follower receives NEWLEADER (its ACK waits)
//   LeaderAck(leader, f)    the leader receives every ACK waiting from f
//   Propose(leader)         a client's request
//   FollowerAccept(f)       f fetches; the leader answers with the next proposal; f logs it (its ACK waits)
//   LeaderCommit(leader)    the leader commits its next zxid
//   FollowerCommit(f)       f asks the commit point; the leader answers; f delivers its next zxid
//   Crash(server)           the process dies and restarts from its disk
//   Persist(server)         fsync
//
// The model's ghosts (every zxid broadcast, the primary of each epoch) are recorded here as
// the driver sees proposals and elections go by: the servers know nothing of them.

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused, type Send, type Taken, type Transition } from '../../conformance/transition.js'
import { lastZxid, NO_ZXID, type ServerId, type Vote, type ZabBug, type ZabMessage, type Zxid } from './impl/messages.js'
import { initialServer, stepServer, voteOf, type ZabEvent, type ZabServerState } from './impl/server.js'

export interface ZabCores {
  readonly stepServer: typeof stepServer
}

class ZabCluster implements Driver {
  private readonly servers: ZabServerState[]
  /** channels.get(`${from}>${to}`): messages sent and not yet received, oldest first. */
  private readonly channels = new Map<string, ZabMessage[]>()
  private readonly broadcast: Zxid[] = []
  private readonly primary: ServerId[]
  private readonly config: { servers: number; bug: ZabBug }

  constructor(params: Readonly<Record<string, number>>, bug: ZabBug, private readonly cores: ZabCores) {
    this.config = { servers: params.servers, bug }
    this.servers = Array.from({ length: params.servers }, (_, id) => initialServer(id, params.servers))
    this.primary = Array.from({ length: params.maxEpoch + 2 }, () => 0)
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    switch (action) {
      case 'Elect': {
        const leader = this.server(picks.leader)
        const quorum = Array.isArray(picks.quorum) ? picks.quorum.map((x) => this.server(x)) : []
        if (!quorum.includes(leader)) throw new NotEnabledError('the quorum must include its leader')
        // Votes go straight to the candidate: the election is one exchange in the model.
        const votes = quorum.map((x) => (x === leader ? voteOf(this.servers[x]) : this.vote(x, leader)))
        const sends = this.step(leader, { type: 'Lead', votes })
        for (const send of sends) this.deliverNow(send)
        this.primary[this.servers[leader].acceptedEpoch] = leader
        return
      }
      case 'Join': {
        const follower = this.server(picks.follower)
        const leader = this.server(picks.leader)
        const [invitation] = this.step(leader, { type: 'Receive', message: this.vote(follower, leader) })
        this.deliverNow(invitation)
        return
      }
      case 'Sync': {
        const f = this.server(picks.follower)
        const leader = this.servers[f].leader
        const ackEpoch = this.take(f, leader, 'AckEpoch')
        const [newLeader] = this.step(leader, { type: 'Receive', message: ackEpoch })
        this.deliverNow(newLeader)
        return
      }
      case 'LeaderAck': {
        const leader = this.server(picks.leader)
        const f = this.server(picks.follower)
        const acks = this.drain(f, leader, 'Ack')
        let taken = 0
        let reason = `no ACK from server${f + 1} is waiting at server${leader + 1}`
        for (const message of acks) {
          // Acknowledgements the leader already has are dropped, as a real leader would.
          const t = this.cores.stepServer(this.config, this.servers[leader], { type: 'Receive', message })
          if (isRefused(t)) {
            reason = t.refused
          } else {
            this.servers[leader] = t.state
            taken++
          }
        }
        if (taken === 0) throw new NotEnabledError(reason)
        return
      }
      case 'Propose': {
        const leader = this.server(picks.leader)
        this.step(leader, { type: 'Request' })
        this.broadcast.push(lastZxid(this.servers[leader].history))
        return
      }
      case 'FollowerAccept':
        return this.roundTrip(this.server(picks.follower), { type: 'Fetch' })
      case 'FollowerCommit':
        return this.roundTrip(this.server(picks.follower), { type: 'PollCommit' })
      case 'LeaderCommit':
        this.step(this.server(picks.leader), { type: 'CommitNext' })
        return
      case 'Crash': {
        const x = this.server(picks.server)
        for (const key of [...this.channels.keys()]) {
          const [from, to] = key.split('>').map(Number)
          if (from === x || to === x) this.channels.delete(key)
        }
        this.step(x, { type: 'Restart' })
        return
      }
      case 'Persist':
        this.step(this.server(picks.server), { type: 'Fsync' })
        return
      default:
        throw new NotEnabledError(`zab has no action ${action}`)
    }
  }

  async observe() {
    const s = this.servers
    return {
      role: s.map((x) => x.role),
      leader: s.map((x) => x.leader),
      acceptedEpoch: s.map((x) => x.acceptedEpoch),
      currentEpoch: s.map((x) => x.currentEpoch),
      history: s.map((x) => x.history),
      durable: s.map((x) => x.durable),
      synced: s.map((x) => x.synced),
      ack: s.map((x) => x.acks.map((a) => (a ? { acked: true, upTo: a } : { acked: false, upTo: NO_ZXID }))),
      delivered: s.map((x) => x.delivered),
      broadcast: this.broadcast,
      primary: this.primary,
    }
  }

  /** x's vote, as sent to `to`. */
  private vote(x: ServerId, to: ServerId): Vote {
    const send = this.step(x, { type: 'Nominate' }).find((s) => s.to === to)
    if (!send) throw new NotEnabledError(`server${x + 1} sent no vote to server${to + 1}`)
    return send.message as Vote
  }

  /** f asks its leader; the leader answers; f handles the answer (a fetch or a commit poll). */
  private roundTrip(f: ServerId, event: ZabEvent) {
    const [question] = this.step(f, event)
    const [answer] = this.step(question.to, { type: 'Receive', message: question.message })
    this.deliverNow(answer)
  }

  /** Deliver at once; whatever the receiver sends back waits in its channel. */
  private deliverNow(send: Send<ServerId, ZabMessage>) {
    const from = send.message.from
    for (const reply of this.step(send.to, { type: 'Receive', message: send.message })) {
      if (reply.to !== from) throw new Error(`server${send.to + 1} answered server${reply.to + 1}, not the sender`)
      this.channel(send.to, from).push(reply.message)
    }
  }

  private step(x: ServerId, event: ZabEvent): readonly Send<ServerId, ZabMessage>[] {
    const t = this.taken(this.cores.stepServer(this.config, this.servers[x], event))
    this.servers[x] = t.state
    return t.effects
  }

  /** The oldest waiting message of this type from `from` to `to`. */
  private take(from: ServerId, to: ServerId, type: ZabMessage['type']): ZabMessage {
    const queue = this.channel(from, to)
    const at = queue.findIndex((m) => m.type === type)
    if (at < 0) throw new NotEnabledError(`no ${type} from server${from + 1} is waiting at server${to + 1}`)
    return queue.splice(at, 1)[0]
  }

  private drain(from: ServerId, to: ServerId, type: ZabMessage['type']): ZabMessage[] {
    const queue = this.channel(from, to)
    const taken = queue.filter((m) => m.type === type)
    this.channels.set(`${from}>${to}`, queue.filter((m) => m.type !== type))
    return taken
  }

  private channel(from: ServerId, to: ServerId): ZabMessage[] {
    const key = `${from}>${to}`
    let queue = this.channels.get(key)
    if (!queue) this.channels.set(key, (queue = []))
    return queue
  }

  private taken<S>(t: Transition<S, ServerId, ZabMessage>): Taken<S, ServerId, ZabMessage> {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    return t
  }

  private server(pick: unknown): ServerId {
    if (typeof pick !== 'number' || !Number.isInteger(pick) || pick < 0 || pick >= this.servers.length) {
      throw new NotEnabledError(`pick ${JSON.stringify(pick)} is not a server of ${this.servers.length}`)
    }
    return pick
  }
}

export function zabDriverOf(cores: ZabCores): DriverFactory {
  return { model: 'zab', start: async (params, bug) => new ZabCluster(params, bug as ZabBug, cores) }
}

export const zabDriver = zabDriverOf({ stepServer })

export default zabDriver
