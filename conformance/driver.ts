// The driver contract: how replay and conformance talk to an implementation. One model
// action is one event handled by one node (etcd raft's Step/Tick split is the example), so
// a driver maps an action and its picks to a single event, and maps the implementation's
// state back to the model's variables.

export interface Driver {
  /** Deliver the event that this model action stands for (a message delivered, a timer fired,
   * a crash, a client request). Throws NotEnabledError when the implementation cannot take
   * that step now: that is a divergence from the model, not a crash of the tool. */
  apply(action: string, picks: Readonly<Record<string, unknown>>): void
  /** The implementation's state as the model's variables, in the schema's plain-value form
   * (what Schema.decode returns), so the two can be compared word for word. */
  observe(): Record<string, unknown>
  /** Release anything the cluster holds (in-process drivers may have nothing to release). */
  stop?(): void
}

export interface DriverFactory {
  /** The name of the model this implementation implements (checked when given). */
  readonly model?: string
  /** A fresh in-process cluster, built with the same bug switch as the model (or none). */
  start(params: Readonly<Record<string, number>>, bug: string | undefined): Driver
}

export class NotEnabledError extends Error {}
