// Random simulation: seeded, reproducible, independent streams per seed and per walk, the
// same result over worker threads, violations found and minimised to near-shortest traces.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import { defineModel, protocol } from '../checker/model.js'
import { int, record } from '../checker/schema.js'
import { RandomStream } from '../checker/random.js'
import { simulate, type SimulationResult } from '../checker/simulate.js'
import { simulateInWorkers } from '../checker/swarm.js'
import { findModel } from './helpers/models.js'
import { minimizePath } from '../checker/minimize.js'
import { runCli, runCliJson } from './helpers/cli.js'

const scratch = mkdtempSync(join(tmpdir(), 'protocheck-simulate-'))
const twoPhase = (rm: number, bug?: string) => Instance.create(findModel('two-phase-commit'), { rm }, bug)
const draws = (seed: number, stream: number, n: number) => {
  const random = new RandomStream(seed, stream)
  return Array.from({ length: n }, () => random.next())
}
/** The result without its timing, which is all that may differ between two runs. */
const untimed = ({ seconds: _, path, ...rest }: SimulationResult) => ({ ...rest, path: path?.map((s) => [s.action, s.picks, [...s.state]]) })

test('random streams: the same seed and walk give the same numbers; adjacent seeds and walks are unrelated', () => {
  assert.equal(draws(42, 0, 100), draws(42, 0, 100))
  // A counter-seeded generator gives shifted copies of one stream for adjacent seeds: look
  // for any shift of one stream's start within the other.
  const isShiftOf = (a: number[], b: number[]) => a.some((_, k) => k + 16 <= a.length && b.slice(0, 16).every((x, i) => a[k + i] === x))
  assert.ok(isShiftOf(draws(1, 0, 200), draws(1, 0, 200).slice(5)), 'the shift detector detects a shift')
  for (const [x, y] of [[[1, 0], [2, 0]], [[2, 0], [1, 0]], [[7, 0], [7, 1]], [[7, 1], [7, 0]], [[0, 0], [2 ** 32, 0]]]) {
    const a = draws(x[0], x[1], 200)
    const b = draws(y[0], y[1], 200)
    assert.not.ok(isShiftOf(a, b), `(seed, walk) ${x} vs ${y}`)
  }
})

test('random streams: below(n) stays in range and is close to uniform', () => {
  const random = new RandomStream(5, 0)
  const counts = [0, 0, 0]
  for (let i = 0; i < 30_000; i++) counts[random.below(3)]++
  for (const c of counts) assert.ok(c > 9_500 && c < 10_500, `${counts}`)
  assert.equal(new Set(Array.from({ length: 200 }, () => random.below(1))), new Set([0]))
})

test('the same seed gives the same walks; another seed gives other walks', () => {
  const instance = twoPhase(4)
  const a = simulate(instance, { seed: 11, runs: 50, depth: 30 })
  const b = simulate(twoPhase(4), { seed: 11, runs: 50, depth: 30 })
  const c = simulate(instance, { seed: 12, runs: 50, depth: 30 })
  assert.is(a.result, 'no-violation-found')
  assert.equal(untimed(a), untimed(b))
  assert.not.equal(untimed(a).coverage, untimed(c).coverage)
  assert.is(a.runs, 50)
  assert.ok(a.distinctStates > 1 && a.distinctStates <= 1568, `${a.distinctStates}`)
  // A walk ends at its depth, or where every step left would change nothing (the transaction
  // decided and every message received): no walk of 30 steps idles on self-loops.
  assert.ok(a.steps > 50 * 4 && a.steps < 50 * 30, `${a.steps}`)
  assert.is(Object.values(a.coverage).reduce((x, y) => x + y, 0), a.steps)
  // A violation too: the same walk, to the same state.
  const violation = { seed: 1, runs: 1000, depth: 40 }
  const found = simulate(twoPhase(6, 'commit-on-any-prepared'), violation)
  assert.is(found.result, 'violation')
  assert.equal(untimed(simulate(twoPhase(6, 'commit-on-any-prepared'), violation)), untimed(found))
})

