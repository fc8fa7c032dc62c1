// A proposer that talks to acceptor processes over TCP: it runs the proposer core round after
// round, each round with a higher ballot, until it learns the chosen value (its own or
// another proposer's). Ballots are round * BALLOT_STRIDE + proposerId, so proposers with
// distinct ids never share a ballot (two proposers in one ballot could propose two values).

import { request } from '../../../runtime/tcp.js'
import { isRefused } from '../../../conformance/transition.js'
import type { PaxosMessage, PaxosValue, Promise1b } from './messages.js'
import { initialProposer, proposable, stepProposer, type ProposerState } from './proposer.js'
import { parseMessage, type WireMessage } from './wire.js'

export const BALLOT_STRIDE = 1000

export interface ProposeOptions {
  /** The acceptors' ports on 127.0.0.1. */
  readonly ports: readonly number[]
  readonly value: PaxosValue
  /** 0..BALLOT_STRIDE-1, distinct among concurrent proposers. */
  readonly proposerId: number
  readonly maxRounds?: number
  readonly timeoutMs?: number
  /** Progress lines (one per round). */
  readonly onRound?: (line: string) => void
}

export interface Learned {
  readonly value: PaxosValue
  readonly ballot: number
  readonly rounds: number
}

export class NoQuorumError extends Error {}

export async function propose(options: ProposeOptions): Promise<Learned> {
  const { ports, value, proposerId } = options
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
    for (const reply of await broadcast(ports, prepared.effects, options.timeoutMs)) {
      if (reply?.type === '1b' && reply.bal === ballot) promises.push(reply)
      if (reply?.type === 'refused') highestSeen = Math.max(highestSeen, reply.maxBal)
    }
    // Propose our own value if the promises allow it, else the value they force.
    const allowed = proposable(config, ballot, promises, [value])
    const chosenValue = allowed.includes(value) ? value : allowed[0]
    if (chosenValue === undefined) {
      options.onRound?.(`ballot ${ballot}: ${promises.length} of ${ports.length} promised, no quorum`)
      await pause(round)
      continue
    }
    const accepted = stepProposer(config, proposer, { type: 'Accept', value: chosenValue, promises })
    if (isRefused(accepted)) throw new Error(accepted.refused)
    proposer = accepted.state
    for (const reply of await broadcast(ports, accepted.effects, options.timeoutMs)) {
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
async function broadcast(ports: readonly number[], effects: readonly { to: unknown; message: PaxosMessage }[], timeoutMs = 2000): Promise<(WireMessage | undefined)[]> {
  const replies = await Promise.allSettled(
    effects.map(({ to, message }) => request(ports[(to as { acceptor: number }).acceptor], message, timeoutMs)),
  )
  return replies.map((r) => (r.status === 'fulfilled' ? parseMessage(r.value) ?? undefined : undefined))
}

/** Competing proposers that retry in lockstep can pre-empt each other forever (Paxos's
 * liveness needs one to get ahead): wait a random, growing while. */
function pause(round: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (round + 1)))
}
