import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  bagOf, bool, enumOf, int, mapOf, NIL, nodeId, nodeIdOrNil, record, Schema, SchemaError, seqOf, setOf, union, valueFromItf, valueToItf, type Value,
} from '../checker/schema.js'
import { arbitraryOf } from './helpers/arbitrary.js'

// One schema that uses every constructor, nested the way Paxos and Raft need them.
const Server = nodeId('server', 3)
const Entry = record({ term: int(1, 3), value: enumOf('v1', 'v2') })
const Message = union('type', {
  RequestVote: { term: int(0, 3), from: Server, to: Server, lastLogTerm: int(0, 3) },
  AppendEntries: { term: int(0, 3), from: Server, to: Server, entries: seqOf(Entry, 2), commit: int(0, 2) },
  Ping: {},
})
const kitchenSink = record({
  phase: enumOf('idle', 'running', 'done'),
  flag: bool,
  ballot: int(-1, 5),
  leader: Server,
  votedFor: mapOf(Server, nodeIdOrNil('server', 3)),
  heardFrom: setOf(nodeIdOrNil('server', 3)),
  log: mapOf(Server, seqOf(Entry, 3)),
  peers: setOf(Server),
  votes: setOf(record({ voter: Server, granted: bool })),
  acks: setOf(Entry, 4),
  messages: bagOf(Message, 4, 3),
  last: Message,
  perPhase: mapOf(enumOf('a', 'b'), record({ count: int(0, 7), seen: setOf(Server) })),
})
const schema = new Schema(kitchenSink)
type Sink = Value<typeof kitchenSink>

/** Sets and bags as order-free values, for comparing with what was encoded. */
function canonical(type: any, v: any): any {
  switch (type.kind) {
    case 'record':
      return Object.fromEntries(Object.entries(type.fields).map(([k, t]) => [k, canonical(t, v[k])]))
    case 'union':
      return { [type.tag]: v[type.tag], ...canonical({ kind: 'record', fields: type.variants[v[type.tag]] }, v) }
    case 'map':
      return Array.isArray(v) ? v.map((x: any) => canonical(type.value, x)) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canonical(type.value, x)]))
    case 'set': {
      const items = v.map((x: any) => canonical(type.elem, x))
      return [...new Map<string, unknown>(items.map((x: any) => [JSON.stringify(x), x])).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, x]) => x)
    }
    case 'bag':
      return v.map(([x, n]: any) => [canonical(type.elem, x), n]).sort((a: any, b: any) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
    case 'seq':
      return v.map((x: any) => canonical(type.elem, x))
    default:
      return v
  }
}

test('every constructor: encode then decode gives the value back, canonically', () => {
  fc.assert(
    fc.property(arbitraryOf(kitchenSink), (value) => {
      const words = schema.encode(value as Sink)
      assert.is(words.length, schema.words)
      const decoded = schema.decode(words)
      assert.equal(canonical(kitchenSink, decoded), canonical(kitchenSink, value))
      assert.is(schema.malformation(words), null)
      // Encoding is canonical: the decoded value encodes to the very same words.
      assert.equal(Array.from(schema.encode(decoded)), Array.from(words))
    }),
    { numRuns: 300 },
  )
})

test('every constructor: ITF encode then decode gives the same state', () => {
  fc.assert(
    fc.property(arbitraryOf(kitchenSink), (value) => {
      const decoded = schema.decode(schema.encode(value as Sink))
      const itf = JSON.parse(JSON.stringify(schema.toItf(decoded)))
      assert.equal(schema.fromItf(itf), decoded)
    }),
    { numRuns: 200 },
  )
})

test('sets and bags: element order does not change the words', () => {
  fc.assert(
    fc.property(arbitraryOf(kitchenSink), (value: any) => {
      const shuffled = { ...value, peers: [...value.peers].reverse(), acks: [...value.acks].reverse(), messages: [...value.messages].reverse() }
      assert.equal(Array.from(schema.encode(shuffled)), Array.from(schema.encode(value)))
    }),
  )
})

