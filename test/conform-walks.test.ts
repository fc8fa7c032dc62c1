// conform walks deep and probes wide (issue 20): walks choose among the steps that stay inside
// the model's constraint, so they do not end at the first step past a bound; the refusal probe
// offers every listable action of the model that it forbids at the walk's end, not only the
// steps seen enabled during the walk; walks skip steps that change nothing, and swarm walks
// reach states (a leader elected) that plain walks rarely do.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { conform, Implementation, walk } from '../conformance/conform.js'
import { enumerableActions } from '../conformance/action-space.js'
import raftDriver from '../protocols/raft/driver.js'
import { twoPhaseCommitDriverOf } from '../protocols/two-phase-commit/driver.js'
import { stepRm } from '../protocols/two-phase-commit/impl/resource-manager.js'
import { stepTm } from '../protocols/two-phase-commit/impl/transaction-manager.js'
import { findModel } from './helpers/models.js'
import { runCli } from './helpers/cli.js'

/** Walks of raft on 3 servers from fixed choices: how many elect a leader, and whether any
 * took a step that changes nothing while another step inside the constraint was enabled. */
async function raftWalks(swarmSeedOf: (k: number) => number) {
  const instance = Instance.create(findModel('raft'), { servers: 3, maxTerm: 4, maxLogLength: 2, values: 2 })
  const implementation = new Implementation(raftDriver, instance.config.params, undefined)
  let elected = 0
  let needlessStutters = 0
  try {
    for (let k = 0; k < 200; k++) {
      const choices = Array.from({ length: 40 }, (_, i) => Math.imul(k * 40 + i + 1, 0x9e3779b1) >>> 0)
      const w = await walk(instance, implementation, choices, false, swarmSeedOf(k))
      if (w.steps.some((s) => s.action === 'BecomeLeader')) elected++
      for (let i = 1; i < w.steps.length - 1; i++) {
        const same = w.steps[i].state.every((word, j) => word === w.steps[i - 1].state[j])
        if (!same) continue
        let other = false
        instance.successors(w.steps[i - 1].state, 0, (_o, _a, _p, next) => {
          if (instance.protocol.within!(instance.schema.view(next) as never) && next.some((word, j) => word !== w.steps[i - 1].state[j])) other = true
        })
        if (other) needlessStutters++
      }
    }
  } finally {
    await implementation.close()
  }
  return { elected, needlessStutters }
}

test('walks skip steps that change nothing, and swarm walks elect a leader in raft far more often than plain ones', async () => {
  const plain = await raftWalks(() => 0)
  const swarm = await raftWalks((k) => k + 1)
  assert.is(plain.needlessStutters, 0)
  assert.is(swarm.needlessStutters, 0)
  // Measured: 1 of 200 plain walks and 20 of 200 swarm walks (fixed choices, so no chance).
  assert.ok(swarm.elected >= 3 * Math.max(1, plain.elected), `plain ${plain.elected}, swarm ${swarm.elected}`)
})

test('raft walks stay inside the constraint: 30-step walks are more than 10 steps deep on average (a walk that ended at the first step past maxTerm was about 4)', async () => {
  const r = await conform(Instance.create(findModel('raft'), {}), raftDriver, { runs: 60, seed: 1, maxSteps: 30 })
  assert.is(r.result, 'agree')
  assert.ok(r.depth.mean > 10, `walks only ${r.depth.mean} steps deep on average`)
  assert.ok(r.depth.max <= 30)
  assert.is(r.depth.mean, r.stepsCompared / r.runs)
})

test('the listable action space: every action whose picks are node ids, enums or small ints, with each combination; actions that pick a message are left out', () => {
  const twoPhase = enumerableActions(Instance.create(findModel('two-phase-commit'), { rm: 3 }))
  const labels = twoPhase.map((c) => `${c.action}${JSON.stringify(c.picks)}`)
  assert.is(labels.length, 2 + 5 * 3)
  assert.ok(labels.includes('TMCommit{}'))
  assert.ok(labels.includes('RMPrepare{"rm":2}'))
  const raft = enumerableActions(Instance.create(findModel('raft'), { servers: 3 })).map((c) => c.action)
  assert.ok(raft.includes('BecomeLeader') && raft.includes('RequestVote'))
  assert.not.ok(raft.includes('UpdateTerm'), 'a message pick is too large to list')
  assert.is(raft.filter((a) => a === 'RequestVote').length, 9)
})

// One guard weakened: the TM commits once all RMs but one are prepared. No walk ever sees
// TMCommit enabled before that point (tmPrepared only grows), so only a probe of the whole
// action space offers it.
const hastyTm: typeof stepTm = (config, state, event) =>
  event.type === 'DecideCommit' && state.tmState === 'init' && state.prepared.length === config.rmCount - 1
    ? { state: { ...state, tmState: 'committed' }, effects: Array.from({ length: config.rmCount }, (_, to) => ({ to, message: { type: 'Commit' } as const })) }
    : stepTm(config, state, event)

test('the refusal probe offers steps never seen enabled: a TM that commits with all RMs but one prepared takes the forbidden TMCommit', async () => {
  const r = await conform(Instance.create(findModel('two-phase-commit'), { rm: 3 }), twoPhaseCommitDriverOf({ stepTm: hastyTm, stepRm }), { runs: 300, seed: 5, maxSteps: 8 })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.ok(d.forbidden)
  assert.is(d.action, 'TMCommit')
  const last = r.counterexample!.steps.at(-1)!
  const decoded = Instance.create(findModel('two-phase-commit'), { rm: 3 }).schema.decode(last.state) as unknown as { tmPrepared: readonly number[] }
  assert.is(decoded.tmPrepared.length, 2)
})

test('shrink: false reports the diverging walk as found, no shorter than the shrunk one; the CLI takes --no-shrink and --no-swarm', async () => {
  const run = (shrink: boolean) =>
    conform(Instance.create(findModel('two-phase-commit'), { rm: 3 }), twoPhaseCommitDriverOf({ stepTm: hastyTm, stepRm }), { runs: 300, seed: 5, maxSteps: 8, shrink })
  const [asFound, shrunk] = [await run(false), await run(true)]
  assert.is(asFound.result, 'diverge')
  assert.is(shrunk.result, 'diverge')
  assert.ok(asFound.counterexample!.steps.length >= shrunk.counterexample!.steps.length)
  assert.is(asFound.runs, shrunk.runs, 'the same walk fails first')
  const r = runCli(['conform', 'two-phase-commit', '--runs', '20', '--seed', '1', '--no-shrink', '--no-swarm'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^agree: /)
})

test.run()