// Every bug at rm=6, where the walks are long enough for random simulation to mean something:
// found from a fixed seed, the same way twice, and minimised to at most twice the BFS shortest.
// (prepared-ignores-abort breaks only liveness, which simulation does not check.)
for (const bug of Object.keys(findModel('two-phase-commit').bugs).filter((b) => b !== 'prepared-ignores-abort')) {
  test(`two-phase-commit rm=6 --bug ${bug}: found from seed 1, reproducibly, minimised to <= 2x the BFS shortest`, () => {
    const instance = twoPhase(6, bug)
    const options = { seed: 1, runs: 5000, depth: 40 }
    const found = simulate(instance, options)
    assert.is(found.result, 'violation')
    assert.is(found.property, 'TCConsistent')
    // (Reproducibility of violations: the next test and the CLI's `reproduce` test.)
    const walk = found.path!
    assert.is(walk[0].action, 'init')
    assert.not.ok(instance.holds('TCConsistent', walk.at(-1)!.state))
    assert.ok(walk.slice(0, -1).every((s) => instance.holds('TCConsistent', s.state)))
    const shortest = bfs(twoPhase(6, bug)).path!.length
    const { path, before, after } = minimizePath(instance, walk, { result: 'violation', property: 'TCConsistent' })
    assert.is(before, walk.length)
    assert.is(after, path.length)
    assert.ok(after <= 2 * shortest, `minimised ${after} states, BFS shortest ${shortest}`)
    assert.ok(after >= shortest, `minimised ${after} states is shorter than BFS's ${shortest}: BFS or the minimiser is wrong`)
    assert.not.ok(instance.holds('TCConsistent', path.at(-1)!.state))
  })
}

test('--swarm reaches a violation far deeper than BFS can exhaust: abort-after-prepare at rm=12', () => {
  // The shortest counterexample is every RM preparing, the TM receiving each, committing, one
  // RM receiving the commit and another aborting: 2 rm + 4 states (BFS gives 10 at rm=3, 16 at
  // rm=6 above). At rm=12 that is depth 28, while BFS stalls around depth 10 (millions of states).
  // Uniform walks almost never get there: TMAbort and RMChooseToAbort are enabled all along.
  const shortest = 2 * 12 + 4
  const instance = twoPhase(12, 'abort-after-prepare')
  const uniform = simulate(instance, { seed: 1, runs: 300, depth: 80 })
  assert.is(uniform.result, 'no-violation-found')
  const swarm = simulate(instance, { seed: 1, runs: 300, depth: 80, swarm: true })
  assert.is(swarm.result, 'violation')
  assert.equal(untimed(simulate(twoPhase(12, 'abort-after-prepare'), { seed: 1, runs: 300, depth: 80, swarm: true })), untimed(swarm))
  const { path } = minimizePath(instance, swarm.path!, { result: 'violation', property: 'TCConsistent' })
  assert.ok(path.length >= shortest && path.length <= 2 * shortest, `${path.length} states`)
})

