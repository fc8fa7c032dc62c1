// The linearizability checker (linearizability/) on histories whose verdict is known by an
// argument written beside each one, independent of the search; info and fail semantics;
// per-key partitioning; the smallest failing set; a 2,000-operation history from a
// simulated store, with and without an injected stale read.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { injectStaleRead, storeHistory } from '../bench/linearizable-history.js'
import { InputError } from '../checker/errors.js'
import { checkLinearizable } from '../index.js'
import type { ModelName } from '../linearizability/models.js'
import { events } from './helpers/history.js'

const verdict = (model: ModelName, ...lines: string[]) => checkLinearizable(events(...lines), { model }).result
/** The failing set as `process f value` strings (read: `-> output`). */
const failingSet = (model: ModelName, ...lines: string[]) =>
  checkLinearizable(events(...lines), { model }).failure?.operations.map((o) => `${o.process} ${o.f} ${JSON.stringify(o.f === 'read' ? o.output : o.value)}`)

// ---- known linearizable ----

test('a write then a read of what it wrote', () => {
  // Real time forces write < read, and the read sees the write: the only order, and it is legal.
  assert.is(verdict('register', '0 invoke write - 1', '0 ok write - 1', '1 invoke read -', '1 ok read - 1'), 'linearizable')
})

test('a read of a never-written register returns null', () => {
  assert.is(verdict('register', '0 invoke read -', '0 ok read - null'), 'linearizable')
  assert.is(verdict('kv', '0 invoke write x 1', '0 ok write x 1', '1 invoke read y', '1 ok read y null'), 'linearizable')
})

test('a read concurrent with a write may return the old value or the new one', () => {
  // The read overlaps the write: order read, write for null; write, read for 1.
  for (const seen of ['null', '1']) {
    assert.is(verdict('register', '0 invoke write - 1', '1 invoke read -', `1 ok read - ${seen}`, '0 ok write - 1'), 'linearizable', seen)
  }
})

test('two overlapping writes may take effect in either order, seen by sequential reads', () => {
  // Both writes span the two reads: write 2, read 2, write 1, read 1 respects real time.
  assert.is(verdict('register',
    '0 invoke write - 1', '1 invoke write - 2',
    '2 invoke read -', '2 ok read - 2', '2 invoke read -', '2 ok read - 1',
    '0 ok write - 1', '1 ok write - 2'), 'linearizable')
})

test('cas: a successful cas from the value read; a failed cas did not happen', () => {
  // cas null->1 succeeds on the initial register; the failed cas 5->6 changed nothing, so 1 is read.
  assert.is(verdict('cas-register',
    '0 invoke cas - [null,1]', '0 ok cas - [null,1]',
    '1 invoke cas - [5,6]', '1 fail cas - [5,6]',
    '2 invoke read -', '2 ok read - 1'), 'linearizable')
})

test('info: a write that may have happened can be taken as done, late, or never', () => {
  // The write of 1 crashed (info): a later read of 1 means it took effect, a read of null that it did not (yet).
  assert.is(verdict('register', '0 invoke write - 1', '0 info write - 1', '1 invoke read -', '1 ok read - 1'), 'linearizable')
  assert.is(verdict('register', '0 invoke write - 1', '0 info write - 1', '1 invoke read -', '1 ok read - null'), 'linearizable')
  // null then 1: it took effect between the reads, long after its process gave up on it.
  assert.is(verdict('register', '0 invoke write - 1', '0 info write - 1', '1 invoke read -', '1 ok read - null', '1 invoke read -', '1 ok read - 1'), 'linearizable')
  // An invoke never completed is an info too.
  assert.is(verdict('register', '1 invoke read -', '1 ok read - null', '0 invoke write - 1', '1 invoke read -', '1 ok read - 1'), 'linearizable')
  // A read that crashed returned nothing: it constrains nothing.
  assert.is(verdict('register', '0 invoke write - 1', '0 ok write - 1', '1 invoke read -', '1 info read - 7'), 'linearizable')
})

test('kv: keys are independent registers', () => {
  // Each key alone is sequential and reads what was last written to it.
  assert.is(verdict('kv',
    '0 invoke write x 1', '1 invoke write y 2', '0 ok write x 1', '1 ok write y 2',
    '0 invoke read y', '1 invoke read x', '0 ok read y 2', '1 ok read x 1'), 'linearizable')
})

