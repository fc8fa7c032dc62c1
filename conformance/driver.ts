// The driver contract: how replay and conformance talk to an implementation. One model
// action is one event handled by one node (etcd raft's Step/Tick split is the example), so
// a driver maps an action and its picks to a single event, and maps the implementation's
// state back to the model's variables.
//
// Every call returns a promise, so that a driver can talk to processes and networks as well
// as to an in-process cluster; replay and conform make one call at a time and await each.

import { InputError } from '../checker/errors.js'
import type { Step } from '../checker/path.js'
import type { ItfTrace } from '../traces/itf.js'

export interface Driver {
  /** Deliver the event that this model action stands for (a message delivered, a timer fired,
   * a crash, a client request). Rejects with NotEnabledError when the implementation cannot
   * take that step now: that is a divergence from the model, not a crash of the tool. */
  apply(action: string, picks: Readonly<Record<string, unknown>>): Promise<void>
  /** The implementation's state as the model's variables, in the schema's plain-value form
   * (what Schema.decode returns), so the two can be compared word for word. */
  observe(): Promise<Record<string, unknown>>
  /** Back to the initial state, with the same params and bug. conform resets between walks;
   * a driver without reset is stopped and started afresh instead. */
  reset?(): Promise<void>
  /** Release anything the cluster holds (processes, sockets, files). */
  stop?(): Promise<void>
}

export interface DriverFactory {
  /** The name of the model this implementation implements (checked when given). */
  readonly model?: string
  /** A fresh cluster, built with the same bug switch as the model (or none). */
  start(params: Readonly<Record<string, number>>, bug: string | undefined): Promise<Driver>
}

export class NotEnabledError extends Error {}

/** Start a driver, or bring one already started back to its initial state. */
export async function freshDriver(factory: DriverFactory, current: Driver | undefined, params: Readonly<Record<string, number>>, bug: string | undefined): Promise<Driver> {
  if (current?.reset) {
    await current.reset()
    return current
  }
  await current?.stop?.()
  return factory.start(params, bug)
}

/** A driver that failed rather than answered: it threw something other than NotEnabledError,
 * died, hung past its timeout or broke the contract. Not a divergence: nothing was learned
 * about the implementation, so the run stops with one line naming the step. */
export class DriverError extends InputError {
  /** The steps taken before the failure, the initial state first (set by conform's walks). */
  walk?: Step[]
  /** That walk as an ITF trace (set by the API's conform). */
  trace?: ItfTrace

  constructor(readonly step: number, readonly label: string, readonly reason: string) {
    super(`the driver failed at step ${step} (${label}): ${reason}`)
  }
}

/** Await one call to a driver: NotEnabledError passes through (a refusal); anything else
 * becomes a DriverError naming the step. */
export async function callDriver<T>(step: number, label: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (e) {
    if (e instanceof NotEnabledError || e instanceof DriverError) throw e
    throw new DriverError(step, label, e instanceof Error ? e.message : String(e))
  }
}