test('a state outside the constraint is checked, then ends the walk; it is never counted as distinct', () => {
  const model = findModel('two-phase-commit')
  // No RM committed: a state where one has is still checked, but neither stored nor expanded.
  const within = (s: any) => !s.rmState.some((v: string) => v === 'committed')
  const constrained = { ...model, build: (p: any, bug: any) => ({ ...model.build(p, bug), within }) }
  const exhaustive = bfs(Instance.create(constrained, { rm: 3 }))
  const walks = simulate(Instance.create(constrained, { rm: 3 }), { seed: 2, runs: 300, depth: 50 })
  assert.is(walks.result, 'no-violation-found')
  assert.ok(walks.distinctStates <= exhaustive.distinctStates, `${walks.distinctStates} > ${exhaustive.distinctStates}`)
  assert.ok(walks.steps < 300 * 50, 'walks end when they leave the constraint')
  // With the bug, the violating state (one RM committed, another aborted) lies outside the
  // constraint: it is still found, as BFS finds it.
  const buggy = simulate(Instance.create(constrained, { rm: 3 }, 'commit-on-any-prepared'), { seed: 2, runs: 300, depth: 50 })
  assert.is(buggy.result, 'violation')
  assert.is(bfs(Instance.create(constrained, { rm: 3 }, 'commit-on-any-prepared')).result, 'violation')
  // The minimised trace, too, goes through states inside the constraint only, to one outside it.
  const instance = Instance.create(constrained, { rm: 3 }, 'commit-on-any-prepared')
  const { path } = minimizePath(instance, buggy.path!, { result: 'violation', property: 'TCConsistent' })
  const inside = path.map((step) => within(instance.schema.decode(step.state)))
  assert.equal(inside, [...path.slice(1).map(() => true), false])
  // A trace that steps on from a state outside the constraint is not one the checker could take.
  const beyond = [...path]
  instance.successors(path.at(-1)!.state, 0, (_o, action, picks, state) => {
    if (beyond.length === path.length) beyond.push({ action: instance.actionNames[action], picks, state: state.slice() })
  })
  assert.throws(() => minimizePath(instance, beyond, { result: 'violation', property: 'TCConsistent' }), /state \d+ lies outside the model's constraint/)
})

test('a state with no enabled step ends a walk as a deadlock, unless it is terminal', () => {
  const model = findModel('transaction-commit')
  const noTerminal = { ...model, build: (p: any, bug: any) => ({ ...model.build(p, bug), terminal: undefined }) }
  const deadlocked = simulate(Instance.create(noTerminal, { rm: 2 }), { seed: 3, runs: 10, depth: 50 })
  assert.is(deadlocked.result, 'deadlock')
  assert.is(deadlocked.failingRun, 0)
  const last = Instance.create(noTerminal, { rm: 2 }).schema.decode(deadlocked.path!.at(-1)!.state) as any
  assert.ok(last.rmState.every((v: string) => v === 'committed' || v === 'aborted'))
  const fine = simulate(Instance.create(model, { rm: 2 }), { seed: 3, runs: 10, depth: 50 })
  assert.is(fine.result, 'no-violation-found')
  // Walks end at the terminal states: 2 RMs take at most 4 steps.
  assert.ok(fine.steps <= 40)
})

test('walks stay where the exhaustive search goes: raft\'s walks elect leaders, and visit only states BFS stores', () => {
  const raft = () => Instance.create(findModel('raft'), {})
  const r = simulate(raft(), { seed: 1, runs: 300, depth: 60, swarm: true })
  assert.is(r.result, 'no-violation-found')
  assert.ok(r.coverage.BecomeLeader > 0 && r.witnessed.LeaderElected, JSON.stringify(r.coverage))
  // TLC's 1,760 states are every state inside the constraint; a walk that stepped outside would
  // count states beyond them. No self-loop is ever taken either.
  assert.ok(r.distinctStates <= 1760, `${r.distinctStates}`)
  assert.ok(r.distinctStates > 200, `${r.distinctStates}`)
})

/** x counts up to the constraint's edge, 3; there y counts up to 5; Idle changes nothing. */
const counter = (always: Record<string, (s: { x: number; y: number }) => boolean>) =>
  defineModel({
    name: 'counter',
    summary: 'a counter at the edge of its constraint',
    params: {},
    bugs: {},
    build: () =>
      protocol({
        state: record({ x: int(0, 4), y: int(0, 5) }),
        actions: { Up: {}, Tick: {}, Idle: {} },
        init: (emit) => emit(() => {}),
        next: (s, emit) => {
          emit('Up', {}, (d) => void (d.x = s.x + 1))
          if (s.x === 3 && s.y < 5) emit('Tick', {}, (d) => void (d.y = s.y + 1))
          emit('Idle', {}, () => {})
        },
        within: (s) => s.x <= 3,
        always,
      }),
  })

test('a successor outside the constraint is checked though never entered; a step that changes nothing is never taken', () => {
  // x = 4, one step past the constraint, breaks BelowFour: checked there, as BFS checks it.
  const edge = Instance.create(counter({ BelowFour: (s) => s.x < 4 }), {})
  const atEdge = simulate(edge, { seed: 1, runs: 5, depth: 10 })
  assert.is(atEdge.property, 'BelowFour')
  const decode = (words: Uint32Array) => (edge.schema as { decode(w: Uint32Array): unknown }).decode(words) as { x: number }
  assert.equal(atEdge.path!.map((s) => decode(s.state).x), [0, 1, 2, 3, 4])
  // y reaches 5 only by five Ticks at x = 3, where Up would leave the constraint: one walk gets
  // there because it never steps out (a walk that did would end at the first Up, at odds of
  // one in two per Tick), and never idles.
  const inside = simulate(Instance.create(counter({ TicksBelowFive: (s) => s.y < 5 }), {}), { seed: 1, runs: 1, depth: 20 })
  assert.is(inside.property, 'TicksBelowFive')
  assert.equal(inside.path!.map((s) => s.action), ['init', 'Up', 'Up', 'Up', 'Tick', 'Tick', 'Tick', 'Tick', 'Tick'])
  assert.is(inside.coverage.Idle, 0)
})

test('--time: no walk starts after the limit; the report says why fewer walks ran', async () => {
  const options = { seed: 1, runs: 1e9, depth: 40, timeSeconds: 0.2 }
  for (const r of [simulate(twoPhase(6), options), await simulateInWorkers(twoPhase(6), options, 2)]) {
    assert.is(r.result, 'no-violation-found')
    assert.ok(r.runs > 0 && r.runs < 1e9, `${r.runs}`)
    assert.is(r.reason, 'time limit of 0.2 s reached')
  }
  assert.is(simulate(twoPhase(3), { seed: 1, runs: 10, depth: 40, timeSeconds: 60 }).reason, null)
})

test('the `sometimes` properties some walk witnessed are reported', () => {
  const both = simulate(twoPhase(3), { seed: 1, runs: 300, depth: 40 })
  assert.equal(both.witnessed, { AllCommitted: true, AllAborted: true })
  // One walk of two steps cannot have everyone commit.
  const short = simulate(twoPhase(3), { seed: 1, runs: 1, depth: 2 })
  assert.is(short.witnessed.AllCommitted, false)
})

test('CLI: a violation exits 1 with the trace, the seed and a command that reproduces it', () => {
  const out = join(scratch, 'sim.itf.json')
  const args = ['simulate', 'two-phase-commit', '--param', 'rm=6', '--bug', 'commit-on-any-prepared', '--seed', '1', '--runs', '100', '--depth', '40']
  const { code, report } = runCliJson([...args, '--out', out])
  assert.is(code, 1)
  for (const key of ['model', 'params', 'seed', 'runs', 'steps', 'distinctStates', 'result', 'property', 'traceFile', 'coverage']) assert.ok(key in report, key)
  assert.is(report.result, 'violation')
  assert.is(report.seed, 1)
  assert.is(report.traceFile, out)
  assert.ok(report.traceLength <= report.walkLength)
  const trace = JSON.parse(readFileSync(out, 'utf8'))
  assert.is(trace['#meta'].seed, 1)
  assert.is(trace['#meta'].property, 'TCConsistent')
  assert.is(trace.states.length, report.traceLength)
  // The reproduce command runs exactly the walks up to the failing one.
  assert.match(report.reproduce, /--seed 1 --runs \d+ --depth 40$/)
  const again = runCliJson(report.reproduce.split(' ').slice(1)).report
  assert.equal({ ...again, seconds: 0 }, { ...report, traceFile: null, seconds: 0 })
  const text = runCli(args)
  assert.match(text.stdout, /result: violation of TCConsistent in walk \d+ \(seed 1\)\nreproduce: protocheck simulate/)
})

test('--workers 2 gives exactly what one thread gives, with or without a violation', async () => {
  // commit-after-abort at seed 1 fails in walk 604: batches past it are in flight when it arrives.
  for (const [bug, runs, swarm] of [['commit-after-abort', 2000, false], [undefined, 60, false], ['abort-after-prepare', 500, true]] as const) {
    const options = { seed: 1, runs, depth: 40, swarm }
    const one = simulate(twoPhase(6, bug), options)
    const two = await simulateInWorkers(twoPhase(6, bug), options, 2)
    assert.is(one.result, bug ? 'violation' : 'no-violation-found')
    if (bug === 'commit-after-abort') assert.is(one.failingRun, 604)
    assert.equal(untimed(two), untimed(one))
  }
})

test('CLI --workers: the same report as one thread', () => {
  const args = ['simulate', 'two-phase-commit', '--param', 'rm=5', '--bug', 'commit-after-abort', '--seed', '9', '--runs', '500', '--depth', '30']
  const one = runCliJson(args)
  const three = runCliJson([...args, '--workers', '3'])
  assert.is(one.code, 1)
  assert.is(three.code, 1)
  assert.equal({ ...three.report, seconds: 0 }, { ...one.report, seconds: 0 })
})

test('CLI: finding nothing is not safety: result no-violation-found, exit 0, and the text says so', () => {
  const r = runCli(['simulate', 'two-phase-commit', '--param', 'rm=3', '--seed', '4', '--runs', '20'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /result: no violation found in 20 walks \(seed 4\); a simulation proves nothing/)
  assert.match(r.stdout, /runs=20 steps=\d+ unique=\d+/)
  assert.match(r.stdout, /coverage \(steps taken\): TMCommit \d+, TMAbort \d+/)
})

test('CLI: bad simulation options are one line and exit 2', () => {
  for (const [args, message] of [
    [['--seed', '-1'], /--seed needs a whole number from 0/],
    [['--workers', '1.5'], /--workers needs a whole number >= 1/],
  ] as [string[], RegExp][]) {
    const r = runCli(['simulate', 'two-phase-commit', ...args])
    assert.is(r.code, 2, args.join(' '))
    assert.match(r.stderr, message)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
})

test.after(() => rmSync(scratch, { recursive: true, force: true }))

test.run()
