// A Paxos proposer (and learner) for one ballot as a sans-IO core. It asks the acceptors for
// promises (1a), proposes a value once a quorum has promised (2a), and learns the value when
// a quorum has voted for it (2b). Rules mirror Paxos.tla's Phase1a and Phase2a; a client
// that loses its ballot starts a proposer with a higher one.
//
// Phase2a's rule, as in the spec: v may be proposed in ballot b if some quorum Q has all
// promised b and, among the votes they report, v is the value of the highest-ballot one (or
// none of them has voted). Any quorum within the promises received may justify v.

import { produce } from 'immer'
import { refuse, type Send, type Transition } from '../../../conformance/transition.js'
import type { AcceptorId, Address, Ballot, PaxosBug, PaxosMessage, PaxosValue, Promise1b } from './messages.js'
import { majorities } from './messages.js'

export interface ProposerState {
  readonly ballot: Ballot
  /** The value proposed in this ballot, once the 2a is sent. */
  readonly proposed: PaxosValue | null
  /** Acceptors that voted for the proposal. */
  readonly votes: readonly AcceptorId[]
  /** The value this proposer knows is chosen. */
  readonly learned: PaxosValue | null
}

export type ProposerEvent =
  /** Phase1a: ask every acceptor to promise this ballot (sending it again changes nothing). */
  | { readonly type: 'Prepare' }
  /** Phase2a: propose `value` given the promises received so far. */
  | { readonly type: 'Accept'; readonly value: PaxosValue; readonly promises: readonly Promise1b[] }
  /** A vote arrives. */
  | { readonly type: 'Receive'; readonly message: PaxosMessage }

export interface ProposerConfig {
  readonly acceptors: number
  readonly bug?: PaxosBug
}

export const initialProposer = (ballot: Ballot): ProposerState => ({ ballot, proposed: null, votes: [], learned: null })

/** The values Phase2a allows in `ballot` given these promises (duplicates and other ballots ignored). */
export function proposable(config: ProposerConfig, ballot: Ballot, promises: readonly Promise1b[], candidates: readonly PaxosValue[]): PaxosValue[] {
  const mine = promises.filter((m) => m.bal === ballot)
  const allowed = new Set<PaxosValue>()
  for (const Q of majorities(config.acceptors)) {
    const Q1b = mine.filter((m) => Q.includes(m.acc))
    if (!Q.every((a) => Q1b.some((m) => m.acc === a))) continue
    const Q1bv = Q1b.filter((m) => m.mbal >= 0)
    if (config.bug === 'ignore-1b-votes' || Q1bv.length === 0) {
      for (const v of candidates) allowed.add(v)
      continue
    }
    const highest = Math.max(...Q1bv.map((m) => m.mbal))
    for (const m of Q1bv) if (m.mbal === highest && m.mval !== null) allowed.add(m.mval)
  }
  return [...allowed]
}

export function stepProposer(config: ProposerConfig, state: ProposerState, event: ProposerEvent): Transition<ProposerState, Address, PaxosMessage> {
  const toAll = (message: PaxosMessage): Send<Address, PaxosMessage>[] =>
    Array.from({ length: config.acceptors }, (_, acceptor) => ({ to: { acceptor }, message }))
  switch (event.type) {
    case 'Prepare':
      return { state, effects: toAll({ type: '1a', bal: state.ballot }) }
    case 'Accept': {
      if (state.proposed !== null) return refuse(`ballot ${state.ballot} has already proposed ${state.proposed}`)
      const allowed = proposable(config, state.ballot, event.promises, [event.value])
      if (!allowed.includes(event.value)) {
        const why = allowed.length ? `the promises force ${allowed.join(' or ')}` : 'no quorum has promised it'
        return refuse(`ballot ${state.ballot} cannot propose ${event.value}: ${why}`)
      }
      return {
        state: produce(state, (d) => {
          d.proposed = event.value
        }),
        effects: toAll({ type: '2a', bal: state.ballot, val: event.value }),
      }
    }
    case 'Receive': {
      const m = event.message
      if (m.type !== '2b') return refuse(`a proposer learns only from 2b messages, not ${m.type}`)
      if (m.bal !== state.ballot || m.val !== state.proposed) return refuse(`a vote for ${m.val} in ballot ${m.bal} is not for this proposal`)
      return {
        state: produce(state, (d) => {
          if (!d.votes.includes(m.acc)) d.votes.push(m.acc)
          if (d.votes.length * 2 > config.acceptors) d.learned = m.val
        }),
        effects: [],
      }
    }
  }
}
