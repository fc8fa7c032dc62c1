// An in-process network for drivers of specs whose `msgs` is TLA+'s set of every message ever
// sent (TwoPhase.tla, Paxos.tla): sending adds to the record, delivering reads from it and
// never removes, so a message can be received any number of times, by design of those specs.

import { canonicalJson } from '../checker/canonical-json.js'
import type { Send } from './transition.js'

export class SentMessages<Address, Message> {
  private readonly sent = new Map<string, Send<Address, Message>>()

  record(sends: readonly Send<Address, Message>[]) {
    for (const send of sends) this.sent.set(canonicalJson(send), send)
  }

  /** Has `message` been sent to `to`? (Only then can `to` receive it.) */
  wasSentTo(to: Address, message: Message): boolean {
    return this.sent.has(canonicalJson({ to, message }))
  }

  /** The distinct messages sent to anyone: the spec's `msgs`, where messages have no addressee. */
  messages(): Message[] {
    const distinct = new Map<string, Message>()
    for (const { message } of this.sent.values()) distinct.set(canonicalJson(message), message)
    return [...distinct.values()]
  }
}
