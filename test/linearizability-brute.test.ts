// The checker against an independent brute-force checker on small random histories: the
// definition of linearizability spelled out (some order of the operations, respecting real
// time, in which every completed operation is legal for a sequential register per key; `info`
// operations in it or not, `fail` ones not), enumerated by extending orders one operation at a
// time, with no cache, no linked list and nothing shared with linearizability/ but the event
// format. Both verdicts must agree; a failing set must fail by brute force too, and each of its
// operations must be needed.

import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkLinearizable } from '../index.js'
import type { HistoryEvent } from '../linearizability/history.js'
import type { ModelName } from '../linearizability/models.js'

type Value = number | null
interface BruteOperation {
  f: 'read' | 'write' | 'cas'
  key: string | null
  value: Value | [Value, Value]
  output: Value
  /** ok: must be in the order; info: may be. */
  certain: boolean
  call: number
  ret: number
}

/** Pair the events myself: per process, an invoke and the next event of that process. */
function bruteOperations(events: readonly HistoryEvent[]): BruteOperation[] {
  const open = new Map<unknown, { event: HistoryEvent; index: number }>()
  const operations: BruteOperation[] = []
  const add = (invoke: HistoryEvent, call: number, type: string, completion: HistoryEvent | null, ret: number) => {
    if (type === 'fail') return // did not happen
    if (type !== 'ok' && invoke.f === 'read') return // returned nothing: constrains nothing
    operations.push({
      f: invoke.f, key: (invoke.key ?? null) as string | null, value: invoke.value as BruteOperation['value'],
      output: (completion?.value ?? null) as Value, certain: type === 'ok', call, ret: type === 'ok' ? ret : Infinity,
    })
  }
  events.forEach((event, index) => {
    if (event.type === 'invoke') open.set(event.process, { event, index })
    else {
      const { event: invoke, index: call } = open.get(event.process)!
      open.delete(event.process)
      add(invoke, call, event.type, event, index)
    }
  })
  for (const { event, index } of open.values()) add(event, index, 'info', null, Infinity)
  return operations
}

/** Is there an order of some of `operations` (all certain ones) that respects real time and is legal? */
function bruteLinearizable(operations: readonly BruteOperation[]): boolean {
  const placed: BruteOperation[] = []
  const used = new Set<BruteOperation>()
  const extend = (registers: Map<string | null, Value>): boolean => {
    if (operations.every((o) => !o.certain || used.has(o))) return true
    for (const o of operations) {
      if (used.has(o)) continue
      // o goes after everything placed: none of those may have been invoked after o completed.
      if (placed.some((p) => o.ret < p.call)) continue
      const current = registers.has(o.key) ? registers.get(o.key)! : null
      let after: Value
      if (o.f === 'read') {
        if (o.output !== current) continue
        after = current
      } else if (o.f === 'write') after = o.value as Value
      else {
        const [expected, next] = o.value as [Value, Value]
        if (expected !== current) continue
        after = next
      }
      used.add(o)
      placed.push(o)
      const found = extend(new Map(registers).set(o.key, after))
      placed.pop()
      used.delete(o)
      if (found) return true
    }
    return false
  }
  return extend(new Map())
}

const operation = (model: ModelName) => fc.record({
  f: model === 'register' ? fc.constantFrom<'read' | 'write'>('read', 'write') : fc.constantFrom<'read' | 'write' | 'cas'>('read', 'write', 'cas'),
  key: model === 'kv' ? fc.constantFrom('x', 'y') : fc.constant(null),
  written: fc.integer({ min: 1, max: 2 }),
  expected: fc.constantFrom(null, 1, 2),
  output: fc.constantFrom(null, 1, 2),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail'),
})

/** Up to 7 operations on up to 3 processes, interleaved by a random schedule; maybe one left open. */
const history = (model: ModelName) => fc.record({
  processes: fc.array(fc.array(operation(model), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  schedule: fc.array(fc.nat(2), { maxLength: 24 }),
  leaveOpen: fc.boolean(),
}).map(({ processes, schedule, leaveOpen }) => {
  let budget = 7
  const scripts = processes.map((ops, p) => ops.filter(() => budget-- > 0).flatMap((o): HistoryEvent[] => {
    const value = o.f === 'read' ? null : o.f === 'write' ? o.written : [o.expected, o.written]
    const done = o.f === 'read' ? (o.outcome === 'ok' ? o.output : null) : value
    return [
      { process: p, type: 'invoke', f: o.f, key: o.key, value },
      { process: p, type: o.outcome as HistoryEvent['type'], f: o.f, key: o.key, value: done },
    ]
  }))
  const events: HistoryEvent[] = []
  const take = (p: number) => {
    const next = scripts[p].shift()
    if (next) events.push({ ...next, time: events.length })
  }
  for (const s of schedule) take(s % scripts.length)
  for (let p = 0; p < scripts.length; p++) while (scripts[p].length > 0) take(p)
  if (leaveOpen && events.length > 0 && events.at(-1)!.type !== 'invoke') events.pop()
  return events
})

/** A read (or cas) of a value that none of `set` writes, though the history writes it: the
 * shrinking never leaves such a set, so removing an operation that causes one is not a removal it could make. */
function unexplained(set: readonly BruteOperation[], all: readonly BruteOperation[]): boolean {
  const writes = (o: BruteOperation) => (o.f === 'write' ? [o.value as Value] : o.f === 'cas' ? [(o.value as Value[])[1]] : [])
  const needs = (o: BruteOperation) => (o.f === 'read' ? o.output : o.f === 'cas' ? (o.value as Value[])[0] : null)
  const everWritten = new Set(all.filter((o) => o.key === set[0]?.key).flatMap(writes))
  const written = new Set(set.flatMap(writes))
  return set.some((o) => needs(o) !== null && everWritten.has(needs(o)) && !written.has(needs(o)))
}

for (const model of ['kv', 'cas-register', 'register'] as ModelName[]) {
  test(`${model}: the checker agrees with brute force on 400 random histories, and its failing sets fail and need every operation`, () => {
    const verdicts = { linearizable: 0, 'not-linearizable': 0 }
    fc.assert(fc.property(history(model), (events) => {
      const report = checkLinearizable(events, { model })
      const all = bruteOperations(events)
      const expected = bruteLinearizable(all)
      assert.is(report.result, expected ? 'linearizable' : 'not-linearizable')
      verdicts[report.result as keyof typeof verdicts]++
      if (!report.failure) return
      // The failing set, seen by brute force: its events only, in their order in the history.
      const kept = new Set(report.failure.operations.flatMap((o) => [o.invokeIndex, o.completeIndex]))
      const set = bruteOperations(events.filter((_, i) => kept.has(i)))
      const inHistory = all.filter((o) => o.key === report.failure!.key)
      assert.is(set.length, report.failure.operations.length)
      assert.not.ok(bruteLinearizable(set), 'the failing set is linearizable')
      for (const o of set) {
        const rest = set.filter((other) => other !== o)
        assert.ok(rest.length === 0 || bruteLinearizable(rest) || unexplained(rest, inHistory), 'an operation of the failing set is not needed')
      }
    }), { numRuns: 400, seed: 20261202 })
    // Both verdicts are exercised, not one by accident.
    assert.ok(verdicts.linearizable > 40 && verdicts['not-linearizable'] > 40, JSON.stringify(verdicts))
  })
}

test.run()
