// mapreduce-commit: the commit protocol is safe at the shipped sizes (counts pinned, every
// `sometimes` witnessed), symmetry's class count agrees with a hand-written renaming of tasks
// and workers, each bug is found as its property with the shortest trace pinned, every bug's
// trace replays `reproduced` on the implementation with that bug (and not on the correct one),
// the implementation agrees with the model on random walks, and a one-rule mutant diverges.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { Symmetry } from '../checker/symmetry.js'
import { conform } from '../conformance/conform.js'
import { mapReduceDriver, mapReduceDriverOf } from '../protocols/mapreduce-commit/driver.js'
import { stepCoordinator } from '../protocols/mapreduce-commit/impl/coordinator.js'
import { stepStorage } from '../protocols/mapreduce-commit/impl/storage.js'
import { stepWorker } from '../protocols/mapreduce-commit/impl/worker.js'
import { findModel } from './helpers/models.js'
import { assertBugReplaysOnlyWithTheBug, assertFoundReplayedAndConforming } from './helpers/end-to-end.js'
import { moved, reachable } from './helpers/brute-force.js'

const model = findModel('mapreduce-commit')
const create = (params: Record<string, number> = {}, bug?: string, properties?: string[]) => Instance.create(model, params, bug, properties)
const actionsOf = (path: { action: string }[]) => path.map((s) => s.action)

/** The decoded state reached from the initial state by these steps (each must be enabled). */
function follow(instance: Instance, steps: [string, Record<string, unknown>][]): any {
  let state: Uint32Array | undefined
  instance.initial((_o, _a, _p, s) => (state ??= s.slice()))
  for (const [name, picks] of steps) {
    let next: Uint32Array | undefined
    instance.successors(state!, 0, (_o, action, p, s) => {
      if (instance.actionNames[action] === name && JSON.stringify(p) === JSON.stringify(picks)) next = s.slice()
    })
    if (!next) throw new Error(`${name}(${JSON.stringify(picks)}) is not enabled`)
    state = next
  }
  return instance.schema.decode(state!)
}

test('mapreduce-commit at its defaults (2 tasks, 2 workers, 2 parts, 2 attempts, 1 loss): safe, 2,431 distinct states', () => {
  const r = bfs(create())
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 2431)
  assert.is(r.generatedStates, 5770)
  assert.is(r.depth, 22)
  // Safe also says every `sometimes` was reached: a committed job, a denied speculative copy, a
  // retry committed after a loss, a job failed on a lost committer.
  for (const [action, count] of Object.entries(r.coverage)) assert.ok(count > 0, `${action} never enabled`)
})

test('mapreduce-commit: more attempts and losses are safe too (the shipped spec, 433,732 states, is checked by specs.test)', () => {
  const r = bfs(create({ maxAttempts: 3, parts: 1, maxFailures: 2 }))
  assert.is(r.result, 'safe')
  assert.is(r.distinctStates, 4069)
})

test('mapreduce-commit: one worker never sees a speculative copy denied; no losses, no failed job', () => {
  const alone = bfs(create({ workers: 1 }))
  assert.is(alone.result, 'never-witnessed')
  assert.is(alone.property, 'SpeculativeAttemptDenied')
  const noLoss = bfs(create({ maxFailures: 0 }))
  assert.is(noLoss.result, 'never-witnessed')
  assert.is(noLoss.property, 'JobAbortedOnLostCommitter')
})

test('--symmetry over tasks and workers: 620 classes of 2,431 states, as a hand-written renaming counts them', () => {
  const instance = create()
  const result = check(instance, 'bfs', { symmetry: new Symmetry(instance.schema, instance.protocol.symmetric ?? []) })
  assert.is(result.result, 'safe')
  assert.is(result.distinctStates, 620)
  const swaps = [[0, 1], [1, 0]]
  const classes = new Set(reachable(instance).map((s) => {
    const keys: string[] = []
    for (const pt of swaps) {
      for (const pw of swaps) {
        const worker = moved(s.worker, pw, (w: any) => ({ ...w, task: w.task === -1 ? -1 : pt[w.task] }))
        keys.push(JSON.stringify([s.job, moved(s.tasks, pt), s.failures, worker, moved(s.fs, pt)]))
      }
    }
    return keys.sort()[0]
  }))
  assert.is(classes.size, 620)
})

test('no-commit-coordination: a speculative copy commits beside the first attempt (18 steps)', () => {
  const instance = create({}, 'no-commit-coordination')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'OutputExactlyOnce')
  assert.is(r.path!.length, 19)
  const last = instance.schema.decode(r.path!.at(-1)!.state) as any
  assert.equal(last.fs[0].map((f: any) => f.at), ['output', 'output', 'none'], 'both attempts of task1 are in the output')
})

