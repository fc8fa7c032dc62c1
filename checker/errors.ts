// The two kinds of failure that are not verdicts. Both reach the user as one line and exit 2.

/** The user asked for something that does not exist or does not fit (unknown model, bad param,
 * malformed file). */
export class InputError extends Error {}

/** A model broke its own contract (a value out of its declared range or capacity, an
 * undeclared action): the model must be fixed, nothing about the protocol was learned. */
export class ModelError extends Error {}
