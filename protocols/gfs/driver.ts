// Replay/conformance driver for gfs: an in-process master, `replicas` chunkservers and a client,
// each a sans-IO core from impl/, and a network holding each secondary's forwarded write until
// it is delivered. One model action is one event at one node; the messages it sends to the
// master and the client arrive at once (the model takes each request/reply exchange as a step):
//
//   Tick                 Tick at the master and at every chunkserver (one clock)
//   GrantLease(replica)  the master's Grant -> SetVersion at every current replica, Grant at it
//   Append(primary)      the client's Append (refused while a forwarded write of its last
//                        attempt is still in the network: its timeout has not fired) ->
//                        AppendRequest at the primary -> AppendAccepted at the client; the
//                        primary's Forwards go into the network (one to a crashed replica is lost)
//   Apply(replica)       the network delivers the replica's Forward -> its Ack at the client (an
//                        acknowledgement of no attempt in progress is dropped)
//   Fail(replica)        the chunkserver crashes, its pending Forward is lost; the master's
//                        ReplicaLost (its heartbeats stopped)
//   Recover(replica)     the chunkserver restarts -> its Report at the master
//
// In GFS the secondaries answer the primary, which answers the client; here the primary's
// acceptance and the secondaries' acknowledgements reach the client directly (the TCP nodes
// relay them through the primary). A step is taken whole or not at all: if any node refuses its
// part, nothing changes and the step is not enabled.

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused, type Send, type Transition } from '../../conformance/transition.js'
import { initialChunkserver, stepChunkserver, type ChunkserverEvent, type ChunkserverState } from './impl/chunkserver.js'
import { initialClient, stepClient, type ClientEvent, type ClientState } from './impl/client.js'
import { initialMaster, stepMaster, type MasterEvent, type MasterState } from './impl/master.js'
import type { Address, GfsBug, Message, Report, ToChunkserver, ToClient } from './impl/messages.js'

/** The node reducers; replaceable so that tests can build a mutant. */
export interface GfsCores {
  readonly stepMaster: typeof stepMaster
  readonly stepChunkserver: typeof stepChunkserver
  readonly stepClient: typeof stepClient
}

type Forward = Extract<ToChunkserver, { type: 'Forward' }>

interface Cluster {
  master: MasterState
  chunkservers: ChunkserverState[]
  client: ClientState
  /** The forwarded write in the network to each replica (null: none). */
  network: (Forward | null)[]
}

class GfsCluster implements Driver {
  private cluster: Cluster

  constructor(
    private readonly params: Readonly<Record<string, number>>,
    private readonly bug: GfsBug,
    private readonly cores: GfsCores,
  ) {
    this.cluster = this.initial()
  }

  private get replicas() {
    return this.params.replicas
  }

  private initial(): Cluster {
    return {
      master: initialMaster(this.masterConfig),
      chunkservers: Array.from({ length: this.replicas }, (_, r) => initialChunkserver(this.serverConfig, r)),
      client: initialClient({ replicas: this.replicas }),
      network: Array.from({ length: this.replicas }, () => null),
    }
  }

  private get masterConfig() {
    return { replicas: this.replicas, lease: this.params.lease, bug: this.bug }
  }

  private get serverConfig() {
    return { replicas: this.replicas, bug: this.bug }
  }

  async reset() {
    this.cluster = this.initial()
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const c = this.cluster
    const next: Cluster = { ...c, chunkservers: [...c.chunkservers], network: [...c.network] }
    switch (action) {
      case 'Tick':
        this.atMaster(next, { type: 'Tick' })
        for (let r = 0; r < this.replicas; r++) this.atServer(next, r, { type: 'Tick' })
        break
      case 'GrantLease':
        this.atMaster(next, { type: 'Grant', replica: this.replica(picks, 'replica') })
        break
      case 'Append': {
        const p = this.replica(picks, 'primary')
        if (next.network.some((w) => w !== null)) throw new NotEnabledError('a forwarded write of the last attempt is still on its way')
        if (next.client.rec !== 0 && next.client.offset === -1) throw new NotEnabledError('the last attempt was never accepted')
        this.atClient(next, { type: 'Append', primary: p })
        break
      }
      case 'Apply': {
        const r = this.replica(picks, 'replica')
        const write = next.network[r]
        if (!write) throw new NotEnabledError(`no write on its way to replica${r + 1}`)
        next.network[r] = null
        this.atServer(next, r, { type: 'Receive', message: write })
        break
      }
      case 'Fail': {
        const r = this.replica(picks, 'replica')
        this.atServer(next, r, { type: 'Crash' })
        next.network[r] = null
        this.atMaster(next, { type: 'ReplicaLost', replica: r })
        break
      }
      case 'Recover':
        this.atServer(next, this.replica(picks, 'replica'), { type: 'Restart' })
        break
      default:
        throw new NotEnabledError(`gfs has no action ${action}`)
    }
    this.cluster = next
  }