// ---- known not linearizable ----

test('a stale read: the write completed before the read began, which still returns null', () => {
  // Real time forces write 1 < read, so the read must return 1. Both operations are needed:
  // alone, a read of null is fine and a write is fine.
  assert.is(verdict('register', '0 invoke write - 1', '0 ok write - 1', '1 invoke read -', '1 ok read - null'), 'not-linearizable')
  assert.equal(failingSet('register', '0 invoke write - 1', '0 ok write - 1', '1 invoke read -', '1 ok read - null'), ['0 write 1', '1 read null'])
})

test('new-old inversion: a read sees 2, a later read sees 1 again', () => {
  // write 1 completes before write 2 begins (so write 1 < write 2); read 2 < read 1 in real time.
  // Read 2 puts write 2 before it, so read 1 comes after write 2, yet only write 1 writes 1 and
  // it precedes write 2. All four are needed: without write 1 nothing writes 1; without write 2
  // nothing writes 2; without the read of 2, write 2 can follow the read of 1; without the read
  // of 1 there is no contradiction. The bystander read of null (before everything) is not needed.
  const history = [
    '3 invoke read -', '3 ok read - null',
    '0 invoke write - 1', '0 ok write - 1',
    '1 invoke write - 2', '2 invoke read -', '2 ok read - 2', '2 invoke read -', '2 ok read - 1', '1 ok write - 2',
  ]
  assert.is(verdict('register', ...history), 'not-linearizable')
  assert.equal(failingSet('register', ...history), ['0 write 1', '1 write 2', '2 read 2', '2 read 1'])
})

test('two cas from null to 1 cannot both succeed', () => {
  // Whichever goes second finds 1, not null: its success is impossible, concurrent or not.
  assert.is(verdict('cas-register', '0 invoke cas - [null,1]', '1 invoke cas - [null,1]', '0 ok cas - [null,1]', '1 ok cas - [null,1]'), 'not-linearizable')
  assert.is(verdict('cas-register', '0 invoke cas - [null,1]', '0 ok cas - [null,1]', '1 invoke cas - [null,1]', '1 ok cas - [null,1]'), 'not-linearizable')
})

test('a read of a value nobody writes is the failing set alone', () => {
  // No operation writes 7; the register only ever holds null or 1.
  assert.equal(failingSet('register', '0 invoke write - 1', '0 ok write - 1', '1 invoke read -', '1 ok read - 7'), ['1 read 7'])
})

test('fail: a failed write did not happen, so its value cannot be read', () => {
  // The write of 1 failed; nothing else writes 1.
  assert.is(verdict('register', '0 invoke write - 1', '0 fail write - 1', '1 invoke read -', '1 ok read - 1'), 'not-linearizable')
})

test('info: a write that may have happened happens at most once', () => {
  // Reads of 1, null, 1 in sequence: the write of 1 took effect before the first read, and
  // nothing writes null afterwards (null is only the initial value), so the second read is impossible.
  assert.is(verdict('register',
    '0 invoke write - 1', '0 info write - 1',
    '1 invoke read -', '1 ok read - 1', '1 invoke read -', '1 ok read - null', '1 invoke read -', '1 ok read - 1'), 'not-linearizable')
})

test('kv: the failing key is named, the other keys pass', () => {
  const r = checkLinearizable(events(
    '0 invoke write a 1', '0 ok write a 1', '1 invoke read a', '1 ok read a 1',
    '0 invoke write b 1', '0 ok write b 1', '1 invoke read b', '1 ok read b null',
    '0 invoke write c 1', '0 ok write c 1', '1 invoke read c', '1 ok read c 1',
  ), { model: 'kv' })
  assert.is(r.result, 'not-linearizable')
  assert.equal(r.failedKeys, ['b'])
  assert.is(r.failure!.key, 'b')
  assert.equal(r.failure!.operations.map((o) => o.invokeIndex), [4, 6])
  assert.is(r.keys, 3)
})

// ---- models and input ----

