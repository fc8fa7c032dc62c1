// The Raft dissertation's Figure 3.7, on three servers: why a leader must not commit an entry of
// an earlier term by counting its replicas. The counterexample needs four elections and is 50
// steps long, deeper than exhaustive search reaches on raft.tla with three servers (1.9 million
// states and depth 33 after two minutes, with a single election), and swarm walks find it in about one walk of
// 200,000 (minimised to 53 or 54 states, not 51); so the scenario is written out here, step by
// step in the model's own actions, and shipped as
// the ITF trace specs/traces/raft-commit-earlier-term.itf.json, which `check specs/` re-checks
// (every step enabled, the violation at its end) and `replay` runs on the implementation.
//
// PROTOCHECK_WRITE_TRACES=1 rewrites the shipped trace from the scenario (after a change to the
// model); otherwise the test requires the two to be the same.

import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import type { Step } from '../checker/path.js'
import { findModel } from './helpers/models.js'
import { traceFromPath, writeTraceFile } from '../traces/itf.js'
import { simulate } from '../checker/simulate.js'
import { minimizePath } from '../checker/minimize.js'
import { decodeTrace, stepProblem } from '../traces/read.js'
import { runCliJson } from './helpers/cli.js'

const raft = findModel('raft')
const params = { servers: 3, values: 1, maxTerm: 5, maxLogLength: 1, maxMessages: 1 }
const bug = 'commit-earlier-term'
const shipped = new URL('../../specs/traces/raft-commit-earlier-term.itf.json', import.meta.url)

/** A step named by its action and, for actions of servers, the servers it picks; a message
 * action needs no more, since at most one message is in flight (maxMessages=1). */
type Move = { action: string; i?: number; j?: number }

const S1 = 0
const S2 = 1
const S3 = 2

/** Candidate c wins the next term (after `timeouts` timeouts) with its own vote and voter's. */
function election(c: number, voter: number, timeouts = 1, voterIsBehind = true): Move[] {
  return [
    ...Array.from({ length: timeouts }, () => ({ action: 'Timeout', i: c })),
    { action: 'RequestVote', i: c, j: c },
    { action: 'HandleRequestVoteRequest' },
    { action: 'HandleRequestVoteResponse' },
    { action: 'RequestVote', i: c, j: voter },
    ...(voterIsBehind ? [{ action: 'UpdateTerm' }] : []),
    { action: 'HandleRequestVoteRequest' },
    { action: 'HandleRequestVoteResponse' },
    { action: 'BecomeLeader', i: c },
  ]
}

const figure37: Move[] = [
  // (a) S1 leads term 2 and appends an entry it replicates to nobody.
  ...election(S1, S2),
  { action: 'ClientRequest', i: S1 },
  // (b) S2 leads term 3 with S3's vote (neither has S1's entry) and appends its own entry.
  ...election(S2, S3),
  { action: 'ClientRequest', i: S2 },
  // (c) S1 restarts and leads term 4 with S3's vote; it replicates its term-2 entry to S3 (the
  // first AppendEntries probes past S3's empty log and is refused) and, with the bug, commits
  // it: a majority stores it, but it is not of the current term.
  { action: 'Restart', i: S1 },
  ...election(S1, S3, 2),
  { action: 'AppendEntries', i: S1, j: S3 },
  { action: 'RejectAppendEntriesRequest' },
  { action: 'HandleAppendEntriesResponse' },
  { action: 'AppendEntries', i: S1, j: S3 },
  { action: 'AppendEntriesRequestAppend' },
  { action: 'AcceptAppendEntriesRequest' },
  { action: 'HandleAppendEntriesResponse' },
  { action: 'AdvanceCommitIndex', i: S1 },
  // (d) S2 restarts and leads term 5 with S3's vote (its term-3 entry is more up to date than
  // S3's term-2 one): a leader without the committed entry, which it would overwrite.
  { action: 'Restart', i: S2 },
  ...election(S2, S3, 2),
]

