// --disk: a visited set that spills sorted fingerprints to disk gives the counts, verdicts
// and counterexamples of the same search held in memory (spilling many times, with the
// pending successors settled in batches), and leaves no file behind.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Instance } from '../checker/instance.js'
import { loadModel } from '../api/load.js'
import { bfs } from '../checker/bfs.js'
import { FingerprintSet } from '../checker/stateset.js'
import { SortedRun } from '../checker/persist/sorted-run.js'
import { cliPath } from './helpers/cli.js'

const folder = () => mkdtempSync(join(tmpdir(), 'protocheck-disk-test-'))

test('sorted runs: merging tables keeps each fingerprint once; batched lookups find exactly the stored ones', () => {
  const dir = folder()
  const stored = new Set<string>()
  let run: SortedRun | null = null
  let seed = 7
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0)
  for (let round = 0; round < 4; round++) {
    const table = new FingerprintSet(3000)
    for (let i = 0; i < 3000; i++) {
      // Few distinct hi words: many fingerprints share them, and rounds repeat some.
      const lo = next()
      const hi = next() & 3
      table.add(lo, hi)
      stored.add(`${lo >>> 0}:${hi}`)
    }
    const previous: SortedRun | null = run
    table.drainSorted((sorted) => (run = SortedRun.merge(join(dir, `run-${round}.bin`), previous, sorted)))
    assert.is(table.size, 0)
  }
  assert.is(run!.count, stored.size)
  const asked = [...stored].slice(0, 500).map((k) => k.split(':').map(Number))
  for (let i = 0; i < 500; i++) asked.push([next() >>> 0, 3 + (i & 1)]) // hi 3..4: some absent by construction
  const sorted = new Uint32Array(asked.flat())
  new BigUint64Array(sorted.buffer).sort()
  const found: string[] = []
  run!.lookup(sorted, sorted.length, (pair) => found.push(`${sorted[2 * pair]}:${sorted[2 * pair + 1]}`))
  assert.equal(found.sort(), asked.map(([lo, hi]) => `${lo}:${hi}`).filter((k) => stored.has(k)).sort())
})

test('spilling many times: the same counts, depth and coverage as in memory; the spill folder is gone', async () => {
  const model = await loadModel('two-phase-commit')
  const dir = folder()
  for (const [params, extra] of [[{ rm: 5 }, {}], [{ rm: 6 }, { checkDeadlock: false }]] as const) {
    const instance = Instance.create(model, params)
    const inMemory = bfs(instance, extra)
    // 4 KB of table: 384 fingerprints, so thousands of states spill dozens of times.
    const spilled = bfs(instance, { ...extra, fingerprintBytes: 4096, persistence: { diskDir: dir } })
    const { seconds: _a, ...expected } = inMemory
    const { seconds: _b, ...actual } = spilled
    assert.equal(actual, expected)
  }
  assert.equal(readdirSync(dir), [])
})

test('a violation found with --disk: the same shortest counterexample and counts', async () => {
  const instance = Instance.create(await loadModel('two-phase-commit'), { rm: 5 }, 'commit-after-abort')
  const inMemory = bfs(instance)
  const spilled = bfs(instance, { fingerprintBytes: 4096, persistence: { diskDir: folder() } })
  assert.is(spilled.result, 'violation')
  assert.equal({ ...spilled, seconds: 0 }, { ...inMemory, seconds: 0 })
})

test('--max-states with --disk stops at the same count as in memory', async () => {
  const model = await loadModel('two-phase-commit')
  const instance = Instance.create(model, { rm: 5 })
  const inMemory = bfs(instance, { maxStates: 5000 })
  const spilled = bfs(instance, { maxStates: 5000, fingerprintBytes: 4096, persistence: { diskDir: folder() } })
  assert.is(spilled.result, 'incomplete')
  assert.equal([spilled.distinctStates, spilled.generatedStates], [inMemory.distinctStates, inMemory.generatedStates])
})

test('--disk with --checkpoint: interrupted, then recovered with --disk, gives the in-memory verdict and counts', async () => {
  const instance = Instance.create(await loadModel('two-phase-commit'), { rm: 6 })
  const straight = bfs(instance)
  const checkpointDir = join(folder(), 'cp')
  const diskDir = folder()
  let ticks = 0
  const first = bfs(instance, {
    fingerprintBytes: 4096,
    persistence: { diskDir, checkpointDir, checkpointEverySeconds: 0.001 },
    interruption: () => (++ticks > 20 ? 'stopped by the test' : null),
  })
  assert.is(first.result, 'incomplete')
  assert.ok(readdirSync(checkpointDir).some((f) => f.startsWith('spilled-')), 'the checkpoint holds spilled fingerprints')
  const recovered = bfs(instance, { memoryBytes: 4000 * 2 ** 20, persistence: { diskDir, recoverDir: checkpointDir } })
  assert.equal({ ...recovered, seconds: 0 }, { ...straight, seconds: 0 })
  assert.equal(readdirSync(diskDir), [])
})

test('SIGTERM while spilling: exit 3 and the spill folder removed from DIR', async () => {
  const dir = folder()
  const child = spawn(process.execPath, [cliPath, 'check', 'two-phase-commit', '--param', 'rm=7', '--fp-mem', '1', '--disk', dir, '--json'], { stdio: 'ignore' })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const spilledFile = () => readdirSync(dir).some((d) => d.startsWith('protocheck-spill-') && readdirSync(join(dir, d)).length > 0)
  for (let i = 0; i < 600 && !spilledFile(); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  assert.ok(spilledFile(), 'the run spilled')
  child.kill('SIGTERM')
  assert.is(await exited, 3)
  assert.equal(readdirSync(dir), [])
  assert.ok(existsSync(dir), "the user's folder itself stays")
})

test.run()
