// --symmetry: a state per class of states equal up to renaming node ids (resource managers,
// Paxos acceptors, Raft servers, nodes of a pointer graph).
// The distinct count must be the number of classes of reachable states, computed here by
// brute force (every reachable state without symmetry, every permutation, a renaming
// written for these models' variables independently of checker/symmetry.ts), and every
// counterexample must still be a real path of the model.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { defineModel, protocol, range } from '../checker/model.js'
import { mapOf, nodeId, record } from '../checker/schema.js'
import { findModel } from './helpers/models.js'
import { runCli } from './helpers/cli.js'
import { pathProblem } from './helpers/path-check.js'
import { moved, permutations, reachable } from './helpers/brute-force.js'

/** The state with resource manager i renamed to p[i], as a key that ignores set order. */
function renamedKey(state: any, p: number[]): string {
  const rmState: string[] = []
  state.rmState.forEach((v: string, i: number) => (rmState[p[i]] = v))
  const renamed: Record<string, unknown> = { rmState }
  if ('tmState' in state) {
    renamed.tmState = state.tmState
    renamed.tmPrepared = state.tmPrepared.map((r: number) => p[r]).sort()
    renamed.msgs = state.msgs.map((m: any) => JSON.stringify(m.type === 'Prepared' ? { type: m.type, rm: p[m.rm] } : m)).sort()
  }
  return JSON.stringify(renamed)
}

/** How many classes the reachable states fall into, a class being the least key over every
 * renaming p of the `nodes` nodes (`key(state, p)` is the state renamed by p, as a key). */
function classesByRenaming(instance: Instance, nodes: number, key: (state: any, p: number[]) => string): number {
  const perms = permutations(nodes)
  return new Set(reachable(instance).map((s) => perms.map((p) => key(s, p)).sort()[0])).size
}

function classes(model: string, rm: number): number {
  return classesByRenaming(Instance.create(findModel(model), { rm }), rm, renamedKey)
}

const symmetric = (model: string, rm: number, strategy = 'bfs', bug?: string) => {
  const instance = Instance.create(findModel(model), { rm }, bug)
  const symmetry = new Symmetry(instance.schema, instance.protocol.symmetric ?? [])
  return { instance, result: check(instance, strategy, { symmetry }) }
}

/** Classes of two-phase commit's states, counted another way: a resource manager takes part
 * in a state only through its own state, its tmPrepared bit and its Prepared message, so a
 * class is the transaction manager's part plus the sorted list of those profiles. */
function classesByProfile(rm: number): number {
  const keys = reachable(Instance.create(findModel('two-phase-commit'), { rm })).map((s) => {
    const prepared = new Set(s.msgs.filter((m: any) => m.type === 'Prepared').map((m: any) => m.rm))
    const profiles = s.rmState.map((state: string, r: number) => `${state}/${s.tmPrepared.includes(r)}/${prepared.has(r)}`).sort()
    return JSON.stringify([s.tmState, s.msgs.filter((m: any) => m.type !== 'Prepared').map((m: any) => m.type).sort(), profiles])
  })
  return new Set(keys).size
}

// Classes of reachable states (pinned; the brute force below recomputes them for rm <= 4,
// the profiles for rm <= 6).
const pins: [string, number, number][] = [
  ['two-phase-commit', 3, 80],
  ['two-phase-commit', 4, 166],
  ['two-phase-commit', 5, 314],
  ['two-phase-commit', 6, 553],
  ['two-phase-commit', 8, 1461],
  ['transaction-commit', 3, 13],
  ['transaction-commit', 4, 19],
  ['transaction-commit', 5, 26],
]
for (const [model, rm, count] of pins) {
  test(`--symmetry ${model} rm=${rm}: ${count} classes, with bfs and dfs`, () => {
    for (const strategy of ['bfs', 'dfs']) {
      const { result } = symmetric(model, rm, strategy)
      assert.is(result.result, 'safe', strategy)
      assert.is(result.distinctStates, count, strategy)
    }
    if (rm <= 4) assert.is(classes(model, rm), count, 'brute force')
    if (model === 'two-phase-commit' && rm <= 6) assert.is(classesByProfile(rm), count, 'profiles')
  })
}

// Nodes alike but not interchangeable: each node points at one node (itself at first), and a
// step re-points one. Every function from nodes to nodes is reachable; up to renaming they
// are the functional digraphs, 3, 7, 19 and 47 of them for 2 to 5 nodes (OEIS A001372). Two
// nodes that nothing points at and that point elsewhere have the same signature, yet swapping
// them changes the state unless they point at the same node: those groups are tried in every
// order.
const pointers = defineModel({
  name: 'pointers',
  summary: 'each node points at a node',
  params: { nodes: { description: 'nodes', default: 3, minimum: 1, maximum: 6 } },
  bugs: {},
  build: ({ nodes }) => {
    const Node = nodeId('node', nodes)
    return protocol({
      state: record({ next: mapOf(Node, Node) }),
      actions: { Point: { i: Node, j: Node } },
      init: (emit) => emit((d) => range(nodes).forEach((i) => d.next.set(i, i))),
      next: (s, emit) => {
        for (const i of range(nodes)) for (const j of range(nodes)) if (s.next.get(i) !== j) emit('Point', { i, j }, (d) => d.next.set(i, j))
      },
      symmetric: ['node'],
      always: {},
    })
  },
})
for (const [nodes, count] of [[2, 3], [3, 7], [4, 19], [5, 47]]) {
  test(`--symmetry over nodes that point at nodes: ${count} classes of ${nodes ** nodes} states for ${nodes} nodes`, () => {
    const instance = Instance.create(pointers, { nodes })
    assert.is(check(instance, 'bfs').distinctStates, nodes ** nodes)
    const symmetry = new Symmetry(instance.schema, ['node'])
    assert.is(check(instance, 'bfs', { symmetry }).distinctStates, count)
  })
}

