// raft must reach exactly TLC's counts on Ongaro's raft.tla (history variables included), its
// properties must hold on the correct model and reach their witnesses, and each bug switch
// must break the property it is about, with a shortest counterexample.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { findModel } from './helpers/models.js'

const raft = findModel('raft')

// [params, distinct, generated (TLC's, where recorded)]
const counts: [Record<string, number>, number, number?][] = [
  [{ servers: 2, values: 1, maxTerm: 2, maxLogLength: 1, maxMessages: 1 }, 1760, 13797],
  [{ servers: 2, values: 1, maxTerm: 2, maxLogLength: 1, maxMessages: 2 }, 25164],
  [{ servers: 2, values: 1, maxTerm: 2, maxLogLength: 2, maxMessages: 2 }, 69606],
]
for (const [params, distinct, generated] of counts) {
  const label = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')
  test(`raft ${label}: ${distinct.toLocaleString('en')} distinct states, as TLC`, () => {
    const r = bfs(Instance.create(raft, params))
    assert.is(r.result, 'safe', r.reason ?? undefined)
    assert.is(r.distinctStates, distinct)
    if (generated !== undefined) assert.is(r.generatedStates, generated)
    // Elections, replication and commitment all happen (stale responses, rejections and
    // conflicts need a third term, beyond maxTerm=2).
    for (const action of ['BecomeLeader', 'ClientRequest', 'AppendEntriesRequestAppend', 'HandleAppendEntriesResponse', 'AdvanceCommitIndex']) {
      assert.ok(r.coverage[action] > 0, `${action} never enabled`)
    }
  })
}

test('raft: a message received to its last copy leaves the bag (count 0 is not a state of its own)', () => {
  // From a state with one RequestVoteRequest in flight, handling it leaves only the response.
  const instance = Instance.create(raft, { servers: 2 })
  let words: Uint32Array | undefined
  instance.initial((_o, _a, _p, s) => (words = s.slice()))
  const follow = (action: string, picks: Record<string, unknown>) => {
    let next: Uint32Array | undefined
    instance.successors(words!, 0, (_o, a, p, s) => {
      if (instance.actionNames[a] === action && JSON.stringify(p) === JSON.stringify(picks)) next = s.slice()
    })
    assert.ok(next, `${action} ${JSON.stringify(picks)} not enabled`)
    words = next
    return instance.schema.decode(next!) as any
  }
  follow('Timeout', { i: 0 })
  const sent = follow('RequestVote', { i: 0, j: 0 })
  assert.is(sent.messages.length, 1)
  const request = sent.messages[0][0]
  const handled = follow('HandleRequestVoteRequest', { m: request })
  assert.equal(handled.messages.map(([m, n]: [any, number]) => [m.mtype, n]), [['RequestVoteResponse', 1]])
  assert.is(handled.votedFor[0], 0)
})

test('raft: without AdvanceCommitIndex nothing is ever committed, and the check says so', () => {
  const noCommit = {
    ...raft,
    build: (p: any, bug: any) => {
      const protocol = raft.build(p, bug)
      return { ...protocol, next: (s: any, emit: any) => protocol.next(s, (a: string, picks: any, w: any) => a !== 'AdvanceCommitIndex' && emit(a, picks, w)) }
    },
  }
  const r = bfs(Instance.create(noCommit, {}))
  assert.is(r.result, 'never-witnessed')
  assert.is(r.property, 'EntryCommitted')
  assert.is(r.path, null)
})

// [bug, params, property broken, length of the shortest counterexample (states, initial included)]
const bugs: [string, Record<string, number>, string, number][] = [
  ['truncate-on-stale-append', { servers: 2, maxTerm: 2, maxLogLength: 1, maxMessages: 2 }, 'CommittedOnQuorum', 18],
  ['vote-without-log-check', { servers: 2, maxTerm: 3, maxLogLength: 1, maxMessages: 1 }, 'LeaderLogUpToDate', 20],
  ['vote-not-persisted', { servers: 3, maxTerm: 2, maxLogLength: 0, maxMessages: 1 }, 'ElectionSafety', 19],
]
for (const [bug, params, property, length] of bugs) {
  test(`raft --bug ${bug}: ${property} violated, shortest trace ${length} states`, () => {
    // Only the property at stake is checked: the state space is what it is, the test is faster.
    const instance = Instance.create(raft, params, bug, [property])
    const r = bfs(instance)
    assert.is(r.result, 'violation')
    assert.is(r.property, property)
    assert.is(r.path!.length, length)
    const states = r.path!.map((s) => s.state)
    assert.not.ok(instance.holds(property, states.at(-1)!))
    assert.ok(states.slice(0, -1).every((s) => instance.holds(property, s)))
    // The same configuration without the bug is safe for that property (the 3-server one is
    // left to the correct model's own tests: it is the slowest configuration here).
    if (params.servers === 2) assert.is(bfs(Instance.create(raft, params, undefined, [property])).result, 'safe')
  })
}

test.run()
