// --driver-cmd: replay and conform through a process speaking the JSON-lines driver protocol.
// The process here serves the built-in two-phase-commit driver (test/helpers/json-lines-driver.ts),
// so every verdict is known; MISBEHAVE makes it fail in each way the protocol must survive.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli, runCliJson } from './helpers/cli.js'

const bridge = fileURLToPath(new URL('./helpers/json-lines-driver.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'driver-cmd-'))
const command = (model = 'two-phase-commit', marker = '') => `${JSON.stringify(process.execPath)} ${JSON.stringify(bridge)} ${model}${marker ? ` ${marker}` : ''}`

test('conform through --driver-cmd agrees with the correct implementation, and finds a divergence on a buggy one', () => {
  const agree = runCliJson(['conform', 'two-phase-commit', '--driver-cmd', command(), '--runs', '40', '--seed', '5', '--param', 'rm=2'])
  assert.is(agree.code, 0, agree.stderr)
  assert.is(agree.report.result, 'agree')
  assert.is(agree.report.runs, 40)
})

test('replay through --driver-cmd reproduces a counterexample', () => {
  const trace = join(dir, 'any-prepared.itf.json')
  assert.is(runCli(['check', 'two-phase-commit', '--bug', 'commit-on-any-prepared', '--param', 'rm=2', '--out', trace]).code, 1)
  const replayed = runCliJson(['replay', trace, '--driver-cmd', command()])
  assert.is(replayed.code, 0, replayed.stderr)
  assert.is(replayed.report.reproduced, true)
  assert.is(replayed.report.divergence, null)
})

// Requests of a conform run: 1 start, 2 observe (step 0), 3 apply (step 1), 4 observe (step 1), ...
const failures: [string, RegExp][] = [
  ['garbage@3', /the driver failed at step 1 \(\w+.*\): the driver answered apply with a line that is not JSON: this is not json/],
  ['die@4', /the driver failed at step 1 .*: the driver process exited with code 3/],
  ['wrong-id@2', /the driver failed at step 0 \(init\): the driver answered request 9, but request 2 \(observe\) was waiting/],
  ['error@3', /the driver failed at step 1 .*: the driver answered error: the cluster is on fire/],
  ['version@1', /the driver failed at step 0 \(start\): the driver speaks version 2 of the driver protocol; protocheck speaks 1/],
  ['bad-state@4', /the driver failed at step 1 .*: observe answered a state that does not fit the model/],
  ['silent@3', /the driver failed at step 1 .*: no answer to apply within 3000 ms/],
]

for (const [misbehave, message] of failures) {
  test(`a driver that misbehaves (${misbehave}): one line naming the step, exit 2, the walk so far kept, the process gone`, () => {
    const marker = `marker-${misbehave.replace('@', '-')}-${process.pid}`
    const out = join(dir, `${misbehave}.itf.json`)
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../cli.js', import.meta.url)), 'conform', 'two-phase-commit', '--driver-cmd', command('two-phase-commit', marker), '--driver-timeout', '3000', '--runs', '5', '--seed', '1', '--out', out, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, MISBEHAVE: misbehave },
      timeout: 60_000,
    })
    assert.is(r.status, 2, r.stderr)
    const lines = r.stderr.trim().split('\n')
    assert.is(lines.length, 1, r.stderr)
    assert.match(lines[0], message)
    assert.not.match(r.stderr, /at .*\.js:\d+/)
    const reachedSteps = !misbehave.endsWith('@1') && !misbehave.endsWith('@2')
    assert.is(existsSync(out), reachedSteps, `walk so far ${reachedSteps ? 'not ' : ''}written`)
    if (reachedSteps) {
      assert.match(lines[0], `the walk so far is in ${out}`)
      const trace = JSON.parse(readFileSync(out, 'utf8'))
      assert.is(trace['#meta'].result, 'driver-error')
      assert.ok(trace.states.length >= 1)
    }
    assert.is(spawnSync('pgrep', ['-f', marker]).status, 1, 'the driver process outlived the run')
  })
}

test('a model that names a command as its driver is conformed through it, run in the model\'s folder', () => {
  const builtIn = fileURLToPath(new URL('../protocols/two-phase-commit/model.js', import.meta.url))
  const modelFile = join(dir, 'named-driver.ts')
  writeFileSync(modelFile, `import model from ${JSON.stringify(builtIn)}\nexport default { ...model, driver: { command: 'exit 9' } }\n`)
  // The named command is the one run: this one answers nothing and exits 9.
  const r = runCli(['conform', modelFile, '--runs', '3', '--json'])
  assert.is(r.code, 2, r.stderr)
  assert.match(r.stderr, 'the driver process exited with code 9')
  writeFileSync(modelFile, `import model from ${JSON.stringify(builtIn)}\nexport default { ...model, driver: { command: ${JSON.stringify(`test -f named-driver.ts && ${command()}`)} } }\n`)
  const agree = runCliJson(['conform', modelFile, '--runs', '10', '--seed', '2'])
  assert.is(agree.code, 0, agree.stderr)
  assert.is(agree.report.result, 'agree')
})

test('bad driver options: both kinds, an empty command, a command that does not exist', () => {
  const both = runCli(['conform', 'two-phase-commit', '--driver', 'x.ts', '--driver-cmd', 'y'])
  assert.is(both.code, 2)
  assert.match(both.stderr, 'give --driver or --driver-cmd, not both')
  const missing = runCli(['conform', 'two-phase-commit', '--driver-cmd', 'no-such-driver-program-here', '--runs', '2'])
  assert.is(missing.code, 2)
  assert.match(missing.stderr, /step 0 \(start\): the driver process exited with code 127 \(its last words: .*not found\)/)
  assert.is(missing.stderr.trim().split('\n').filter((l) => l.startsWith('protocheck:')).length, 1)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
