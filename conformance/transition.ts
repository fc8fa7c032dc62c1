// What a sans-IO core's reducer returns. `step(state, event)` either takes the event, giving
// the next state and the messages to send (its effects), or refuses it because the node's
// protocol does not allow that event in that state. Refusing is not an error: a real node
// drops such an event, a replay driver reports it as a step the implementation cannot take
// (NotEnabledError), which is how a divergence from the model shows.

export interface Send<Address, Message> {
  readonly to: Address
  readonly message: Message
}

export interface Taken<State, Address, Message> {
  readonly state: State
  readonly effects: readonly Send<Address, Message>[]
}

export interface Refused {
  readonly refused: string
}

export type Transition<State, Address, Message> = Taken<State, Address, Message> | Refused

export const refuse = (reason: string): Refused => ({ refused: reason })

export const isRefused = <S, A, M>(t: Transition<S, A, M>): t is Refused => 'refused' in t
