// A proposer that talks to acceptor processes over TCP: it runs the proposer core round after
// round, each round with a higher ballot, until it learns the chosen value (its own or
// another proposer's). Ballots are round * BALLOT_STRIDE + proposerId, so proposers with
// distinct ids never share a ballot (two proposers in one ballot could propose two values).
// `key` names one of many independent Paxos instances the acceptors keep (a write-once
// register per key); without it, the single decree. `learn` reads the chosen value.

import { request } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import type { PaxosMessage, PaxosValue, Promise1b } from './messages.js'
import { initialProposer, proposable, stepProposer, type ProposerState } from './proposer.js'
import { parseMessage, type WireMessage } from './wire.js'

export const BALLOT_STRIDE = 1000

export interface BallotOptions {
  /** The acceptors' ports on 127.0.0.1 (null: an acceptor this proposer cannot reach, as
   * under a network partition). */
  readonly ports: readonly (number | null)[]
  /** The Paxos instance (default: the acceptors' single decree). */
  readonly key?: string
  /** 0..BALLOT_STRIDE-1, distinct among concurrent proposers. */
  readonly proposerId: number
  readonly maxRounds?: number
  readonly timeoutMs?: number
  /** Progress lines (one per round). */
  readonly onRound?: (line: string) => void
}

export interface ProposeOptions extends BallotOptions {
  readonly value: PaxosValue
}

export interface Learned {
  readonly value: PaxosValue
  readonly ballot: number
  readonly rounds: number
}

export class NoQuorumError extends Error {}

/** Stands for "no value" among the candidates of a read; never sent (values are non-empty). */
const NOTHING = ''

/** Propose `value`; resolves with the value chosen (this one or another proposer's). */
export async function propose(options: ProposeOptions): Promise<Learned> {
  return (await decide(options, options.value))!
}

/** The chosen value, or null if none is: a read is a ballot like a proposal's. If a quorum of
 * promises reports no vote, nothing can have been chosen before the first of them (every
 * quorum that chose shares an acceptor with it, which would have reported its vote), so null
 * is an answer that was true during the read. Otherwise the read proposes the value the
 * promises force, as any proposer must, and returns it once a quorum has voted for it. */
export async function learn(options: BallotOptions): Promise<Learned | null> {
  return decide(options, null)
}

async function decide(options: BallotOptions, value: PaxosValue | null): Promise<Learned | null> {
  const { ports, proposerId, key } = options
  const config = { acceptors: ports.length }
  const maxRounds = options.maxRounds ?? 20
  let highestSeen = -1
  for (let round = 0; round < maxRounds; round++) {
    // Start above every promise an acceptor has told us about.
    const ballot = Math.max(round, Math.floor(highestSeen / BALLOT_STRIDE) + 1) * BALLOT_STRIDE + proposerId
    let proposer: ProposerState = initialProposer(ballot)

    const prepared = stepProposer(config, proposer, { type: 'Prepare' })
    if (isRefused(prepared)) throw new Error(prepared.refused)
    const promises: Promise1b[] = []
    for (const reply of await broadcast(ports, prepared.effects, key, options.timeoutMs)) {
      if (reply?.type === '1b' && reply.bal === ballot) promises.push(reply)
      if (reply?.type === 'refused') highestSeen = Math.max(highestSeen, reply.maxBal)
    }
    // Propose our own value if the promises allow it, else the value they force.
    const allowed = proposable(config, ballot, promises, [value ?? NOTHING])
    if (value === null && allowed.includes(NOTHING)) return null
    const chosenValue = value !== null && allowed.includes(value) ? value : allowed.find((v) => v !== NOTHING)
    if (chosenValue === undefined) {
      options.onRound?.(`ballot ${ballot}: ${promises.length} of ${ports.length} promised, no quorum`)
      await pause(round)
      continue
    }
    const accepted = stepProposer(config, proposer, { type: 'Accept', value: chosenValue, promises })
    if (isRefused(accepted)) throw new Error(accepted.refused)
    proposer = accepted.state
    for (const reply of await broadcast(ports, accepted.effects, key, options.timeoutMs)) {
      if (reply?.type === '2b') {
        const voted = stepProposer(config, proposer, { type: 'Receive', message: reply })
        if (!isRefused(voted)) proposer = voted.state
      }
      if (reply?.type === 'refused') highestSeen = Math.max(highestSeen, reply.maxBal)
    }
    options.onRound?.(`ballot ${ballot}: proposed ${chosenValue}, ${proposer.votes.length} of ${ports.length} voted`)
    if (proposer.learned !== null) return { value: proposer.learned, ballot, rounds: round + 1 }
    await pause(round)
  }
  throw new NoQuorumError(`no value learned after ${maxRounds} rounds: fewer than a majority of ${ports.length} acceptors answered`)
}

/** Send each effect to its acceptor and collect the replies; an acceptor that is down or
 * silent gives undefined (Paxos tolerates a minority of those). */
async function broadcast(ports: readonly (number | null)[], effects: readonly { to: unknown; message: PaxosMessage }[], key: string | undefined, timeoutMs = 2000): Promise<(WireMessage | undefined)[]> {
  const replies = await Promise.allSettled(
    effects.map(({ to, message }) => {
      const port = ports[(to as { acceptor: number }).acceptor]
      if (port === null) return Promise.reject(new Error('unreachable'))
      return request(port, key === undefined ? message : { ...message, key }, timeoutMs)
    }),
  )
  return replies.map((r) => (r.status === 'fulfilled' ? parseMessage(r.value) ?? undefined : undefined))
}

/** Competing proposers that retry in lockstep can pre-empt each other forever (Paxos's
 * liveness needs one to get ahead): wait a random, growing while. */
function pause(round: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (round + 1)))
}
