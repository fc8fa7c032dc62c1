// The user's whole path for one bug, through the CLI: `check --bug --out` finds the
// violation, `replay` reproduces it on the implementation, `conform` agrees on the
// correct model and implementation.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as assert from 'uvu/assert'
import { bfs } from '../../checker/bfs.js'
import { Instance } from '../../checker/instance.js'
import type { Model } from '../../checker/model.js'
import type { DriverFactory } from '../../conformance/driver.js'
import { traceFromPath } from '../../traces/itf.js'
import { replay } from '../../api/replay.js'
import { runCliJson } from './cli.js'

export function assertFoundReplayedAndConforming(model: string, bug: string, property: string, replayedSteps: number) {
  const dir = mkdtempSync(join(tmpdir(), `${model}-`))
  try {
    const trace = join(dir, `${bug}.itf.json`)
    const checked = runCliJson(['check', model, '--bug', bug, '--out', trace])
    assert.is(checked.code, 1)
    assert.is(checked.report.property, property)
    const replayed = runCliJson(['replay', trace])
    assert.is(replayed.code, 0)
    assert.equal(replayed.report, { model, steps: replayedSteps, divergence: null, property, reproduced: true })
    const conformed = runCliJson(['conform', model, '--runs', '50', '--seed', '3'])
    assert.is(conformed.code, 0)
    assert.is(conformed.report.result, 'agree')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** In process: the shortest counterexample of `bug`, as an ITF trace, replays on the
 * implementation built with that bug and reproduces the same property's violation; the
 * correct implementation parts from the trace before the violation. */
export async function assertBugReplaysOnlyWithTheBug(model: Model, bug: string, driver: DriverFactory) {
  const instance = Instance.create(model, {}, bug)
  const r = bfs(instance)
  assert.is(r.result, 'violation')
  const trace = traceFromPath(instance, r.path!, { result: r.result, property: r.property })
  const replayed = await replay(trace)
  assert.is(replayed.divergence, null, JSON.stringify(replayed.divergence))
  assert.is(replayed.steps, r.path!.length - 1)
  assert.is(replayed.property, r.property)
  assert.is(replayed.reproduced, true)

  const fixed = await replay(trace, { driver: { model: model.name, start: (params) => driver.start(params, undefined) } })
  assert.ok(fixed.divergence, 'the correct implementation followed the buggy trace to its end')
  assert.is(fixed.reproduced, false)
}
