// Replay/conformance driver for Lamport's mutual exclusion: an in-process cluster of n
// process cores (impl/process.ts) over FIFO channels, one queue per ordered pair of
// processes (the spec's network[p][q]). Each model action is one event handled by one process:
//
//   Request(p), Enter(p), Exit(p)   that event on process p
//   ReceiveRequest(p, q)            p receives the message at the head of the channel q -> p,
//   ReceiveAck(p, q)                which must be a message of that kind (a receive of
//   ReceiveRelease(p, q)            another kind, or from an empty channel, is not enabled)
//
// observe() reads the cores back into the model's variables; acks and releases show the
// spec's clock field as 0. With a finite workload (param rounds > 0) the driver plays the
// clients: it asks each process for the critical section at most `rounds` times, and reports
// how many times it has (the model's `requests`).

import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { isRefused } from '../../conformance/transition.js'
import type { MutexBug, MutexMessage, ProcessId } from './impl/messages.js'
import { initialProcess, stepProcess, type ProcessEvent, type ProcessState } from './impl/process.js'

/** The reducer the cluster runs; replaceable so that tests can build a mutant. */
export interface MutexCores {
  readonly stepProcess: typeof stepProcess
}

const RECEIVES: Readonly<Record<string, MutexMessage['type']>> = { ReceiveRequest: 'req', ReceiveAck: 'ack', ReceiveRelease: 'rel' }

class MutexCluster implements Driver {
  private processes: ProcessState[] = []
  /** channels[p][q]: messages sent by p to q, not yet received, oldest first. */
  private channels: MutexMessage[][][] = []
  /** requests[p]: how many times p has been asked to request (counted only when rounds > 0). */
  private requests: number[] = []

  constructor(private readonly n: number, private readonly rounds: number, private readonly bug: MutexBug, private readonly cores: MutexCores) {
    this.restart()
  }

  async reset() {
    this.restart()
  }

  private restart() {
    this.processes = Array.from({ length: this.n }, (_, p) => initialProcess(p, this.n))
    this.channels = Array.from({ length: this.n }, () => Array.from({ length: this.n }, () => []))
    this.requests = Array.from({ length: this.n }, () => 0)
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>) {
    const p = this.index('p', picks.p)
    switch (action) {
      case 'Request':
        if (this.rounds > 0 && this.requests[p] >= this.rounds) throw new NotEnabledError(`p${p + 1} has made its ${this.rounds} requests`)
        this.step(p, { type: action })
        if (this.rounds > 0) this.requests[p]++
        return
      case 'Enter':
      case 'Exit':
        this.step(p, { type: action })
        return
      case 'ReceiveRequest':
      case 'ReceiveAck':
      case 'ReceiveRelease': {
        const q = this.index('q', picks.q)
        if (q === p) throw new NotEnabledError(`p${p + 1} has no channel to itself`)
        const channel = this.channels[q][p]
        const head = channel[0]
        if (head === undefined) throw new NotEnabledError(`the channel p${q + 1} -> p${p + 1} is empty`)
        if (head.type !== RECEIVES[action]) throw new NotEnabledError(`the channel p${q + 1} -> p${p + 1} starts with a ${head.type}, not a ${RECEIVES[action]}`)
        this.step(p, { type: 'Receive', from: q, message: head })
        channel.shift()
        return
      }
      default:
        throw new NotEnabledError(`lamport-mutex has no action ${action}`)
    }
  }

  async observe() {
    return {
      clock: this.processes.map((s) => s.clock),
      req: this.processes.map((s) => [...s.req]),
      ack: this.processes.map((s) => [...s.ack]),
      network: this.channels.map((row) => row.map((channel) => channel.map((m) => ({ type: m.type, clock: m.type === 'req' ? m.clock : 0 })))),
      crit: this.processes.filter((s) => s.inCritical).map((s) => s.id),
      ...(this.rounds > 0 ? { requests: [...this.requests] } : {}),
    }
  }

  private step(p: ProcessId, event: ProcessEvent) {
    const t = this.cores.stepProcess({ processes: this.n, bug: this.bug }, this.processes[p], event)
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    this.processes[p] = t.state
    for (const { to, message } of t.effects) this.channels[p][to].push(message)
  }

  private index(name: string, value: unknown): ProcessId {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= this.n) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(value)} is outside 0..${this.n - 1}`)
    }
    return value
  }
}

/** A driver factory over the given core (the real one unless a test swaps it). */
export function mutexDriverOf(cores: MutexCores): DriverFactory {
  return { model: 'lamport-mutex', start: async (params, bug) => new MutexCluster(params.n, params.rounds ?? 0, bug as MutexBug, cores) }
}

export const mutexDriver = mutexDriverOf({ stepProcess })

export default mutexDriver
