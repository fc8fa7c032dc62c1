// The fast paths of the hot loop must agree with the slow, obviously right ones:
// Schema.isCanonical (TypeOK without decoding) with malformation (decode, re-encode,
// compare), and the generated view classes with decoding.

import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bagOf, bool, enumOf, int, mapOf, nodeId, record, Schema, seqOf, setOf, union } from '../checker/schema.js'
import { arbitraryOf } from './helpers/arbitrary.js'

const Node = nodeId('node', 3)
const Msg = union('kind', {
  Vote: { from: Node, granted: bool },
  Entries: { term: int(0, 2), items: seqOf(enumOf('x', 'y', 'z'), 2) },
  Tick: {},
})
// Enumerable, so a set of it is a bitset.
const Signal = union('kind', { Vote: { from: Node, granted: bool }, Ack: { term: int(0, 2) }, Tick: {} })
const shape = record({
  mode: enumOf('a', 'b', 'c'), // 3 values in 2 bits: code 3 is out of range
  round: int(-1, 4),
  owner: Node,
  byNode: mapOf(Node, enumOf('idle', 'busy', 'done')),
  byMode: mapOf(enumOf('p', 'q'), record({ n: int(0, 5), peers: setOf(Node) })),
  seen: setOf(Signal),
  inbox: bagOf(Msg, 3, 2),
  chosen: setOf(int(0, 40), 3),
  last: Msg,
  history: seqOf(Node, 3),
})
const schema = new Schema(shape)

test('isCanonical agrees with malformation on encodings and on corruptions of them', () => {
  let corrupt = 0
  fc.assert(
    fc.property(arbitraryOf(shape), fc.nat(), fc.nat(31), fc.boolean(), (value, wordSeed, bit, swap) => {
      const words = schema.encode(value as never)
      assert.ok(schema.isCanonical(words))
      const bad = words.slice()
      const i = wordSeed % bad.length
      if (swap && bad.length > 1) {
        const j = (i + 1) % bad.length
        ;[bad[i], bad[j]] = [bad[j], bad[i]]
      } else {
        bad[i] ^= 1 << bit
      }
      const slow = schema.malformation(bad) === null
      if (!slow) corrupt++
      assert.is(schema.isCanonical(bad), slow, `words ${Array.from(bad).join(',')}`)
    }),
    { numRuns: 2000 },
  )
  // The property would be vacuous if corruptions were always still canonical.
  assert.ok(corrupt > 500, `only ${corrupt} corrupt cases`)
})

test('a non-canonical element is never taken for its value\'s encoding (the decoded-element cache records only canonical words)', () => {
  // Swapping two words of the bag moves a count into an element's unused bits: decoding gives
  // a value whose encoding differs, so both TypeOK paths must call the words malformed.
  const value = { mode: 'a', round: 0, owner: 0, byNode: ['idle', 'idle', 'idle'], byMode: { p: { n: 0, peers: [] }, q: { n: 0, peers: [] } }, seen: [{ kind: 'Ack', term: 0 }], inbox: [[{ kind: 'Tick' }, 1]], chosen: [], last: { kind: 'Tick' }, history: [] }
  const words = schema.encode(value as never)
  const bad = words.slice()
  ;[bad[3], bad[4]] = [bad[4], bad[3]]
  for (let round = 0; round < 2; round++) {
    assert.is.not(schema.malformation(bad), null)
    assert.not.ok(schema.isCanonical(bad))
  }
})

test('generated views read what decoding gives; drafts write what encoding gives', () => {
  fc.assert(
    fc.property(arbitraryOf(shape), arbitraryOf(shape), (value, other) => {
      const words = schema.encode(value as never)
      const decoded = schema.decode(words) as any
      const v = schema.view(words) as any
      assert.is(v.mode, decoded.mode)
      assert.is(v.round, decoded.round)
      assert.is(v.owner, decoded.owner)
      assert.equal(v.last, decoded.last)
      for (let k = 0; k < 3; k++) assert.is(v.byNode.get(k), decoded.byNode[k])
      assert.is(v.byNode.count((x: string) => x === 'busy'), decoded.byNode.filter((x: string) => x === 'busy').length)
      assert.is(v.byNode.every((x: string) => x === 'idle'), decoded.byNode.every((x: string) => x === 'idle'))
      assert.is(v.byMode.get('q').n, decoded.byMode.q.n)
      assert.equal(v.byMode.get('p').peers.toArray(), decoded.byMode.p.peers)
      assert.is(v.seen.size, decoded.seen.length)
      const seenInOrder: unknown[] = []
      v.seen.every((m: unknown) => seenInOrder.push(m) > 0)
      assert.equal(seenInOrder, decoded.seen)
      for (const m of (other as any).seen) {
        assert.is(v.seen.has(m), decoded.seen.some((x: unknown) => JSON.stringify(x) === JSON.stringify(m)))
      }
      // Writing `other` field by field through a draft gives the encoding of `other`.
      const o = other as any
      const d = schema.draft(words) as any
      d.mode = o.mode
      d.round = o.round
      d.owner = o.owner
      d.last = o.last
      for (let k = 0; k < 3; k++) d.byNode.set(k, o.byNode[k])
      d.byMode.set('p', o.byMode.p)
      d.byMode.get('q').n = o.byMode.q.n
      d.byMode.get('q').peers.clear()
      for (const p of o.byMode.q.peers) d.byMode.get('q').peers.add(p)
      d.seen.clear()
      for (const m of o.seen) d.seen.add(m)
      d.inbox.entries().forEach(([m, n]: [unknown, number]) => {
        for (let c = 0; c < n; c++) d.inbox.remove(m)
      })
      for (const [m, n] of o.inbox) for (let c = 0; c < n; c++) d.inbox.add(m)
      d.chosen.clear()
      for (const c of o.chosen) d.chosen.add(c)
      d.history.assign(o.history)
      assert.equal(Array.from(words), Array.from(schema.encode(o)))
    }),
    { numRuns: 300 },
  )
})

test('generated views reject what the codecs reject, naming the field', () => {
  const words = schema.encode(schema.decode(new Uint32Array(schema.words)) as never)
  const d = schema.draft(words) as any
  assert.throws(() => (d.mode = 'd'), /mode: "d" is not one of a, b, c/)
  assert.throws(() => (d.round = 5), /round: 5 is out of range -1..4/)
  assert.throws(() => d.byNode.set(3, 'idle'), /byNode key: 3 is not a node id/)
  assert.throws(() => d.byNode.set(0, 'gone'), /byNode\[node1\]: "gone" is not one of idle, busy, done/)
  assert.throws(() => d.seen.add({ kind: 'Vote', from: 7, granted: true }), /seen element/)
  assert.throws(() => ((schema.view(words) as any).mode = 'a'), TypeError)
})

test.run()