test('release-lost-committer: the committer renamed and was lost; a second attempt was let commit too (19 steps)', () => {
  const r = bfs(create({}, 'release-lost-committer'))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'OutputExactlyOnce')
  assert.equal(actionsOf(r.path!).slice(0, 8), ['init', 'Launch', 'Launch', 'Write', 'Write', 'AskCommit', 'CommitTask', 'WorkerLost'])
  assert.is(r.path!.length, 20)
  // The correct coordinator fails the job at that loss instead.
  const fixed = create()
  assert.is(follow(fixed, r.path!.slice(1, 8).map((step) => [step.action, step.picks])).job, 'aborted')
})

test('done-on-authorize: the job commits before any output was renamed in (9 steps)', () => {
  const r = bfs(create({}, 'done-on-authorize'))
  assert.is(r.result, 'violation')
  assert.is(r.property, 'JobCommitsAfterAllTasks')
  assert.equal(actionsOf(r.path!), ['init', 'Launch', 'Launch', 'Write', 'Write', 'AskCommit', 'Write', 'Write', 'AskCommit', 'CommitJob'])
})

test('direct-output: a speculative copy still writing has its first part in the committed output (15 steps); a lost attempt\'s partial files too', () => {
  const instance = create({}, 'direct-output')
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  assert.is(r.property, 'NoPartialOutput')
  assert.is(r.path!.length, 16)
  // worker1 writes one of task1's two parts and is lost; worker2 retries task1 and runs task2.
  const w1 = { worker: 0 }
  const w2 = { worker: 1 }
  const end = follow(instance, [
    ['Launch', { task: 0, worker: 0 }], ['Write', w1], ['WorkerLost', w1],
    ['Launch', { task: 0, worker: 1 }], ['Write', w2], ['Write', w2], ['AskCommit', w2], ['CommitTask', w2], ['ReportDone', w2],
    ['Launch', { task: 1, worker: 1 }], ['Write', w2], ['Write', w2], ['AskCommit', w2], ['CommitTask', w2], ['ReportDone', w2],
    ['CommitJob', {}],
  ])
  assert.is(end.job, 'committed')
  assert.equal(end.fs[0][0], { at: 'output', files: 1 })
  assert.is(instance.protocol.always.NoPartialOutput(instance.schema.view(instance.schema.encode(end)) as never), false)
})

// Every busy worker can be lost at any step and every idle one given another attempt, so
// uniform random walks mostly end early, leaving a constraint. One task with room for four
// attempts lets about one walk in ten reach the job's commit and one in three its failure.
const walkable = { tasks: 1, workers: 2, parts: 1, maxAttempts: 4, maxFailures: 1 }

for (const bug of [undefined, ...Object.keys(model.bugs)]) {
  test(`mapreduce-commit${bug ? ` --bug ${bug}` : ''}: 100 random walks agree with the implementation, forbidden steps refused`, async () => {
    const r = await conform(create(walkable, bug), mapReduceDriver, { runs: 100, seed: 4, maxSteps: 40 })
    assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
    assert.ok(r.stepsCompared > 100 * 4, `only ${r.stepsCompared} steps compared`)
  })
}

test('mapreduce-commit with 2 tasks and 3 workers: 40 random walks agree with the implementation', async () => {
  const r = await conform(create({ workers: 3, maxFailures: 2, maxAttempts: 3 }), mapReduceDriver, { runs: 40, seed: 4, maxSteps: 40 })
  assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
})

for (const bug of Object.keys(model.bugs)) {
  test(`mapreduce-commit --bug ${bug}: the counterexample replays and is reproduced only on the implementation with the bug`, () =>
    assertBugReplaysOnlyWithTheBug(model, bug, mapReduceDriver))
}

test('conform catches a coordinator that releases a lost committer\'s authorisation (the model fails the job)', async () => {
  const releasing: typeof stepCoordinator = (config, state, event) => stepCoordinator({ ...config, bug: 'release-lost-committer' }, state, event)
  const r = await conform(create(), mapReduceDriverOf({ stepCoordinator: releasing, stepWorker, stepStorage }), { runs: 300, seed: 1, maxSteps: 30 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.is(d.action, 'WorkerLost')
  assert.equal(d.diff.map((v) => v.variable), ['job', 'tasks'])
})

test('the CLI: check writes the release-lost-committer counterexample, replay reproduces it, conform agrees', () => {
  assertFoundReplayedAndConforming('mapreduce-commit', 'release-lost-committer', 'OutputExactlyOnce', 19)
})

test.run()