  async observe() {
    const { master, chunkservers, client, network } = this.cluster
    const records = Array.from({ length: this.params.maxAppends + 2 }, (_, k) => k)
    const none = Array.from({ length: this.replicas }, () => false)
    const appended = (k: number) => client.appended.find((a) => a.rec === k)
    return {
      now: master.now,
      master: { version: master.version, primary: master.primary, expires: master.expires, current: master.current },
      replica: chunkservers.map((s) => ({ up: s.up, version: s.version, lease: s.lease, members: s.members, data: s.data })),
      inflight: network.map((w) => (w ? { pending: true, offset: w.offset, rec: w.rec } : { pending: false, offset: -1, rec: 0 })),
      client: { rec: client.rec, offset: client.offset, members: client.members, acked: client.acked, attempts: client.attempts },
      okAt: records.map((k) => appended(k)?.offset ?? -1),
      ackedBy: records.map((k) => appended(k)?.ackedBy ?? none),
      failures: master.failures,
    }
  }

  private atMaster(c: Cluster, event: MasterEvent) {
    const t = this.taken(this.cores.stepMaster(this.masterConfig, c.master, event))
    c.master = t.state
    this.deliver(c, t.effects)
  }

  private atServer(c: Cluster, r: number, event: ChunkserverEvent) {
    const t = this.taken(this.cores.stepChunkserver(this.serverConfig, c.chunkservers[r], event))
    c.chunkservers[r] = t.state
    this.deliver(c, t.effects)
  }

  private atClient(c: Cluster, event: ClientEvent) {
    const t = this.taken(this.cores.stepClient({ replicas: this.replicas }, c.client, event))
    c.client = t.state
    this.deliver(c, t.effects)
  }

  /** Messages to the master, the client and the primary arrive at once; a secondary's forwarded
   * write waits in the network (lost if that replica is down). */
  private deliver(c: Cluster, effects: readonly Send<Address, Message>[]) {
    for (const { to, message } of effects) {
      if (to === 'master') {
        const report = message as Report
        this.atMaster(c, { type: 'Report', replica: report.replica, version: report.version })
      } else if (to === 'client') {
        const reply = message as ToClient
        const t = this.cores.stepClient({ replicas: this.replicas }, c.client, { type: 'Receive', message: reply })
        // An acknowledgement of no attempt in progress is dropped; the primary's acceptance must be taken.
        if (isRefused(t)) {
          if (reply.type === 'AppendAccepted') throw new NotEnabledError(t.refused)
        } else {
          c.client = t.state
        }
      } else if (message.type === 'Forward') {
        if (c.chunkservers[to.replica].up) c.network[to.replica] = message
      } else {
        this.atServer(c, to.replica, { type: 'Receive', message: message as ToChunkserver })
      }
    }
  }

  /** A refusal is a step the implementation cannot take: a divergence, not a crash. */
  private taken<S>(t: Transition<S, Address, Message>) {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    return t
  }

  private replica(picks: Readonly<Record<string, unknown>>, name: string): number {
    const i = picks[name]
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= this.replicas) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(i)} is not one of ${this.replicas} replicas`)
    }
    return i
  }
}

export function gfsDriverOf(cores: GfsCores): DriverFactory {
  return {
    model: 'gfs',
    start: async (params, bug) => new GfsCluster(params, bug as GfsBug, cores),
  }
}

export const gfsDriver = gfsDriverOf({ stepMaster, stepChunkserver, stepClient })

export default gfsDriver
