// Replay/conformance driver for two-phase commit: an in-process cluster of one transaction
// manager and `rm` resource managers over a network that records every message sent
// (TwoPhase.tla's msgs). Each model action is one event handled by one node:
//
//   TMCommit / TMAbort           the TM's local decision
//   TMRcvPrepared(rm)            the TM receives rm's Prepared message (it must have been sent)
//   RMPrepare(rm) / RMChooseToAbort(rm)   rm's local decision
//   RMRcvCommitMsg(rm) / RMRcvAbortMsg(rm)  rm receives the TM's decision (it must have been sent)

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { SentMessages } from '../../conformance/sent-messages.js'
import { isRefused, type Transition } from '../../conformance/transition.js'
import type { Address, Message, RmId, TwoPhaseBug } from './impl/messages.js'
import { initialRm, stepRm, type RmState } from './impl/resource-manager.js'
import { initialTm, stepTm, type TmState } from './impl/transaction-manager.js'

/** The node reducers the cluster runs; replaceable so that tests can build a mutant. */
export interface TwoPhaseCores {
  readonly stepTm: typeof stepTm
  readonly stepRm: typeof stepRm
}

class TwoPhaseCluster implements Driver {
  private tm: TmState = initialTm
  private readonly rms: RmState[]
  private readonly network = new SentMessages<Address, Message>()

  constructor(private readonly rmCount: number, private readonly bug: TwoPhaseBug, private readonly cores: TwoPhaseCores) {
    this.rms = Array.from({ length: rmCount }, (_, rm) => initialRm(rm))
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const tmConfig = { rmCount: this.rmCount, bug: this.bug }
    const rmConfig = { bug: this.bug }
    const toTm = (t: Transition<TmState, Address, Message>) => {
      this.tm = this.taken(t)
    }
    const toRm = (rm: RmId, t: Transition<RmState, Address, Message>) => {
      this.rms[rm] = this.taken(t)
    }
    switch (action) {
      case 'TMCommit': return toTm(this.cores.stepTm(tmConfig, this.tm, { type: 'DecideCommit' }))
      case 'TMAbort': return toTm(this.cores.stepTm(tmConfig, this.tm, { type: 'DecideAbort' }))
      case 'TMRcvPrepared': {
        const rm = this.rm(picks)
        return toTm(this.cores.stepTm(tmConfig, this.tm, { type: 'Receive', message: this.delivered('tm', { type: 'Prepared', rm }) }))
      }
      case 'RMPrepare': {
        const rm = this.rm(picks)
        return toRm(rm, this.cores.stepRm(rmConfig, this.rms[rm], { type: 'Prepare' }))
      }
      case 'RMChooseToAbort': {
        const rm = this.rm(picks)
        return toRm(rm, this.cores.stepRm(rmConfig, this.rms[rm], { type: 'ChooseToAbort' }))
      }
      case 'RMRcvCommitMsg': {
        const rm = this.rm(picks)
        return toRm(rm, this.cores.stepRm(rmConfig, this.rms[rm], { type: 'Receive', message: this.delivered(rm, { type: 'Commit' }) }))
      }
      case 'RMRcvAbortMsg': {
        const rm = this.rm(picks)
        return toRm(rm, this.cores.stepRm(rmConfig, this.rms[rm], { type: 'Receive', message: this.delivered(rm, { type: 'Abort' }) }))
      }
      default:
        throw new NotEnabledError(`two-phase-commit has no action ${action}`)
    }
  }

  async observe() {
    return {
      rmState: this.rms.map((r) => r.rmState),
      tmState: this.tm.tmState,
      tmPrepared: [...this.tm.prepared],
      msgs: this.network.messages(),
    }
  }

  /** Record a taken step's messages and return its state; a refusal is a step the code cannot take. */
  private taken<S>(t: Transition<S, Address, Message>): S {
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    this.network.record(t.effects)
    return t.state
  }

  /** A node can only receive a message that was sent to it. */
  private delivered(to: Address, message: Message): Message {
    if (!this.network.wasSentTo(to, message)) {
      throw new NotEnabledError(`no ${message.type} message was sent to ${to === 'tm' ? 'the TM' : `rm${to + 1}`}`)
    }
    return message
  }

  private rm(picks: Readonly<Record<string, unknown>>): RmId {
    const rm = picks.rm
    if (typeof rm !== 'number' || !Number.isInteger(rm) || rm < 0 || rm >= this.rmCount) {
      throw new NotEnabledError(`pick rm=${JSON.stringify(rm)} is not a resource manager of ${this.rmCount}`)
    }
    return rm
  }
}

/** A driver factory over the given cores (the real ones unless a test swaps one). */
export function twoPhaseCommitDriverOf(cores: TwoPhaseCores): DriverFactory {
  return {
    model: 'two-phase-commit',
    start: async (params, bug) => new TwoPhaseCluster(params.rm, bug as TwoPhaseBug, cores),
  }
}

export const twoPhaseCommitDriver = twoPhaseCommitDriverOf({ stepTm, stepRm })

export default twoPhaseCommitDriver
