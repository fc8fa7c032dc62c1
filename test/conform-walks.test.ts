// conform walks deep and probes wide (issue 20): walks choose among the steps that stay inside
// the model's constraint, so they do not end at the first step past a bound; the refusal probe
// offers every listable action of the model that it forbids at the walk's end, not only the
// steps seen enabled during the walk; walks skip steps that change nothing, and swarm walks
// reach states (a leader elected) that plain walks rarely do.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { conform, Implementation, walk } from '../conformance/conform.js'
import { enumerableActions } from '../conformance/action-space.js'
import { sameWords } from '../conformance/same-words.js'
import raftDriver from '../protocols/raft/driver.js'
import { twoPhaseCommitDriverOf } from '../protocols/two-phase-commit/driver.js'
import { stepRm } from '../protocols/two-phase-commit/impl/resource-manager.js'
import { stepTm } from '../protocols/two-phase-commit/impl/transaction-manager.js'
import { canonicalJson } from '../checker/canonical-json.js'
import type { DriverFactory } from '../conformance/driver.js'
import { traceFromPath } from '../traces/itf.js'
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
        if (!sameWords(w.steps[i].state, w.steps[i - 1].state)) continue
        let other = false
        instance.successors(w.steps[i - 1].state, 0, (_o, _a, _p, next) => {
          if (instance.protocol.within!(instance.schema.view(next) as never) && !sameWords(next, w.steps[i - 1].state)) other = true
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

test('the end probe offers the steps the model allows but that change nothing: an implementation whose state moves on one is caught there', async () => {
  // Delegates to the real 2PC driver, but a Prepared message received again (a step that
  // leaves the real state as it was, and never the only step enabled: TMCommit or TMAbort is
  // too) flips the TM's reported state from then on.
  const restless: DriverFactory = {
    async start(params, bug) {
      const real = await twoPhaseCommitDriverOf({ stepTm, stepRm }).start(params, bug)
      let moved = false
      return {
        async apply(action, picks) {
          const before = canonicalJson(await real.observe())
          await real.apply(action, picks)
          if (action === 'TMRcvPrepared' && canonicalJson(await real.observe()) === before) moved = true
        },
        async observe() {
          const observed = await real.observe()
          return moved ? { ...observed, tmState: observed.tmState === 'init' ? 'aborted' : 'init' } : observed
        },
        stop: async () => real.stop?.(),
      }
    },
  }
  const r = await conform(Instance.create(findModel('two-phase-commit'), { rm: 2 }), restless, { runs: 200, seed: 3, maxSteps: 12, shrink: false })
  assert.is(r.result, 'diverge')
  const d = r.counterexample!.divergence!
  assert.ok(d.forbidden, `found by the end probe, not during the walk (walks skip such steps): ${JSON.stringify(d)} after ${r.counterexample!.steps.map((s) => s.action)}`)
  assert.is(d.action, 'TMRcvPrepared')
})

test('walks from a recorded path follow it first; a path that is not of the model is one line and exit 2', async () => {
  const instance = Instance.create(findModel('raft'), {})
  const implementation = new Implementation(raftDriver, instance.config.params, undefined)
  try {
    const recorded = await walk(instance, implementation, Array.from({ length: 12 }, (_, i) => i * 7919), false, 0)
    // A walk's last step may leave the constraint; a path to start from must end inside it.
    const inside = (step: { state: Uint32Array }) => instance.protocol.within!(instance.schema.view(step.state) as never)
    const prefix = recorded.steps.filter((_, k) => recorded.steps.slice(0, k + 1).every(inside))
    assert.ok(prefix.length > 5)
    const r = await conform(instance, raftDriver, { runs: 30, seed: 2, maxSteps: 10, from: prefix })
    assert.is(r.result, 'agree')
    assert.ok(r.depth.mean >= prefix.length - 1, 'every walk is at least the recorded path')
    const w = await walk(instance, implementation, [1, 2, 3], false, 0, prefix)
    assert.equal(w.steps.slice(0, prefix.length).map((s) => s.action), prefix.map((s) => s.action))
    // The CLI takes the path as an ITF file.
    const dir = mkdtempSync(join(tmpdir(), 'protocheck-from-'))
    const file = join(dir, 'path.itf.json')
    writeFileSync(file, JSON.stringify(traceFromPath(instance, prefix, { result: 'scenario', property: null })))
    const ok = runCli(['conform', 'raft', '--from', file, '--runs', '10', '--seed', '1'])
    assert.is(ok.code, 0, ok.stderr)
    const wrong = runCli(['conform', 'raft', '--param', 'servers=3', '--from', file, '--runs', '10'])
    assert.is(wrong.code, 2)
    assert.match(wrong.stderr, /--from .*path\.itf\.json: the trace was written for/)
    assert.is(wrong.stderr.split('\n').filter((line) => line.startsWith('protocheck:')).length, 1, wrong.stderr)
    assert.not.match(wrong.stderr, /\n\s+at /, 'no stack trace')
    rmSync(dir, { recursive: true, force: true })
  } finally {
    await implementation.close()
  }
})

test.run()