for (const [model, bug] of [
  ['two-phase-commit', 'commit-on-any-prepared'],
  ['two-phase-commit', 'abort-after-prepare'],
  ['transaction-commit', 'abort-despite-commit'],
]) {
  test(`--symmetry ${model} --bug ${bug}: the counterexample is a real path, shortest as without symmetry`, () => {
    const { instance, result } = symmetric(model, 3, 'bfs', bug)
    assert.is(result.result, 'violation')
    assert.is(pathProblem(instance, result.path!), null)
    assert.not.ok(instance.holds('TCConsistent', result.path!.at(-1)!.state))
    const plain = check(Instance.create(findModel(model), { rm: 3 }, bug), 'bfs')
    assert.is(result.path!.length, plain.path!.length)
  })
}

/** A raft state (decoded) with server k renamed to p[k], as a key that ignores set and bag
 * order: every variable of raft.tla that holds server ids, renamed here by hand. */
function raftRenamedKey(s: any, p: number[]): string {
  const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort()
  const server = (v: number) => (v === -1 ? -1 : p[v])
  const perServer = <T>(m: T[], f?: (x: T) => unknown) => moved(m, p, f)
  return JSON.stringify({
    messages: sorted(s.messages.map(([m, n]: [any, number]) => [{ ...m, msource: p[m.msource], mdest: p[m.mdest] }, n])),
    elections: sorted(s.elections.map((e: any) => ({ ...e, eleader: p[e.eleader], evotes: e.evotes.map(server).sort(), evoterLog: perServer(e.evoterLog) }))),
    allLogs: sorted(s.allLogs),
    currentTerm: perServer(s.currentTerm),
    state: perServer(s.state),
    votedFor: perServer(s.votedFor, server),
    log: perServer(s.log),
    commitIndex: perServer(s.commitIndex),
    votesResponded: perServer(s.votesResponded, (set: number[]) => set.map(server).sort()),
    votesGranted: perServer(s.votesGranted, (set: number[]) => set.map(server).sort()),
    voterLog: perServer(s.voterLog, (m: any[]) => perServer(m)),
    nextIndex: perServer(s.nextIndex, (m: number[]) => perServer(m)),
    matchIndex: perServer(s.matchIndex, (m: number[]) => perServer(m)),
  })
}

for (const [params, count] of [[{}, 889], [{ maxMessages: 2 }, 12606]] as const) {
  test(`--symmetry raft ${JSON.stringify(params)}: ${count} classes, as a hand-written renaming counts them`, () => {
    const instance = Instance.create(findModel('raft'), params)
    const symmetry = new Symmetry(instance.schema, instance.protocol.symmetric ?? [])
    const result = check(instance, 'bfs', { symmetry })
    assert.is(result.result, 'safe')
    assert.is(result.distinctStates, count)
    assert.is(classesByRenaming(instance, 2, raftRenamedKey), count)
  })
}

test('--symmetry paxos: 857 classes of 3,921 states, as a hand-written renaming of the acceptors counts them', () => {
  const instance = Instance.create(findModel('paxos'), {})
  const result = check(instance, 'bfs', { symmetry: new Symmetry(instance.schema, instance.protocol.symmetric ?? []) })
  assert.is(result.result, 'safe')
  assert.is(result.distinctStates, 857)
  const renamed = (s: any, p: number[]) => {
    const msgs = s.msgs.map((m: any) => JSON.stringify('acc' in m ? { ...m, acc: p[m.acc] } : m)).sort()
    return JSON.stringify([moved(s.maxBal, p), moved(s.maxVBal, p), moved(s.maxVal, p), msgs])
  }
  assert.is(classesByRenaming(instance, 3, renamed), 857)
})

test('--symmetry lock-service: 18,630 classes of 37,125 states, as a hand-written renaming of the clients counts them', () => {
  const instance = Instance.create(findModel('lock-service'), {})
  const result = check(instance, 'bfs', { symmetry: new Symmetry(instance.schema, instance.protocol.symmetric ?? []) })
  assert.is(result.result, 'safe')
  assert.is(result.distinctStates, 18630)
  const renamed = (s: any, p: number[]) => {
    const lock = { ...s.lock, holder: s.lock.holder === -1 ? -1 : p[s.lock.holder] }
    return JSON.stringify([s.now, moved(s.skew, p), lock, s.leases, moved(s.client, p), moved(s.inflight, p), s.storage])
  }
  assert.is(classesByRenaming(instance, 2, renamed), 18630)
})

test('--symmetry on the CLI; a model without symmetric roles is bad input', () => {
  const ok = runCli(['check', 'two-phase-commit', '--param', 'rm=4', '--symmetry'])
  assert.is(ok.code, 0)
  assert.match(ok.stdout, /unique=166 /)
  assert.match(ok.stderr, /symmetry over rm \(24 renamings\)/)
  const model = findModel('two-phase-commit')
  const asymmetric = { ...model, build: (p: any, b: any) => ({ ...model.build(p, b), symmetric: undefined }) }
  const instance = Instance.create(asymmetric, { rm: 3 })
  assert.throws(() => new Symmetry(instance.schema, instance.protocol.symmetric ?? [], 'x'), /--symmetry: x declares no symmetric roles/)
})

test.run()
