// The implementation: one election node as a sans-IO core, the "code" the model is about.
// `step(config, state, event)` is a pure function: given the node's state and one event (its
// election timer fired, a message arrived) it returns the next state and the messages to send,
// or refuses the event when the protocol does not allow it now. No sockets, no timers, no
// clock: a real server wraps this core with those, and the driver beside it (driver.ts) runs
// a whole cluster of cores in memory so that protocheck can replay traces on it. It shares
// nothing with model.ts on purpose: the two are written independently and compared.

import { refuse, type Transition } from 'protocheck/driver'

/** A node, by index 0..nodes-1 (protocheck shows index i as node{i+1}). */
export type NodeIndex = number

export type Message =
  | { readonly type: 'RequestVote'; readonly from: NodeIndex }
  | { readonly type: 'Vote'; readonly from: NodeIndex; readonly to: NodeIndex }

export type Event =
  /** The election timer fired. */
  | { readonly type: 'Timeout' }
  /** A message arrived. */
  | { readonly type: 'Receive'; readonly message: Message }

export interface NodeState {
  readonly self: NodeIndex
  readonly role: 'follower' | 'candidate' | 'leader'
  /** Whom this node voted for this term, or null before it has voted. */
  readonly votedFor: NodeIndex | null
  /** Who voted for this node (itself included once it is a candidate), ascending. */
  readonly votes: readonly NodeIndex[]
}

export interface Config {
  readonly nodes: number
  /** The same bug switches as the model's, each flipping the same rule here. */
  readonly bug?: string
}

export const initialState = (self: NodeIndex): NodeState => ({ self, role: 'follower', votedFor: null, votes: [] })

export function step(config: Config, state: NodeState, event: Event): Transition<NodeState, NodeIndex, Message> {
  const { self } = state
  if (event.type === 'Timeout') {
    if (state.role !== 'follower' || state.votedFor !== null) return refuse(`node ${self} has already voted this term`)
    const others = Array.from({ length: config.nodes }, (_, n) => n).filter((n) => n !== self)
    return {
      state: { ...state, role: 'candidate', votedFor: self, votes: [self] },
      effects: others.map((to) => ({ to, message: { type: 'RequestVote', from: self } })),
    }
  }
  const { message } = event
  switch (message.type) {
    case 'RequestVote': {
      const candidate = message.from
      const mayVote = config.bug === 'vote-twice' ? state.votedFor !== candidate : state.votedFor === null
      if (state.role !== 'follower' || !mayVote) return refuse(`node ${self} does not vote for ${candidate}`)
      return {
        state: { ...state, votedFor: candidate },
        effects: [{ to: candidate, message: { type: 'Vote', from: self, to: candidate } }],
      }
    }
    case 'Vote': {
      if (state.role !== 'candidate') return refuse(`node ${self} is not a candidate`)
      if (state.votes.includes(message.from)) return refuse(`node ${self} already counted the vote of ${message.from}`)
      const votes = [...state.votes, message.from].sort((a, b) => a - b)
      const role = 2 * votes.length > config.nodes ? 'leader' : 'candidate'
      return { state: { ...state, role, votes }, effects: [] }
    }
  }
}
