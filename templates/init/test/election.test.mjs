// The project's tests, run by `npm test` (node's built-in test runner, no other dependency):
// the same checks as the command line, through protocheck's programmatic API. assertSafe
// explores every state of the model and throws the counterexample if a property breaks;
// assertConforms walks the model at random and makes the implementation (election/node.ts,
// through election/driver.ts) follow every walk, and throws where the two part ways.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { assertConforms, assertSafe, check } from 'protocheck'

const model = fileURLToPath(new URL('../election/model.ts', import.meta.url))

test('the election is safe: at most one leader in every reachable state', async () => {
  const report = await assertSafe(model)
  assert.equal(report.result, 'safe')
})

test('the vote-twice bug is caught: two leaders', async () => {
  const { report, trace } = await check(model, { bug: 'vote-twice' })
  assert.equal(report.result, 'violation')
  assert.equal(report.property, 'OneLeader')
  assert.ok(trace !== null)
})

test('the implementation follows the model, bug switches included', async () => {
  await assertConforms(model, { runs: 100, seed: 1 })
  await assertConforms(model, { bug: 'vote-twice', runs: 100, seed: 1 })
})
