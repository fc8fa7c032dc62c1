// Replay/conformance driver for Paxos Commit: an in-process cluster of `rm` resource managers,
// `acceptors` acceptors and one leader (which owns every ballot above 0) over a network that
// records every message sent (PaxosCommit.tla's msgs). Each model action is one event handled
// by one node:
//
//   RMPrepare(rm) / RMChooseToAbort(rm)      rm's local decision (its ballot-0 phase 2a)
//   RMRcvCommitMsg(rm) / RMRcvAbortMsg(rm)   rm receives the leader's outcome (it must have been sent)
//   Phase1a(bal, rm)                         the leader starts ballot bal of instance rm
//   Phase2a(bal, rm, quorum)                 the leader proposes, from the promises it has received
//   DecideCommit(bal, quorum)                the leader commits, citing per instance a ballot and a
//                                            quorum whose votes it has received
//   DecideAbort(rm, bal, quorum)             the leader aborts, citing one instance's votes
//   Phase1b(acc, m) / Phase2b(acc, m)        acceptor acc receives m (it must have been sent to it)

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { SentMessages } from '../../conformance/sent-messages.js'
import { isRefused, type Transition } from '../../conformance/transition.js'
import { initialAcceptor, instanceOf, stepAcceptor, type AcceptorState } from './impl/acceptor.js'
import { initialLeader, stepLeader, type LeaderState } from './impl/leader.js'
import type { Address, PaxosCommitBug, PaxosCommitMessage, Phase1b, Phase2b } from './impl/messages.js'
import { initialRm, stepRm, type RmState } from './impl/resource-manager.js'

/** The node reducers the cluster runs; replaceable so that tests can build a mutant. */
export interface PaxosCommitCores {
  readonly stepRm: typeof stepRm
  readonly stepAcceptor: typeof stepAcceptor
  readonly stepLeader: typeof stepLeader
}

class PaxosCommitCluster implements Driver {
  private readonly rms: RmState[]
  private readonly acceptors: AcceptorState[]
  private leader: LeaderState = initialLeader
  private readonly network = new SentMessages<Address, PaxosCommitMessage>()

  constructor(private readonly params: Readonly<Record<string, number>>, private readonly bug: PaxosCommitBug, private readonly cores: PaxosCommitCores) {
    this.rms = Array.from({ length: params.rm }, (_, r) => initialRm(r))
    this.acceptors = Array.from({ length: params.acceptors }, (_, a) => initialAcceptor(a))
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const leaderConfig = { rm: this.params.rm, acceptors: this.params.acceptors, bug: this.bug }
    const toLeader = (event: Parameters<typeof stepLeader>[2]) => {
      this.leader = this.taken(this.cores.stepLeader(leaderConfig, this.leader, event))
    }
    switch (action) {
      case 'RMPrepare':
      case 'RMChooseToAbort':
      case 'RMRcvCommitMsg':
      case 'RMRcvAbortMsg': {
        const rm = this.index('rm', picks.rm, this.rms.length)
        const event =
          action === 'RMPrepare' ? ({ type: 'Prepare' } as const)
          : action === 'RMChooseToAbort' ? ({ type: 'ChooseToAbort' } as const)
          : ({ type: 'Receive', message: this.delivered({ rm }, action === 'RMRcvCommitMsg' ? { type: 'Commit' } : { type: 'Abort' }) } as const)
        this.rms[rm] = this.taken(this.cores.stepRm({ acceptors: this.acceptors.length }, this.rms[rm], event))
        return
      }
      case 'Phase1a':
        return toLeader({ type: 'StartBallot', ins: this.index('rm', picks.rm, this.rms.length), bal: this.ballot(picks.bal) })
      case 'Phase2a':
        return toLeader({
          type: 'Propose',
          ins: this.index('rm', picks.rm, this.rms.length),
          bal: this.ballot(picks.bal),
          quorum: this.quorum(picks.quorum),
          promises: this.received('phase1b') as Phase1b[],
        })
      case 'DecideCommit': {
        const bal = picks.bal
        const quorum = picks.quorum
        if (!Array.isArray(bal) || !Array.isArray(quorum) || bal.length !== this.rms.length || quorum.length !== this.rms.length) {
          throw new NotEnabledError(`DecideCommit needs a ballot and a quorum for each of the ${this.rms.length} RMs`)
        }
        const evidence = bal.map((b, ins) => ({ bal: this.ballot(b), quorum: this.quorum(quorum[ins]) }))
        return toLeader({ type: 'DecideCommit', evidence, votes: this.received('phase2b') as Phase2b[] })
      }
      case 'DecideAbort':
        return toLeader({
          type: 'DecideAbort',
          ins: this.index('rm', picks.rm, this.rms.length),
          evidence: { bal: this.ballot(picks.bal), quorum: this.quorum(picks.quorum) },
          votes: this.received('phase2b') as Phase2b[],
        })
      case 'Phase1b':
      case 'Phase2b': {
        const a = this.index('acc', picks.acc, this.acceptors.length)
        const m = picks.m as PaxosCommitMessage
        const expected = action === 'Phase1b' ? 'phase1a' : 'phase2a'
        if (m?.type !== expected) throw new NotEnabledError(`${action} delivers a ${expected} message, not ${JSON.stringify(m)}`)
        const message = this.delivered({ acceptor: a }, m)
        this.acceptors[a] = this.taken(this.cores.stepAcceptor({ bug: this.bug }, this.acceptors[a], { type: 'Receive', message }))
        return
      }
      default:
        throw new NotEnabledError(`paxos-commit has no action ${action}`)
    }
  }

  async observe() {
    return {
      rmState: this.rms.map((r) => r.rmState),
      aState: this.rms.map((_, ins) => this.acceptors.map((a) => instanceOf(a, ins))),
      msgs: this.network.messages(),
    }
  }

  /** The messages of this type the leader has received (every one sent to it). */
  private received(type: 'phase1b' | 'phase2b'): PaxosCommitMessage[] {
    return this.network.messages().filter((m) => m.type === type && this.network.wasSentTo('leader', m))
  }

  private delivered(to: Address, message: PaxosCommitMessage): PaxosCommitMessage {
    if (!this.network.wasSentTo(to, message)) throw new NotEnabledError(`no ${JSON.stringify(message)} was sent to ${JSON.stringify(to)}`)
    return message
  }

  /** Record a taken step's messages and return its state; a refusal is a step the code cannot take. */
  private taken<S>(t: Transition<S, Address, PaxosCommitMessage>): S {
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

  private ballot(value: unknown): number {
    return this.index('bal', value, this.params.ballots)
  }

  private quorum(value: unknown): number[] {
    if (!Array.isArray(value)) throw new NotEnabledError(`pick quorum=${JSON.stringify(value)} is not a set of acceptors`)
    return value.map((a) => this.index('quorum', a, this.acceptors.length)).sort((x, y) => x - y)
  }
}

/** A driver factory over the given cores (the real ones unless a test swaps one). */
export function paxosCommitDriverOf(cores: PaxosCommitCores): DriverFactory {
  return { model: 'paxos-commit', start: async (params, bug) => new PaxosCommitCluster(params, bug as PaxosCommitBug, cores) }
}

export const paxosCommitDriver = paxosCommitDriverOf({ stepRm, stepAcceptor, stepLeader })

export default paxosCommitDriver