test('draft set operations agree with a JavaScript Set and stay canonical', () => {
  const S = new Schema(record({ small: setOf(int(0, 40)), listed: setOf(int(0, 1000), 6) }))
  const op = fc.record({ kind: fc.constantFrom('add', 'delete'), small: fc.integer({ min: 0, max: 40 }), listed: fc.integer({ min: 0, max: 1000 }) })
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const words = new Uint32Array(S.words)
      const d = S.draft(words)
      const small = new Set<number>()
      const listed = new Set<number>()
      for (const o of ops) {
        if (o.kind === 'add') {
          d.small.add(o.small)
          small.add(o.small)
          if (listed.size < 6 || listed.has(o.listed)) {
            d.listed.add(o.listed)
            listed.add(o.listed)
          }
        } else {
          d.small.delete(o.small)
          small.delete(o.small)
          d.listed.delete(o.listed)
          listed.delete(o.listed)
        }
        assert.is(d.small.has(o.small), small.has(o.small))
        assert.is(d.listed.size, listed.size)
      }
      assert.equal(d.small.toArray(), [...small].sort((a, b) => a - b))
      assert.equal(d.listed.toArray(), [...listed].sort((a, b) => a - b))
      assert.is(S.malformation(words), null)
    }),
  )
})

test('draft bag and sequence operations agree with arrays and stay canonical', () => {
  const S = new Schema(record({ bag: bagOf(int(0, 9), 5, 3), seq: seqOf(int(0, 9), 4) }))
  const op = fc.record({ kind: fc.constantFrom('add', 'remove', 'push', 'truncate'), x: fc.integer({ min: 0, max: 9 }) })
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const words = new Uint32Array(S.words)
      const d = S.draft(words)
      const bag = new Map<number, number>()
      let seq: number[] = []
      for (const { kind, x } of ops) {
        if (kind === 'add' && (bag.get(x) ?? 0) < 3 && (bag.has(x) || bag.size < 5)) {
          d.bag.add(x)
          bag.set(x, (bag.get(x) ?? 0) + 1)
        } else if (kind === 'remove' && bag.has(x)) {
          d.bag.remove(x)
          if (bag.get(x) === 1) bag.delete(x)
          else bag.set(x, bag.get(x)! - 1)
        } else if (kind === 'push' && seq.length < 4) {
          d.seq.push(x)
          seq.push(x)
        } else if (kind === 'truncate') {
          const n = Math.min(x, seq.length)
          d.seq.truncate(n)
          seq = seq.slice(0, n)
        }
        assert.is(d.bag.count(x), bag.get(x) ?? 0)
      }
      assert.equal(d.bag.entries(), [...bag.entries()].sort(([a], [b]) => a - b))
      assert.is(d.bag.size, [...bag.values()].reduce((a, b) => a + b, 0))
      assert.equal(d.seq.toArray(), seq)
      assert.is(S.malformation(words), null)
    }),
  )
})

test('views read what drafts wrote, through nested maps and records', () => {
  const words = new Uint32Array(schema.words)
  const d = schema.draft(words)
  const v = schema.view(words)
  d.phase = 'running'
  d.flag = true
  d.ballot = -1
  d.votedFor.set(2, 1)
  d.log.get(1).push({ term: 2, value: 'v2' })
  d.perPhase.get('b').count = 7
  d.perPhase.get('b').seen.add(2)
  d.last = { type: 'RequestVote', term: 3, from: 1, to: 2, lastLogTerm: 0 }
  assert.is(v.phase, 'running')
  assert.is(v.flag, true)
  assert.is(v.ballot, -1)
  assert.is(v.votedFor.get(2), 1)
  // All-zero words read as each type's first value: -1 for int(-1, 2).
  assert.is(v.votedFor.get(0), -1)
  assert.equal(v.log.get(1).toArray(), [{ term: 2, value: 'v2' }])
  assert.is(v.perPhase.get('b').count, 7)
  assert.ok(v.perPhase.get('b').seen.has(2))
  assert.equal(v.last, { type: 'RequestVote', term: 3, from: 1, to: 2, lastLogTerm: 0 })
  assert.is(schema.malformation(words), null)
})

