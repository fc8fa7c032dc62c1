// protocols/paxos-commit/model.ts follows PaxosCommit.tla: TLC's distinct and generated counts
// and depths on five configurations; --symmetry's classes as a hand-written renaming of RMs
// and acceptors counts them; each bug breaks its property with a shortest counterexample that
// replays as `reproduced` on the implementation with that bug (and not on the correct one);
// the implementation agrees with the model on random walks, while a one-rule mutant diverges.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { conform } from '../conformance/conform.js'
import { traceFromPath } from '../traces/itf.js'
import { replay } from '../api/replay.js'
import { paxosCommitDriver, paxosCommitDriverOf } from '../protocols/paxos-commit/driver.js'
import { stepAcceptor } from '../protocols/paxos-commit/impl/acceptor.js'
import { stepLeader } from '../protocols/paxos-commit/impl/leader.js'
import { stepRm } from '../protocols/paxos-commit/impl/resource-manager.js'
import { product } from '../protocols/paxos-commit/model.js'
import { assertFoundReplayedAndConforming } from './helpers/end-to-end.js'
import { findModel } from './helpers/models.js'

const model = findModel('paxos-commit')
const paxosCommit = (params: Record<string, number> = {}, bug?: string) => Instance.create(model, params, bug)

// [rm, acceptors, ballots, distinct, generated, depth], each as TLC 2.20 reports it for
// PaxosCommit.tla with Majority = every majority of the acceptors and Ballot = 0..ballots-1.
const tlc = [
  [2, 3, 1, 545, 4564, 12],
  [1, 3, 2, 1461, 10351, 15],
  [2, 1, 2, 1425, 9961, 16],
  [1, 1, 3, 245, 1265, 13],
  [2, 2, 2, 10821, 85671, 22],
] as const
// Also as TLC, checked outside the tests for time: rm=3 acceptors=3 ballots=1 gives 12,353
// distinct, 153,679 generated, depth 17; rm=2 acceptors=3 ballots=2 gives 1,321,761 distinct,
// 17,647,567 generated, depth 28 (171 s here, 15 min for TLC on one worker).

for (const [rm, acceptors, ballots, distinct, generated, depth] of tlc) {
  test(`paxos-commit rm=${rm} acceptors=${acceptors} ballots=${ballots}: ${distinct} distinct, ${generated} generated, depth ${depth}, as TLC`, () => {
    const r = bfs(paxosCommit({ rm, acceptors, ballots }))
    // `safe` also says every `sometimes` property (both outcomes; with ballots > 1, an abort
    // chosen in a leader's ballot) was reached: the check is not vacuous.
    assert.is(r.result, 'safe')
    assert.is(r.distinctStates, distinct)
    assert.is(r.generatedStates, generated)
    assert.is(r.depth, depth)
  })
}

test('paxos-commit --symmetry rm=2 acceptors=3 ballots=1: 101 classes of 545 states, as a hand-written renaming counts them', () => {
  const instance = paxosCommit({ rm: 2, acceptors: 3, ballots: 1 })
  const result = check(instance, 'bfs', { symmetry: new Symmetry(instance.schema, instance.protocol.symmetric ?? []) })
  assert.is(result.result, 'safe')
  // Brute force: every reachable state under every renaming of RMs (p) and acceptors (q).
  const states: any[] = []
  const seen = new Set<string>()
  const frontier: Uint32Array[] = []
  const visit = (s: Uint32Array) => {
    const key = s.join(',')
    if (!seen.has(key)) {
      seen.add(key)
      frontier.push(s.slice(0, instance.words))
    }
  }
  instance.initial((_o, _a, _p, s) => visit(s))
  for (let i = 0; i < frontier.length; i++) instance.successors(frontier[i], 0, (_o, _a, _p, s) => visit(s))
  for (const s of frontier) states.push(instance.schema.decode(s))
  assert.is(states.length, 545)
  const perms = (n: number): number[][] => (n === 1 ? [[0]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, at), n - 1, ...p.slice(at)])))
  const renamings = product([perms(2), perms(3)])
  const renamed = (s: any, p: number[], q: number[]) => {
    const rmState: unknown[] = []
    const aState: unknown[][] = [[], []]
    s.rmState.forEach((v: unknown, r: number) => (rmState[p[r]] = v))
    s.aState.forEach((byAcc: unknown[], r: number) => byAcc.forEach((v, a) => (aState[p[r]][q[a]] = v)))
    const msgs = s.msgs
      .map((m: any) => JSON.stringify({ ...m, ...('ins' in m ? { ins: p[m.ins] } : {}), ...('acc' in m ? { acc: q[m.acc] } : {}) }))
      .sort()
    return JSON.stringify([rmState, aState, msgs])
  }
  const classes = new Set(states.map((s) => renamings.map(([p, q]) => renamed(s, p, q)).sort()[0]))
  assert.is(classes.size, 101)
  assert.is(result.distinctStates, 101)
})

