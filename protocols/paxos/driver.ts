// Replay/conformance driver for Paxos: an in-process cluster of `acceptors` acceptors and one
// proposer per ballot (Paxos.tla's ballots are its proposers), over a network that records
// every message sent (the spec's msgs). Each model action is one event handled by one node:
//
//   Phase1a(b)      proposer b sends its 1a (again, if it already did: the set is unchanged)
//   Phase2a(b, v)   proposer b proposes v, given the 1b messages sent to it so far
//   Phase1b(a, m)   acceptor a receives the 1a message m (it must have been sent)
//   Phase2b(a, m)   acceptor a receives the 2a message m (it must have been sent)

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { SentMessages } from '../../conformance/sent-messages.js'
import { isRefused, type Transition } from '../../conformance/transition.js'
import { initialAcceptor, stepAcceptor, type AcceptorState } from './impl/acceptor.js'
import type { Address, PaxosBug, PaxosMessage, Promise1b } from './impl/messages.js'
import { initialProposer, stepProposer, type ProposerState } from './impl/proposer.js'

/** The spec's None, for an acceptor that has not voted. */
const NONE = 'None'

/** The node reducers the cluster runs; replaceable so that tests can build a mutant. */
export interface PaxosCores {
  readonly stepAcceptor: typeof stepAcceptor
  readonly stepProposer: typeof stepProposer
}

class PaxosCluster implements Driver {
  private readonly acceptors: AcceptorState[]
  private readonly proposers: ProposerState[]
  private readonly network = new SentMessages<Address, PaxosMessage>()

  constructor(private readonly params: Readonly<Record<string, number>>, private readonly bug: PaxosBug, private readonly cores: PaxosCores) {
    this.acceptors = Array.from({ length: params.acceptors }, (_, a) => initialAcceptor(a))
    this.proposers = Array.from({ length: params.ballots }, (_, b) => initialProposer(b))
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const proposerConfig = { acceptors: this.params.acceptors, bug: this.bug }
    switch (action) {
      case 'Phase1a': {
        const b = this.index('b', picks.b, this.proposers.length)
        this.proposers[b] = this.taken(this.cores.stepProposer(proposerConfig, this.proposers[b], { type: 'Prepare' }))
        return
      }
      case 'Phase2a': {
        const b = this.index('b', picks.b, this.proposers.length)
        if (typeof picks.v !== 'string') throw new NotEnabledError(`pick v=${JSON.stringify(picks.v)} is not a value`)
        const promises = this.network
          .messages()
          .filter((m): m is Promise1b => m.type === '1b' && m.bal === b && this.network.wasSentTo({ proposer: b }, m))
        const event = { type: 'Accept', value: picks.v, promises } as const
        this.proposers[b] = this.taken(this.cores.stepProposer(proposerConfig, this.proposers[b], event))
        return
      }
      case 'Phase1b':
      case 'Phase2b': {
        const a = this.index('a', picks.a, this.acceptors.length)
        const m = picks.m as PaxosMessage
        const expected = action === 'Phase1b' ? '1a' : '2a'
        if (m?.type !== expected) throw new NotEnabledError(`${action} delivers a ${expected} message, not ${JSON.stringify(m)}`)
        if (!this.network.wasSentTo({ acceptor: a }, m)) throw new NotEnabledError(`no such ${m.type} message was sent to a${a + 1}`)
        this.acceptors[a] = this.taken(this.cores.stepAcceptor({ bug: this.bug }, this.acceptors[a], { type: 'Receive', message: m }))
        return
      }
      default:
        throw new NotEnabledError(`paxos has no action ${action}`)
    }
  }

  async observe() {
    return {
      maxBal: this.acceptors.map((a) => a.maxBal),
      maxVBal: this.acceptors.map((a) => a.maxVBal),
      maxVal: this.acceptors.map((a) => a.maxVal ?? NONE),
      msgs: this.network.messages().map((m) => (m.type === '1b' ? { ...m, mval: m.mval ?? NONE } : m)),
    }
  }

  private taken<S>(t: Transition<S, Address, PaxosMessage>): S {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    this.network.record(t.effects)
    return t.state
  }

  private index(name: string, value: unknown, count: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= count) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(value)} is outside 0..${count - 1}`)
    }
    return value
  }
}

/** A driver factory over the given cores (the real ones unless a test swaps one). */
export function paxosDriverOf(cores: PaxosCores): DriverFactory {
  return { model: 'paxos', start: async (params, bug) => new PaxosCluster(params, bug as PaxosBug, cores) }
}

export const paxosDriver = paxosDriverOf({ stepAcceptor, stepProposer })

export default paxosDriver
