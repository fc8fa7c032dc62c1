// `protocheck nemesis raft` as a user runs it: two seeded fault runs against the correct build
// are linearizable with every acknowledged write present (exit 0); without read-index, the
// stale-read schedule (partition the leader, write through the new leader, read the old one)
// finds the stale read (exit 1) and saves a history that `protocheck linearizable` rejects too,
// while with read-index the same schedule passes; bad input is one line, exit 2.

import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli, runCliJson } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-nemesis-'))

test('nemesis raft: 2 seeded runs with faults are linearizable, no acknowledged write lost (exit 0)', () => {
  const out = join(dir, 'random')
  const r = runCliJson(['nemesis', 'raft', '--runs', '2', '--seed', '7', '--duration', '2.5', '--out', out])
  assert.is(r.code, 0, r.stderr)
  assert.is(r.report.result, 'linearizable')
  assert.is(r.report.runs, 2)
  assert.is(r.report.details.length, 2)
  for (const run of r.report.details) {
    assert.ok(run.faults.length > 0, `run ${run.run} had no faults`)
    assert.ok(run.operations > 20, `run ${run.run}: only ${run.operations} operations`)
    assert.equal(run.problems, [])
  }
  assert.not.ok(existsSync(out))
})

test('nemesis raft --no-read-index: a partitioned old leader serves a stale read (exit 1, history saved)', () => {
  const out = join(dir, 'stale')
  const r = runCli(['nemesis', 'raft', '--runs', '1', '--seed', '1', '--schedule', 'stale-read', '--duration', '2', '--no-read-index', '--out', out])
  assert.is(r.code, 1, r.stdout + r.stderr)
  assert.match(r.stdout, /^violation: 1 of 1 runs failed/)
  // The probe read the old value; the clients, bound to servers, may have read stale too, so
  // the key named first may be theirs.
  assert.match(r.stderr, /fault: stale-read probe: partitioned server\d, wrote through server\d, read from server\d: "before"/)
  assert.match(r.stderr, /key "(probe|k\d)": these \d+ operations cannot be ordered/)
  const saved = readdirSync(out)
  assert.equal(saved, ['raft-seed1-run0.json'])
  assert.is(runCli(['linearizable', join(out, saved[0]), '--model', 'kv', '--out', join(dir, 'stale.html')]).code, 1)
})

test('nemesis raft: with read-index the same stale-read schedule passes (the old leader refuses)', () => {
  const r = runCliJson(['nemesis', 'raft', '--runs', '1', '--seed', '1', '--schedule', 'stale-read', '--duration', '2', '--out', join(dir, 'ri')])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.report.details[0].faults[0], /read from server\d: refused$/)
})

test('nemesis: bad input is one line, exit 2', () => {
  for (const [args, message] of [
    [['nemesis', 'gfs'], /^protocheck: unknown system 'gfs' \(nemesis runs: [a-z, -]*raft[a-z, -]*\)\n$/],
    [['nemesis', 'raft', '--bug', 'nope'], /^protocheck: unknown bug 'nope' for nemesis raft/],
    [['nemesis', 'paxos', '--no-read-index'], /^protocheck: --no-read-index is for raft, not paxos\n$/],
    [['nemesis', 'lock-service', '--schedule', 'stale-read'], /^protocheck: unknown schedule 'stale-read' \(lock-service schedules: random, paused-holder\)\n$/],
    [['nemesis', 'raft', '--runs', '0'], /^protocheck: --runs .*\n$/],
    [['nemesis', 'raft', '--schedule', 'chaos'], /^protocheck: unknown schedule 'chaos'.*\n$/],
  ] as const) {
    const r = runCli([...args])
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, message)
    assert.is(r.stdout, '')
  }
})

test.run()
