// A liveness counterexample as a trace: the check's report and ITF trace carry `loop`; the
// trace is written, read back and checked (a loop that does not close is refused); `show`
// marks the cycle in text and in the HTML viewer's model; `list` shows each property's kind.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../api/check.js'
import { Instance } from '../checker/instance.js'
import { modelListing } from '../commands/list.js'
import { writeTraceFile, type ItfTrace } from '../traces/itf.js'
import { decodeTrace, readTraceFile, stepProblem, traceProblem } from '../traces/read.js'
import { viewModel } from '../traces/show/html.js'
import { formatTrace, plain } from '../traces/show/text.js'
import { graphModel, type GraphSpec } from './helpers/graph-model.js'

// 0 -> 1 -> 2 -> 1 ... by weakly fair steps; q (node 3) is never reached: a real cycle.
const cycling: GraphSpec = {
  nodes: 4, initial: [0], p: [0], q: [3],
  edges: [{ from: 0, to: 1, action: 'Weak', k: 0 }, { from: 1, to: 2, action: 'Weak', k: 0 }, { from: 2, to: 1, action: 'Weak', k: 1 }],
}

test('a lasso goes from the check to an ITF file and back, loop included, and show marks its cycle', async () => {
  const model = graphModel(cycling)
  const { report, trace } = await check(model, { properties: ['EventuallyQ'], deadlock: false })
  assert.is(report.result, 'violation')
  assert.is(report.property, 'EventuallyQ')
  // States 0, 1, 2, 1: the last state is the one before loop (1) and steps to state 2 again.
  assert.is(report.traceLength, 4)
  assert.is(report.loop, 2)
  assert.is(trace!.loop, 2)
  const dir = mkdtempSync(join(tmpdir(), 'protocheck-lasso-'))
  try {
    const file = join(dir, 'lasso.itf.json')
    writeTraceFile(file, trace!)
    const read = readTraceFile(file)
    assert.is(read.loop, 2)
    const instance = Instance.create(model, {}, undefined, ['EventuallyQ'])
    assert.is(stepProblem(instance, decodeTrace(instance, read), read.loop), null)
    const text = formatTrace(read, plain).join('\n')
    assert.match(text, /EventuallyQ is violated: the cycle 1 -> \.\.\. -> 3 repeats forever/)
    assert.equal(viewModel(read, 't').steps.map((s) => s.cycle), [false, true, true, true])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a loop past the end, or one that does not close, is refused', async () => {
  const model = graphModel(cycling)
  const { trace } = await check(model, { properties: ['EventuallyQ'], deadlock: false })
  assert.match(traceProblem({ ...trace!, loop: 4 })!, /at \/loop: 4 is past the last state/)
  const instance = Instance.create(model, {}, undefined, ['EventuallyQ'])
  const open: ItfTrace = { ...trace!, loop: 0 }
  assert.match(stepProblem(instance, decodeTrace(instance, open), open.loop)!, /the loop does not close/)
})

test('a stuttering lasso has loop = its last index', async () => {
  const { report, trace } = await check(graphModel({ ...cycling, edges: [] }), { properties: ['EventuallyQ'], deadlock: false })
  assert.is(report.loop, 0)
  assert.match(formatTrace(trace!, plain).join('\n'), /stutters in state 0 forever/)
})

test('list shows each property with its kind; the report names vacuous leadsTo properties', async () => {
  const [listing] = modelListing([graphModel(cycling)])
  assert.equal(listing.properties, [{ name: 'EventuallyQ', kind: 'eventually' }, { name: 'PLeadsToQ', kind: 'leadsTo' }])
  const { report } = await check(graphModel({ ...cycling, p: [3], q: [2] }), { properties: ['PLeadsToQ'], deadlock: false })
  assert.is(report.result, 'safe')
  assert.equal(report.vacuous, ['PLeadsToQ'])
})

test.run()