/** The path that takes `moves` in the model, from its one initial state. */
function follow(instance: Instance, moves: readonly Move[]): Step[] {
  let initial: Uint32Array | undefined
  instance.initial((_ordinal, _action, _picks, state) => (initial = state.slice()))
  const path: Step[] = [{ action: 'init', picks: {}, state: initial! }]
  for (const [k, move] of moves.entries()) {
    let taken: Step | undefined
    instance.successors(path.at(-1)!.state, 0, (_ordinal, action, picks, successor) => {
      const p = picks as { i?: number; j?: number }
      if (taken || instance.actionNames[action] !== move.action || (move.i !== undefined && p.i !== move.i) || (move.j !== undefined && p.j !== move.j)) return
      taken = { action: move.action, picks, state: successor.slice() }
    })
    assert.ok(taken, `step ${k + 1} (${JSON.stringify(move)}) is not enabled`)
    path.push(taken!)
  }
  return path
}

const buggy = Instance.create(raft, params, bug)
const path = follow(buggy, figure37)
const broken = (instance: Instance, state: Uint32Array) => instance.allProperties.filter((p) => p.kind === 'always' && !instance.holds(p.name, state)).map((p) => p.name)

test('Figure 3.7 with the bug: a term-2 entry committed in term 4 is missing from the leader of term 5 (LeaderCompleteness)', () => {
  assert.is(path.length, 51)
  assert.ok(path.slice(0, -1).every((s) => broken(buggy, s.state).length === 0), 'a property broke before the last state')
  assert.equal(broken(buggy, path.at(-1)!.state), ['LeaderCompleteness'])
  // The commit happened: S1's commitIndex, read from the state, is 1 after its AdvanceCommitIndex.
  const commit = path.findIndex((s) => s.action === 'AdvanceCommitIndex')
  assert.is((buggy.schema.decode(path[commit].state) as any).commitIndex[S1], 1)
})

test('Figure 3.7 without the bug: the same steps are taken, but nothing is committed and no property breaks', () => {
  const correct = Instance.create(raft, params)
  const same = follow(correct, figure37)
  assert.ok(same.every((s) => broken(correct, s.state).length === 0))
  assert.ok(same.every((s) => (correct.schema.decode(s.state) as any).commitIndex.every((c: number) => c === 0)))
})

test('Figure 3.7: no step can be cut or bypassed (minimisation keeps all 51 states)', () => {
  const minimized = minimizePath(buggy, path, { result: 'violation', property: 'LeaderCompleteness' })
  assert.is(minimized.after, path.length)
})

test('Figure 3.7 by swarm simulation: seed 328 breaks LeaderCompleteness in walk 674; the same walks without the bug do not', () => {
  const options = { seed: 328, runs: 675, depth: 150, swarm: true }
  const found = simulate(buggy, options)
  assert.equal([found.result, found.property, found.failingRun], ['violation', 'LeaderCompleteness', 674])
  assert.is(simulate(Instance.create(raft, params), options).result, 'no-violation-found')
})

test('Figure 3.7: the shipped trace is this scenario, and a path of the model', () => {
  const trace = traceFromPath(buggy, path, {
    result: 'violation',
    property: 'LeaderCompleteness',
    description: "the Raft dissertation's Figure 3.7 on three servers: a leader commits an entry of an earlier term by counting replicas, and a later leader lacks it",
  })
  if (process.env.PROTOCHECK_WRITE_TRACES === '1') writeTraceFile(fileURLToPath(shipped), trace)
  assert.ok(existsSync(shipped), `${fileURLToPath(shipped)} is missing (PROTOCHECK_WRITE_TRACES=1 writes it)`)
  const steps = decodeTrace(buggy, JSON.parse(readFileSync(shipped, 'utf8')))
  assert.is(stepProblem(buggy, steps), null)
  assert.equal(
    steps.map((s) => [s.action, JSON.stringify(s.picks), [...s.state]]),
    path.map((s) => [s.action, JSON.stringify(s.picks), [...s.state]]),
    'the shipped trace differs from the scenario: PROTOCHECK_WRITE_TRACES=1 rewrites it',
  )
})

test('Figure 3.7 on the CLI: `replay` of the shipped trace reproduces LeaderCompleteness\'s violation on protocols/raft/impl with the bug', () => {
  const { code, report } = runCliJson(['replay', fileURLToPath(shipped)])
  assert.is(code, 0)
  assert.equal(report, { model: 'raft', steps: 50, divergence: null, property: 'LeaderCompleteness', reproduced: true })
})

test.run()
