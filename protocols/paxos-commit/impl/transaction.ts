// One transaction of Paxos Commit over TCP: the resource managers and the leader, as clients of
// the acceptor processes (acceptor-node.ts), each running its sans-IO core from this folder.
// Each RM votes by sending its ballot-0 phase 2a message to every acceptor. For each instance
// that has no majority of votes (its RM went silent, or votes were lost), the leader runs one
// of its own ballots: a phase 1a, the value a majority's promises force (a cast vote is never
// lost; an instance nobody voted in is aborted), a phase 2a. Then it decides, citing its
// evidence, and tells every RM. Acceptors that are down or refuse are simply not counted.

import { isRefused } from '../../../conformance/transition.js'
import { request } from '../../../runtime/tcp.js'
import { majorities } from '../../paxos/impl/messages.js'
import { initialLeader, stepLeader, type LeaderConfig, type LeaderState } from './leader.js'
import type { Address, Evidence, PaxosCommitMessage, Phase1b, Phase2b, RmId, Vote } from './messages.js'
import { initialRm, stepRm, type RmState } from './resource-manager.js'
import { parseMessage } from './wire.js'

export interface TransactionOptions {
  /** Acceptor i listens on ports[i]. */
  readonly ports: readonly number[]
  /** What each RM does: vote prepared, vote aborted, or never vote (it crashed). */
  readonly rms: readonly ('prepare' | 'abort' | 'silent')[]
  /** The ballots (above 0) this leader owns, tried in order; leaders must not share one. */
  readonly leaderBallots?: readonly number[]
  readonly timeoutMs?: number
}

export interface TransactionResult {
  readonly outcome: 'Commit' | 'Abort'
  /** Each RM's state once the outcome reached it. */
  readonly rmStates: readonly RmState['rmState'][]
  /** Per instance, the ballot and quorum whose votes decided it (the leader's evidence). */
  readonly evidence: readonly (Evidence & { readonly val: Vote })[]
}

export async function runTransaction(options: TransactionOptions): Promise<TransactionResult> {
  const { ports, timeoutMs = 2000 } = options
  const acceptors = ports.length
  const rmCount = options.rms.length
  const promises: Phase1b[] = []
  const votes: Phase2b[] = []

  /** Deliver sends to acceptors, in parallel; keep their well-formed phase 1b and 2b replies. */
  async function deliver(effects: readonly { to: Address; message: PaxosCommitMessage }[]) {
    const replies = await Promise.allSettled(
      effects.map((e) => (typeof e.to === 'object' && 'acceptor' in e.to ? request(ports[e.to.acceptor], e.message, timeoutMs) : Promise.reject())),
    )
    for (const r of replies) {
      if (r.status !== 'fulfilled') continue
      const m = parseMessage(r.value)
      if (m?.type === 'phase1b') promises.push(m)
      if (m?.type === 'phase2b') votes.push(m)
    }
  }

  // The RMs vote, all at once.
  let rms: RmState[] = Array.from({ length: rmCount }, (_, r) => initialRm(r))
  await Promise.all(
    options.rms.map(async (plan, r) => {
      if (plan === 'silent') return
      const t = stepRm({ acceptors }, rms[r], { type: plan === 'prepare' ? 'Prepare' : 'ChooseToAbort' })
      if (isRefused(t)) throw new Error(t.refused)
      rms[r] = t.state
      await deliver(t.effects)
    }),
  )

  const config: LeaderConfig = { rm: rmCount, acceptors }
  let leader: LeaderState = initialLeader
  const chosen = (ins: RmId) => evidenceIn(votes, ins, acceptors)

  // The leader recovers every instance not yet decided, with its own ballots.
  for (let ins = 0; ins < rmCount; ins++) {
    for (const bal of options.leaderBallots ?? [1, 2, 3]) {
      if (chosen(ins)) break
      const start = stepLeader(config, leader, { type: 'StartBallot', ins, bal })
      if (isRefused(start)) throw new Error(start.refused)
      await deliver(start.effects)
      const quorum = majorities(acceptors).find((q) => q.every((a) => promises.some((m) => m.ins === ins && m.mbal === bal && m.acc === a)))
      if (!quorum) continue
      const propose = stepLeader(config, leader, { type: 'Propose', ins, bal, quorum, promises })
      if (isRefused(propose)) continue
      leader = propose.state
      await deliver(propose.effects)
    }
  }

  const evidence = Array.from({ length: rmCount }, (_, ins) => chosen(ins))
  const abortedAt = evidence.findIndex((e) => e?.val === 'aborted')
  const decision =
    abortedAt >= 0
      ? stepLeader(config, leader, { type: 'DecideAbort', ins: abortedAt, evidence: evidence[abortedAt]!, votes })
      : stepLeader(config, leader, { type: 'DecideCommit', evidence: evidence.map((e) => e ?? { bal: 0, quorum: [] }), votes })
  if (isRefused(decision)) throw new Error(`no decision: ${decision.refused}`)

  // The outcome reaches every RM (a crashed one learns it when it comes back).
  rms = rms.map((state, r) => {
    const sent = decision.effects.find((e) => typeof e.to === 'object' && 'rm' in e.to && e.to.rm === r)!
    const t = stepRm({ acceptors }, state, { type: 'Receive', message: sent.message })
    if (isRefused(t)) throw new Error(t.refused)
    return t.state
  })
  return {
    outcome: abortedAt >= 0 ? 'Abort' : 'Commit',
    rmStates: rms.map((r) => r.rmState),
    evidence: evidence.map((e) => e!),
  }
}

/** A ballot and a majority that all voted one value in it for instance `ins`, if any. */
export function evidenceIn(votes: readonly Phase2b[], ins: RmId, acceptors: number): (Evidence & { val: Vote }) | null {
  for (const m of votes) {
    if (m.ins !== ins) continue
    const quorum = majorities(acceptors).find((q) => q.every((a) => votes.some((x) => x.ins === ins && x.bal === m.bal && x.val === m.val && x.acc === a)))
    if (quorum) return { bal: m.bal, quorum, val: m.val }
  }
  return null
}