// [bug, params, property, states in the shortest counterexample]
const bugs = [
  ['commit-on-some-chosen', {}, 'TCConsistent', 7],
  ['accept-below-promise', {}, 'Agreement', 10],
  ['decide-from-minority', { rm: 1, acceptors: 3, ballots: 2 }, 'OneDecision', 10],
] as const

test('paxos-commit: every bug switch is covered here', () => {
  assert.equal(bugs.map(([bug]) => bug).sort(), Object.keys(model.bugs).sort())
})

for (const [bug, params, property, length] of bugs) {
  test(`paxos-commit --bug ${bug}: ${property} violated in ${length - 1} steps; reproduced on the implementation with the bug only`, async () => {
    const instance = paxosCommit(params, bug)
    const r = bfs(instance)
    assert.is(r.result, 'violation')
    assert.is(r.property, property)
    assert.is(r.path!.length, length)
    const trace = traceFromPath(instance, r.path!, { result: r.result, property: r.property })
    const replayed = await replay(trace)
    assert.is(replayed.divergence, null, JSON.stringify(replayed.divergence))
    assert.is(replayed.steps, length - 1)
    assert.is(replayed.reproduced, true)
    // Without the bug, the implementation refuses the step that breaks the protocol.
    const clean = await replay({ ...trace, '#meta': { ...trace['#meta'], bug: null } })
    assert.ok(clean.divergence, 'the correct implementation followed a buggy trace')
    assert.match(clean.divergence!.reason, /cannot take this step/)
    assert.is(clean.reproduced, false)
  })
}

test('paxos-commit through the CLI: check --bug --out, replay reproduced, conform agrees', () => {
  assertFoundReplayedAndConforming('paxos-commit', 'commit-on-some-chosen', 'TCConsistent', 6)
})

for (const [bug, params] of [[undefined, {}], ...bugs.map(([bug, params]) => [bug, params] as const)] as const) {
  const runs = bug ? 50 : 100
  test(`paxos-commit${bug ? ` --bug ${bug}` : ''}: ${runs} random walks of up to 40 steps agree, forbidden steps refused`, async () => {
    const r = await conform(paxosCommit(params, bug), paxosCommitDriver, { runs, seed: 5, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > runs * 10, `only ${r.stepsCompared} steps compared`)
  })
}

test('paxos-commit conform: an acceptor that forgets its vote when it promises diverges, shrunk to the steps that show it', async () => {
  const forgetful: typeof stepAcceptor = (config, state, event) => {
    const t = stepAcceptor(config, state, event)
    if ('refused' in t) return t
    return { ...t, effects: t.effects.map((e) => (e.message.type === 'phase1b' ? { ...e, message: { ...e.message, bal: -1, val: 'none' as const } } : e)) }
  }
  const r = await conform(paxosCommit(), paxosCommitDriverOf({ stepRm, stepAcceptor: forgetful, stepLeader }), { runs: 300, seed: 9, maxSteps: 40 })
  assert.is(r.result, 'diverge')
  const w = r.counterexample!
  // A leader's phase 1a, an RM's vote (here to abort), an acceptor's phase 2b for the vote,
  // then that acceptor's promise (which must report the vote).
  assert.equal(w.steps.map((s) => s.action), ['init', 'Phase1a', 'RMChooseToAbort', 'Phase2b', 'Phase1b'])
  assert.equal(w.divergence!.diff.map((d) => d.variable), ['msgs'])
})

test.run()
