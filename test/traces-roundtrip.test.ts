// Property: for every model in the registry, any state reached by a random walk survives
// words -> plain -> ITF JSON text -> plain -> words unchanged, and a whole trace survives
// write -> read -> decodeTrace with identical state words, actions and picks.

import fc from 'fast-check'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import type { Model } from '../checker/model.js'
import type { Step } from '../checker/path.js'
import { models } from './helpers/models.js'
import { traceFromPath, writeTraceFile } from '../traces/itf.js'
import { instanceForTrace } from '../api/load.js'
import { decodeTrace, readTraceFile, stepProblem } from '../traces/read.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-roundtrip-'))

/** A walk from an initial state: at each state the choice (mod the number of enabled steps)
 * picks the successor. As in the checker, a state outside the model's constraint (`within`)
 * is reached but not expanded, so the walk ends there, or where no step is enabled. */
function randomWalk(instance: Instance, choices: readonly number[]): Step[] {
  const enabled = (emitAll: (onStep: Parameters<Instance['initial']>[0]) => void) => {
    const steps: (Step & { within: boolean })[] = []
    emitAll((_ordinal, action, picks, successor) => {
      steps.push({
        action: action < 0 ? 'init' : instance.actionNames[action],
        picks: { ...picks },
        state: successor.slice(),
        within: instance.successorWithin(),
      })
    })
    return steps
  }
  const initials = enabled((onStep) => instance.initial(onStep))
  const path = [initials[(choices[0] ?? 0) % initials.length]]
  for (const choice of choices.slice(1)) {
    const last = path[path.length - 1]
    if (!last.within) break
    const next = enabled((onStep) => instance.successors(last.state, 0, onStep))
    if (next.length === 0) break
    path.push(next[choice % next.length])
  }
  return path.map(({ action, picks, state }) => ({ action, picks, state }))
}

/** A configuration of `model`: its default params (the configuration its own tests check
 * exhaustively, so every walk stays inside what the model supports), with any bug or none. */
const configurationOf = (model: Model) =>
  fc.record({
    params: fc.constant(Object.fromEntries(Object.entries(model.params).map(([name, p]) => [name, p.default]))),
    bug: fc.constantFrom(undefined, ...Object.keys(model.bugs)),
  })

const choices = fc.array(fc.nat(), { minLength: 1, maxLength: 60 })

for (const model of models) {
  test(`${model.name}: reachable states survive words -> plain -> ITF JSON text -> plain -> words`, () => {
    fc.assert(
      fc.property(configurationOf(model), choices, ({ params, bug }, walk) => {
        const instance = Instance.create(model, params, bug)
        const { schema } = instance
        for (const step of randomWalk(instance, walk)) {
          const plain = schema.decode(step.state)
          const text = JSON.stringify(schema.toItf(plain))
          const back = schema.fromItf(JSON.parse(text))
          assert.equal(back, plain)
          assert.equal([...schema.encode(back)], [...step.state])
        }
      }),
      { numRuns: 60 },
    )
  })

  test(`${model.name}: a trace survives write -> read -> decodeTrace with identical states, actions and picks`, async () => {
    let file = 0
    await fc.assert(
      fc.asyncProperty(configurationOf(model), choices, async ({ params, bug }, walk) => {
        const instance = Instance.create(model, params, bug)
        const path = randomWalk(instance, walk)
        const written = join(dir, `${model.name}-${file++}.itf.json`)
        writeTraceFile(written, traceFromPath(instance, path, { result: 'simulation', property: null }))
        const read = readTraceFile(written)
        const again = await instanceForTrace(read)
        const decoded = decodeTrace(again, read)
        assert.is(stepProblem(again, decoded), null)
        assert.is(decoded.length, path.length)
        decoded.forEach((step, i) => {
          assert.is(step.action, path[i].action, `action of state ${i}`)
          assert.equal(step.picks, path[i].picks, `picks of state ${i}`)
          assert.equal([...step.state], [...path[i].state], `words of state ${i}`)
        })
      }),
      { numRuns: 30 },
    )
  })

  for (const bug of Object.keys(model.bugs)) {
    test(`${model.name} --bug ${bug}: the checker's counterexample survives write -> read -> decodeTrace`, async () => {
      const instance = Instance.create(model, {}, bug)
      const result = check(instance, 'bfs')
      // A liveness-only bug at the default params may leave a `sometimes` unwitnessed: no trace either.
      if (!result.path) return assert.ok(result.result === 'safe' || result.result === 'never-witnessed', `${bug}: a result without a trace is ${result.result}`)
      const written = join(dir, `${model.name}-${bug}.itf.json`)
      writeTraceFile(written, traceFromPath(instance, result.path, { result: result.result, property: result.property }))
      const read = readTraceFile(written)
      assert.is(read['#meta'].property, result.property)
      const decoded = decodeTrace(await instanceForTrace(read), read)
      assert.equal(decoded.map((s) => [s.action, s.picks, [...s.state]]), result.path.map((s) => [s.action, { ...s.picks }, [...s.state]]))
    })
  }
}

test.run()
