// Liveness on the shipped protocols (issue 16): each model's liveness properties hold under
// its declared fairness on a closed graph, and each liveness-only bug is found as a lasso that
// an independent check accepts (real steps, a loop that closes, fair, the property failing),
// that breaks no safety property, and that the implementation built with the bug follows: to
// the end of the trace, and then stuck as the lasso says (every fair step it may take leaves
// it where it is), while the correct implementation either parts from the trace or moves on.
// Recording the graph changes no state count.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bfs } from '../checker/bfs.js'
import { Instance } from '../checker/instance.js'
import type { Step } from '../checker/path.js'
import { conform } from '../conformance/conform.js'
import { followStep } from '../conformance/divergence.js'
import type { DriverFactory } from '../conformance/driver.js'
import { replay } from '../api/replay.js'
import { mutexDriver } from '../protocols/lamport-mutex/driver.js'
import { lockServiceDriver } from '../protocols/lock-service/driver.js'
import { paxosDriver } from '../protocols/paxos/driver.js'
import { twoPhaseCommitDriver } from '../protocols/two-phase-commit/driver.js'
import { traceFromPath } from '../traces/itf.js'
import { lassoProblem } from './helpers/lasso-check.js'
import { findModel } from './helpers/models.js'

interface Case {
  model: string
  params: Record<string, number>
  /** The liveness properties the model declares with these params. */
  liveness: string[]
  /** Distinct states of the configuration (without the bug). */
  states: number
  bug: string
  /** The property the bug's lasso violates (the first the check reports). */
  violated: string
  driver: DriverFactory
  /** A finite workload ends every starvation in a state with no step: deadlocks are allowed. */
  deadlock?: boolean
}

const cases: Case[] = [
  {
    model: 'two-phase-commit', params: { rm: 3 }, liveness: ['EveryRMDecides'], states: 288,
    bug: 'prepared-ignores-abort', violated: 'EveryRMDecides', driver: twoPhaseCommitDriver,
  },
  {
    model: 'paxos', params: { acceptors: 4, values: 1, ballots: 2 }, liveness: ['ValueEventuallyChosen'], states: 9409,
    bug: 'no-promise-after-vote', violated: 'ValueEventuallyChosen', driver: paxosDriver,
  },
  {
    model: 'lock-service', params: { clients: 2, lease: 3, drift: 1, maxTime: 6, maxLeases: 2, acquires: 1 },
    liveness: ['Client1GetsTheLock', 'Client2GetsTheLock'], states: 21330,
    bug: 'no-lease-reclaim', violated: 'Client1GetsTheLock', driver: lockServiceDriver,
  },
  {
    model: 'lamport-mutex', params: { n: 2, maxClock: 6, rounds: 2 }, liveness: ['P1RequestGranted', 'P2RequestGranted'], states: 392,
    bug: 'no-ack-in-critical-section', violated: 'P1RequestGranted', driver: mutexDriver, deadlock: false,
  },
]

const same = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((w, i) => w === b[i])
const livenessKinds = new Set(['eventually', 'leadsTo'])

/** The fair action instances the model enables at `state`, self-loops included. */
function fairStepsAt(instance: Instance, state: Uint32Array) {
  const fairness = instance.protocol.fairness ?? {}
  const steps: { action: string; picks: Readonly<Record<string, unknown>> }[] = []
  instance.successors(state, 0, (_o, a, picks) => {
    const action = instance.actionNames[a]
    if (fairness[action]) steps.push({ action, picks: structuredClone(picks) })
  })
  return steps
}

/** Follow `path` on a fresh implementation; null if it follows to the end, else the step where it parted. */
async function follow(instance: Instance, driver: DriverFactory, bug: string | undefined, path: readonly Step[]) {
  const running = await driver.start(instance.config.params, bug)
  for (let i = 0; i < path.length; i++) {
    const divergence = await followStep(instance, running, i, path[i].action, path[i].picks, path[i].state)
    if (divergence) return { running, divergence }
  }
  return { running, divergence: null }
}

