// The two kinds of failure that are not verdicts. Both reach the user as one line and exit 2.

/** The user asked for something that does not exist or does not fit (unknown model, bad param,
 * malformed file). */
export class InputError extends Error {}

/** A model broke its own contract (a value out of its declared range or capacity, an
 * undeclared action): the model must be fixed, nothing about the protocol was learned. */
export class ModelError extends Error {}

/** Where a model's own code threw while the search evaluated it: in a property, or in an
 * action (its `init` or `next`, named by the action being written if known). Unlike a
 * ModelError this is a finding about a reachable state (TLC's "evaluation error"): the
 * check reports it as a violation, with the trace that leads to the state. */
export interface EvaluationFailure {
  readonly in: 'property' | 'action'
  readonly name: string
  readonly message: string
}

/** Thrown by Instance when a model's predicate or action throws; strategies catch it and
 * turn it into a verdict with a trace. */
export class EvaluationError extends Error {
  constructor(readonly failure: EvaluationFailure) {
    super(`${failure.in} ${failure.name} threw: ${failure.message}`)
  }

  /** `thrown` as an EvaluationError, unless it is one of protocheck's own errors (a
   * ModelError says more about a broken declaration than "it threw"). */
  static of(thrown: unknown, where: EvaluationFailure['in'], name: string, context = ''): unknown {
    if (thrown instanceof EvaluationError || thrown instanceof ModelError || thrown instanceof InputError) return thrown
    const message = thrown instanceof Error ? thrown.message : String(thrown)
    return new EvaluationError({ in: where, name, message: message + context })
  }
}
