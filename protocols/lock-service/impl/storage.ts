// The storage service the lock protects, as a sans-IO core: it accepts a write only if its
// sequencer is at least the highest it has accepted (Kleppmann's fencing token), so once a
// newer lease has written, a write made under an older lease is turned away. The no-fencing
// bug accepts every write.

import { produce } from 'immer'
import type { Transition } from '../../../conformance/transition.js'
import type { Address, LockServiceBug, Message, WriteRequest } from './messages.js'

export interface StorageState {
  /** Highest sequencer of an accepted write. */
  readonly maxToken: number
  /** Has any write been turned away? (An operator's counter, here a flag.) */
  readonly rejectedAny: boolean
}

export type StorageEvent = { readonly type: 'Receive'; readonly message: WriteRequest }

export interface StorageConfig {
  readonly bug?: LockServiceBug
}

export const initialStorage: StorageState = { maxToken: 0, rejectedAny: false }

export function stepStorage(config: StorageConfig, state: StorageState, event: StorageEvent): Transition<StorageState, Address, Message> {
  const { message } = event
  const accepted = config.bug === 'no-fencing' || message.token >= state.maxToken
  return {
    state: produce(state, (d) => {
      if (accepted) d.maxToken = Math.max(state.maxToken, message.token)
      else d.rejectedAny = true
    }),
    effects: [{ to: { client: message.client }, message: { type: 'WriteResult', accepted } }],
  }
}
