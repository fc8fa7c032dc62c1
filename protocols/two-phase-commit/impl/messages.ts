// The messages of two-phase commit, shaped exactly like TwoPhase.tla's Message records so that
// the sent-message record maps onto the model's `msgs` without translation.

/** A resource manager, by index 0..rm-1 (the model shows index i as `rm${i + 1}`). */
export type RmId = number
/** Where a message goes: the transaction manager or one resource manager. */
export type Address = 'tm' | RmId

export type Message =
  | { readonly type: 'Prepared'; readonly rm: RmId }
  | { readonly type: 'Commit' }
  | { readonly type: 'Abort' }

/** The same bug switches as protocols/two-phase-commit/model.ts, each flipping the same rule here. */
export type TwoPhaseBug = 'commit-on-any-prepared' | 'abort-after-prepare' | 'commit-after-abort' | 'prepared-ignores-abort' | undefined