test('register has no cas; one-register models refuse several keys; unknown models are refused', () => {
  assert.throws(() => verdict('register', '0 invoke cas - [null,1]', '0 ok cas - [null,1]'), (e: Error) => e instanceof InputError && /register model has no cas/.test(e.message))
  assert.throws(() => verdict('cas-register', '0 invoke write x 1', '0 ok write x 1', '1 invoke read y', '1 ok read y null'), (e: Error) => e instanceof InputError && /2 keys .*--model kv/.test(e.message))
  assert.throws(() => checkLinearizable([], { model: 'queue' as ModelName }), (e: Error) => e instanceof InputError && /unknown model 'queue'/.test(e.message))
})

test('a time limit: a key the search cannot decide in time is reported, not guessed', () => {
  // Twenty crashed writes of 1..20 overlap reads of 1, 2, ..., 20 and then 1 again, which is
  // impossible (the write of 1 took effect once, before the write of 2). Before it can say so,
  // the search must try which of the later writes took effect early (and were overwritten):
  // about 2^20 sets. It stops at the limit instead.
  const crashed = Array.from({ length: 20 }, (_, p) => `${p} invoke write x ${p + 1}`)
  const reads = [...Array.from({ length: 20 }, (_, i) => i + 1), 1].flatMap((v) => ['99 invoke read x', `99 ok read x ${v}`])
  const started = Date.now()
  const r = checkLinearizable(events(...crashed, ...reads), { model: 'kv', timeLimitSeconds: 0.3 })
  assert.is(r.result, 'unknown')
  assert.equal(r.undecidedKeys, ['x'])
  assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`)
})

test('an empty history is linearizable', () => {
  assert.is(checkLinearizable([], { model: 'kv' }).result, 'linearizable')
})

// ---- a simulated store ----

test('a simulated store (2,000 operations, 5 keys, 8 processes): linearizable; with one stale read injected, not, and the failing set is the operations of the argument', () => {
  const history = storeHistory({ operations: 2000, keys: 5, processes: 8, seed: 7, crash: 0.01 })
  const clean = checkLinearizable(history, { model: 'kv' })
  assert.is(clean.result, 'linearizable')
  assert.is(clean.operations, 2000)
  assert.is(clean.keys, 5)

  const anomaly = injectStaleRead(history)
  const r = checkLinearizable(history, { model: 'kv' })
  assert.is(r.result, 'not-linearizable')
  assert.equal(r.failedKeys, [anomaly.key])
  // The value is written once (by w1), w1 < w2 < the read in real time: a minimal set holds the
  // read, w1 (the only writer of what it returns), one operation that overwrites w1 before the
  // read begins, and, if w1 is a cas, the writers of the values it expects (its explanation).
  const failing = r.failure!.operations
  const read = failing.find((o) => o.completeIndex === anomaly.read && o.f === 'read')!
  const w1 = failing.find((o) => o.completeIndex === anomaly.overwritten)!
  assert.ok(read && w1, JSON.stringify(failing))
  const rest = failing.filter((o) => o !== read && o !== w1)
  const overwriting = rest.filter((o) => o.f !== 'read' && o.invokeIndex > w1.completeIndex! && o.completeIndex! < read.invokeIndex)
  assert.is(overwriting.length, 1, JSON.stringify(failing))
  const expected = new Set(failing.filter((o) => o.f === 'cas').map((o) => JSON.stringify((o.value as unknown[])[0])))
  for (const o of rest.filter((o) => o !== overwriting[0])) assert.ok(o.f !== 'read' && expected.has(JSON.stringify(o.f === 'cas' ? (o.value as unknown[])[1] : o.value)), JSON.stringify(o))
  assert.ok(r.failure!.minimal)
})

test('linearizability/ stands alone: it imports nothing of protocheck but checker/errors.ts', () => {
  // The checker of histories knows no protocol, no trace and no CLI; the command and the API wrap it.
  const folder = fileURLToPath(new URL('../../linearizability/', import.meta.url))
  const outside = readdirSync(folder).filter((f) => f.endsWith('.ts')).flatMap((f) =>
    [...readFileSync(join(folder, f), 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => m[1]).filter((s) => !s.startsWith('./') && s !== '../checker/errors.js').map((s) => `${f} -> ${s}`))
  assert.equal(outside, [])
})

test.run()
