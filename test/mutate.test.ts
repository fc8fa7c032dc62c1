// `npm run mutate`: its mutant set stays in step with the source (every mutant still lands on
// exactly one place, so a refactor cannot silently turn a mutant into a no-op), it covers the
// kinds of mistake it claims to, and a mutant run end to end is judged by what it should be.

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadMutants } from '../bench/mutate-mutants.js'
import { applyToSource } from '../bench/mutate-workspace.js'

const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
const mutateScript = join(projectRoot, 'dist', 'bench', 'mutate.js')
const mutants = loadMutants(projectRoot)

test('every mutant applies to today\'s source and changes it', () => {
  assert.ok(mutants.length > 0)
  for (const m of mutants) {
    const source = readFileSync(join(projectRoot, m.file), 'utf8')
    let mutated = ''
    try {
      mutated = applyToSource(source, m)
    } catch (e) {
      assert.unreachable((e as Error).message)
    }
    assert.is.not(mutated, source, m.id)
  }
})

test('the mutant set has models and implementations, with quorum, term, persistence, truncation and decision mistakes', () => {
  for (const target of ['model', 'impl'] as const) {
    const kinds = new Set(mutants.filter((m) => m.target === target).map((m) => m.kind))
    for (const kind of ['quorum', 'term', 'persistence', 'truncation', 'decision'] as const) assert.ok(kinds.has(kind), `no ${target} mutant of kind ${kind}`)
  }
})

test('a text that occurs twice must name its occurrence; a text that is gone is named', () => {
  const m = { ...mutants[0], find: 'a', replace: 'b', occurrence: undefined }
  assert.throws(() => applyToSource('a a', m), /occurs 2 times/)
  assert.is(applyToSource('a a', { ...m, occurrence: 2 }), 'a b')
  assert.throws(() => applyToSource('c', m), /is not in/)
})

test('end to end: a model mutant is killed by its specs and an implementation mutant by conform', () => {
  const ids = ['two-phase-commit/model-commit-majority', 'two-phase-commit/impl-abort-after-prepare']
  const r = spawnSync(process.execPath, [mutateScript, ...ids.flatMap((id) => ['--only', id]), '--runs', '30', '--seeds', '1', '--json'], { encoding: 'utf8', timeout: 300_000 })
  assert.is(r.status, 0, r.stderr)
  const summary = JSON.parse(r.stdout)
  assert.equal(summary.overall.model, { killed: 1, mutants: 1, equivalent: 0 })
  assert.equal(summary.overall.impl, { killed: 1, mutants: 1, equivalent: 0 })
  assert.equal(summary.survivors, [])
})

test('mutate refuses an unknown option and a selection of no mutant, in one line, exit 2', () => {
  for (const args of [['--frobnicate'], ['--only', 'no/such-mutant']]) {
    const r = spawnSync(process.execPath, [mutateScript, ...args], { encoding: 'utf8', timeout: 60_000 })
    assert.is(r.status, 2, r.stderr)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
})

test.run()