for (const c of cases) {
  const model = findModel(c.model)
  const options = { checkDeadlock: c.deadlock ?? true }

  test(`${c.model} ${JSON.stringify(c.params)}: ${c.liveness.join(', ')} hold under the declared fairness; ${c.states} states, as without liveness`, () => {
    const instance = Instance.create(model, c.params)
    assert.equal(instance.liveness.map((p) => p.name), c.liveness)
    const r = bfs(instance, options)
    assert.is(r.result, 'safe', `${r.result} ${r.property} ${r.reason}`)
    assert.equal(r.vacuous, [])
    assert.is(r.distinctStates, c.states)
    const safety = instance.allProperties.filter((p) => !livenessKinds.has(p.kind)).map((p) => p.name)
    const withoutLiveness = bfs(Instance.create(model, c.params, undefined, safety), options)
    assert.equal([withoutLiveness.result, withoutLiveness.distinctStates, withoutLiveness.generatedStates], ['safe', r.distinctStates, r.generatedStates])
  })

  test(`${c.model} --bug ${c.bug}: safety holds, ${c.violated} fails on a lasso that is a real fair behaviour`, () => {
    // Invariants only: a `sometimes` witness may need the very progress the bug takes away
    // (without reclaimed leases, lock-service never sees a stale write rejected).
    const invariants = Instance.create(model, c.params).allProperties.filter((p) => p.kind === 'always').map((p) => p.name)
    assert.is(bfs(Instance.create(model, c.params, c.bug, invariants), options).result, 'safe', 'the bug breaks a safety property')
    const instance = Instance.create(model, c.params, c.bug)
    const r = bfs(instance, options)
    assert.is(r.result, 'violation')
    assert.is(r.property, c.violated)
    const path = r.path!
    const loop = r.loop!
    assert.type(loop, 'number')
    assert.is(lassoProblem(instance, path, loop, c.violated), null)
    const last = path.length - 1
    if (loop < last) assert.ok(same(path[last].state, path[loop - 1].state), 'the cycle does not close')
    else {
      // It stutters: every fair step enabled at the last state changes nothing.
      for (const step of fairStepsAt(instance, path[last].state)) {
        let moves = false
        instance.successors(path[last].state, 0, (_o, a, picks, s) => {
          if (instance.actionNames[a] === step.action && JSON.stringify(picks) === JSON.stringify(step.picks)) moves ||= !same(s, path[last].state)
        })
        assert.not.ok(moves, `${step.action} ${JSON.stringify(step.picks)} is enabled and moves on`)
      }
    }
  })

  test(`${c.model} --bug ${c.bug}: the implementation with the bug follows the lasso and is stuck as the model is; the correct one is not`, async () => {
    const instance = Instance.create(model, c.params, c.bug)
    const r = bfs(instance, options)
    const path = r.path!
    const last = path.length - 1
    const replayed = await replay(traceFromPath(instance, path, { result: r.result, property: r.property, loop: r.loop }))
    assert.is(replayed.divergence, null, JSON.stringify(replayed.divergence))
    assert.is(replayed.reproduced, true)

    const buggy = await follow(instance, c.driver, c.bug, path)
    assert.is(buggy.divergence, null, JSON.stringify(buggy.divergence))
    if (r.loop! < last) {
      // Round the cycle once more: the implementation goes through the same states again.
      for (let i = r.loop!; i <= last; i++) {
        assert.is(await followStep(instance, buggy.running, i, path[i].action, path[i].picks, path[i].state), null)
      }
    } else {
      // Every fair step the model enables there is refused by the code or leaves it unchanged.
      for (const step of fairStepsAt(instance, path[last].state)) {
        const d = await followStep(instance, buggy.running, last + 1, step.action, step.picks, path[last].state)
        assert.ok(d === null || /cannot take this step/.test(d.reason), `the implementation moved on with ${d?.label}`)
      }
    }

    const correct = Instance.create(model, c.params)
    const fixed = await follow(correct, c.driver, undefined, path)
    if (fixed.divergence === null) {
      const movesOn = []
      for (const step of fairStepsAt(correct, path[last].state)) {
        const again = await follow(correct, c.driver, undefined, path)
        if (await followStep(correct, again.running, last + 1, step.action, step.picks, path[last].state)) movesOn.push(step.action)
      }
      assert.ok(movesOn.length > 0, 'the correct implementation is stuck at the end of the lasso too')
    }
  })
}

test('lamport-mutex rounds=2: the implementation agrees with the model on random walks, a third request refused', async () => {
  const instance = Instance.create(findModel('lamport-mutex'), { n: 2, maxClock: 6, rounds: 2 })
  const r = await conform(instance, mutexDriver, { runs: 60, seed: 4, maxSteps: 40 })
  assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
})

test('lock-service acquires=1: the implementation agrees with the model on random walks (time held still, a second take refused)', async () => {
  const instance = Instance.create(findModel('lock-service'), { lease: 3, acquires: 1 })
  const r = await conform(instance, lockServiceDriver, { runs: 60, seed: 4, maxSteps: 40 })
  assert.is(r.result, 'agree', JSON.stringify(r.counterexample?.divergence))
})

test('lamport-mutex and lock-service: liveness is declared only with a finite workload (rounds, acquires > 0)', () => {
  assert.equal(Instance.create(findModel('lamport-mutex'), {}).liveness, [])
  assert.equal(Instance.create(findModel('lock-service'), {}).liveness, [])
})

test.run()
