// The user's whole path for one bug, through the CLI: `check --bug --out` finds the
// violation, `replay` reproduces it on the implementation, `conform` agrees on the
// correct model and implementation.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as assert from 'uvu/assert'
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