test('out-of-range values and exceeded capacities are errors naming the field', () => {
  const words = new Uint32Array(schema.words)
  const d = schema.draft(words)
  assert.throws(() => (d.ballot = 6), (e: Error) => e instanceof SchemaError && /ballot: 6 is out of range -1\.\.5/.test(e.message))
  assert.throws(() => d.votedFor.set(3, 0), (e: Error) => e instanceof SchemaError && /votedFor key: 3 is not a server id/.test(e.message))
  assert.throws(() => (d.phase = 'bogus' as never), (e: Error) => /phase: "bogus" is not one of idle, running, done/.test(e.message))
  for (let i = 0; i < 3; i++) d.log.get(0).push({ term: 1, value: 'v1' })
  assert.throws(() => d.log.get(0).push({ term: 1, value: 'v1' }), (e: Error) => /log\[server1\]: maximum length 3 exceeded/.test(e.message))
  for (let t = 1; t <= 3; t++) d.acks.add({ term: t, value: 'v1' })
  d.acks.add({ term: 1, value: 'v2' })
  assert.throws(() => d.acks.add({ term: 2, value: 'v2' }), (e: Error) => /acks: capacity 4 exceeded/.test(e.message))
  const ping = { type: 'Ping' } as const
  for (let i = 0; i < 3; i++) d.messages.add(ping)
  assert.throws(() => d.messages.add(ping), (e: Error) => /messages: more than 3 copies/.test(e.message))
})

test('corrupt words are reported, not decoded into a wrong state', () => {
  const S = new Schema(record({ phase: enumOf('a', 'b', 'c'), s: setOf(int(0, 9), 3) }))
  const words = S.encode({ phase: 'a', s: [1, 5] })
  const enumCorrupt = words.slice()
  enumCorrupt[0] |= 3 // code 3 of a 3-value enum
  assert.match(S.malformation(enumCorrupt)!, /phase: corrupt state/)
  const unsorted = S.encode({ phase: 'a', s: [1, 5] })
  const slots = unsorted.length - 3
  ;[unsorted[slots], unsorted[slots + 1]] = [unsorted[slots + 1], unsorted[slots]]
  assert.match(S.malformation(unsorted)!, /not strictly sorted/)
})

test('scalars share words: a 2PC state with 3 resource managers packs into 3 words', () => {
  const RM = nodeId('rm', 3)
  const s = new Schema(record({
    rmState: mapOf(RM, enumOf('working', 'prepared', 'committed', 'aborted')),
    tmState: enumOf('init', 'committed', 'aborted'),
    tmPrepared: setOf(RM),
    msgs: setOf(union('type', { Prepared: { rm: RM }, Commit: {}, Abort: {} })),
  }))
  // 6 bits of rmState and 2 of tmState share one word; the two bitsets take a word each.
  assert.is(s.words, 3)
})

test('a node id or Nil: NIL in values, "Nil" in ITF, and a clear error for anything else', () => {
  const VotedFor = nodeIdOrNil('server', 3)
  assert.is(valueToItf(VotedFor, NIL), 'Nil')
  assert.is(valueToItf(VotedFor, 2), 'server3')
  assert.is(valueFromItf(VotedFor, 'Nil', 'votedFor'), NIL)
  assert.is(valueFromItf(VotedFor, 'server1', 'votedFor'), 0)
  assert.throws(() => valueFromItf(VotedFor, -1, 'votedFor'), /votedFor: expected a server id \(server1\.\.server3\) or Nil, got -1/)
  assert.throws(() => valueFromItf(nodeId('server', 3), 'Nil', 'leader'), /leader: expected a server id \(server1\.\.server3\), got "Nil"/)
  assert.throws(() => mapOf(VotedFor, bool), /a map cannot be keyed by server ids or nil/)
})

test.run()
