// A message-sequence chart derived from any ITF trace, knowing no protocol: one lane per node,
// one for state that belongs to no node, and arrows for messages.
//
// - Nodes are the ids that look like node ids ("rm1", "server2", "client3") among the keys
//   of the state's maps and in the steps' picks; failing that, every key of the top-level maps.
// - A step's actor is the node whose own entries (in maps keyed by node) changed, preferring
//   one named in the picks; a step that changes only other variables, or several nodes none of
//   which was picked, belongs to the global lane.
// - Message variables are sets, bags and sequences of structured values (records, variants,
//   tuples). What a step adds to one is sent by its actor. What a step removes is received by
//   its actor, from whoever sent it. Where messages are never removed (TLA+'s grow-only `msgs`),
//   a step that changed only state is taken to have read the latest message sent by another
//   lane whose words appear in the action's name ("RcvCommitMsg" reads { type: Commit }) and
//   which names no node or names the step's node.
// - A pick equal to a message in flight (Quint's `nondet m = msgs.oneOf()`) receives it.
// - A step with no message arrow that involves several nodes (its changes and picks; the global
//   lane too where there are no messages) is drawn as an interaction from its actor to each.

import { ACTION_TAKEN, type ItfState, type ItfTrace } from '../itf.js'
import { picksOf, stateVariables } from './text.js'
import { formatValue, isRecord, isVariant, mapEntries, setElements, type Json } from './values.js'

export interface Lane {
  /** The node id, or "global". */
  id: string
  label: string
}

export interface Arrow {
  from: number
  to: number
  /** The step that sent it (from's row) and the step that received it (to's row). */
  sent: number
  received: number
  label: string
  kind: 'message' | 'interaction'
}

export interface Chart {
  lanes: Lane[]
  /** Per state: the lane of its step's actor (-1 for the initial state). */
  actors: number[]
  /** Per state: what its step sent that the chart shows as an arrow only when received. */
  sends: string[][]
  arrows: Arrow[]
}

const NODE_ID = /^[A-Za-z][A-Za-z_-]*?\d+$/
const roleOf = (id: string) => id.replace(/\d+$/, '')
const GLOBAL = 'global'

export function sequenceChart(trace: ItfTrace): Chart {
  const vars = stateVariables(trace)
  const states = trace.states
  const nodes = nodeIds(trace, vars)
  const nodeSet = new Set(nodes)
  const perNode = vars.filter((v) => states.some((s) => keyedByNodes(s[v] as Json, nodeSet)))
  const messageVars = vars.filter((v) => !perNode.includes(v) && states.some((s) => holdsMessages(s[v] as Json)))
  const globalVars = vars.filter((v) => !perNode.includes(v) && !messageVars.includes(v))

  const lanes: Lane[] = [{ id: GLOBAL, label: globalLabel(globalVars) }, ...nodes.map((n) => ({ id: n, label: n }))]
  const laneOf = new Map(lanes.map((l, i) => [l.id, i]))
  const actors: number[] = [-1]
  const sends: string[][] = [[]]
  const arrows: Arrow[] = []
  const inFlight: { key: string; text: string; from: number; sent: number; consumed: boolean }[] = []

  for (let i = 1; i < states.length; i++) {
    const before = states[i - 1]
    const after = states[i]
    const pickNodes = [...new Set(picksOf(after).flatMap(([, v]) => nodeMentions(v, nodeSet)))]
    const changedNodes = perNode.flatMap((v) => changedKeys(before[v] as Json, after[v] as Json).filter((k) => nodeSet.has(k)))
    const globalChanged = globalVars.some((v) => JSON.stringify(before[v]) !== JSON.stringify(after[v]))
    // Several nodes changed and none was picked: something outside them (a coordinator) acted.
    const actorId = pickNodes.find((n) => changedNodes.includes(n))
      ?? (changedNodes.length === 1 ? changedNodes[0] : changedNodes.length > 1 ? GLOBAL : globalChanged ? GLOBAL : pickNodes[0] ?? GLOBAL)
    const actor = laneOf.get(actorId)!
    actors.push(actor)

    const sent: string[] = []
    let received = false
    for (const v of messageVars) {
      const { added, removed } = multisetDelta(before[v] as Json, after[v] as Json)
      for (const m of removed) {
        const key = JSON.stringify(m)
        const message = inFlight.find((f) => !f.consumed && f.key === key)
        if (!message) continue
        message.consumed = true
        received = true
        if (message.from !== actor) arrows.push({ from: message.from, to: actor, sent: message.sent, received: i, label: message.text, kind: 'message' })
      }
      for (const m of added) {
        const text = formatValue(m)
        sent.push(text)
        inFlight.push({ key: JSON.stringify(m), text, from: actor, sent: i, consumed: false })
      }
    }
    sends.push(sent)

    // A message named by a pick (`nondet m = msgs.oneOf()`, Paxos' Phase1b(a, m)) was received
    // by this step, whatever else it sent.
    if (!received) {
      const picked = new Set(picksOf(after).map(([, v]) => JSON.stringify(v)))
      const message = [...inFlight].reverse().find((f) => f.from !== actor && f.sent < i && picked.has(f.key))
      if (message) {
        received = true
        arrows.push({ from: message.from, to: actor, sent: message.sent, received: i, label: message.text, kind: 'message' })
      }
    }
    if (!received && sent.length === 0 && messageVars.length > 0) {
      const read = messageRead(actionName(after), actorId, pickNodes, actor, inFlight, nodeSet)
      if (read) {
        received = true
        arrows.push({ from: read.from, to: actor, sent: read.sent, received: i, label: read.text, kind: 'message' })
      }
    }
    if (!received) {
      // The global lane takes part only where no messages exist to say who talks to whom;
      // otherwise it would join every step that bumps a global counter.
      const withGlobal = globalChanged && messageVars.length === 0 ? [GLOBAL] : []
      const involved = new Set([...changedNodes, ...pickNodes, ...withGlobal].map((id) => laneOf.get(id)!))
      involved.delete(actor)
      for (const other of involved) arrows.push({ from: actor, to: other, sent: i, received: i, label: actionName(after), kind: 'interaction' })
    }
  }
  // Drop the global lane when nothing happens there and no node-free state exists.
  if (globalVars.length === 0 && !actors.includes(0) && !arrows.some((a) => a.from === 0 || a.to === 0)) {
    return {
      lanes: lanes.slice(1),
      actors: actors.map((a) => (a < 0 ? a : a - 1)),
      sends,
      arrows: arrows.map((a) => ({ ...a, from: a.from - 1, to: a.to - 1 })),
    }
  }
  return { lanes, actors, sends, arrows }
}

const actionName = (state: ItfState) => (typeof state[ACTION_TAKEN] === 'string' ? (state[ACTION_TAKEN] as string) : '')

/** Node ids, sorted by role then number: rm1, rm2, ..., rm10. */
function nodeIds(trace: ItfTrace, vars: string[]): string[] {
  const found = new Set<string>()
  const allKeys = new Set<string>()
  const collectKeys = (value: Json) => {
    const entries = mapEntries(value)
    if (entries) {
      for (const [k] of entries) {
        if (typeof k !== 'string') continue
        allKeys.add(k)
        if (NODE_ID.test(k)) found.add(k)
      }
    } else if (isRecord(value)) {
      for (const field of Object.values(value)) collectKeys(field)
    }
  }
  const picked = new Set<string>()
  for (const state of trace.states) {
    for (const v of vars) collectKeys(state[v] as Json)
    for (const [, pick] of picksOf(state)) for (const s of strings(pick)) if (NODE_ID.test(s)) picked.add(s)
  }
  // An id seen only in picks is a node if its role is one the maps are keyed by (or if no map
  // is keyed by node ids): Paxos' value picks v1, v2 are not nodes beside acceptors a1..a3.
  const roles = new Set([...found].map(roleOf))
  for (const id of picked) if (roles.size === 0 || roles.has(roleOf(id))) found.add(id)
  const nodes = found.size > 0 ? [...found] : allKeys.size <= 32 ? [...allKeys] : []
  const split = (id: string) => {
    const m = /^(.*?)(\d+)$/.exec(id)
    return m ? [m[1], Number(m[2])] as const : [id, 0] as const
  }
  return nodes.sort((a, b) => {
    const [ra, na] = split(a)
    const [rb, nb] = split(b)
    return ra < rb ? -1 : ra > rb ? 1 : na - nb
  })
}

function keyedByNodes(value: Json, nodes: Set<string>): boolean {
  const entries = mapEntries(value)
  return !!entries && entries.length > 0 && entries.every(([k]) => typeof k === 'string' && nodes.has(k))
}

/** Keys of a map whose values differ between two states. */
function changedKeys(before: Json, after: Json): string[] {
  const old = new Map((mapEntries(before) ?? []).map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]))
  const out: string[] = []
  for (const [k, v] of mapEntries(after) ?? []) {
    if (old.get(JSON.stringify(k)) !== JSON.stringify(v) && typeof k === 'string') out.push(k)
  }
  return out
}

const structured = (v: Json) => isRecord(v) || isVariant(v) || (typeof v === 'object' && v !== null && !Array.isArray(v) && '#tup' in v)

/** A set, bag (a map to counts) or sequence of structured values. */
function holdsMessages(value: Json): boolean {
  const elems = setElements(value) ?? (Array.isArray(value) ? value : undefined)
  if (elems) return elems.some(structured)
  const entries = mapEntries(value)
  return !!entries && entries.some(([k, n]) => structured(k) && (typeof n === 'number' || isBigint(n)))
}

const isBigint = (v: Json) => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v['#bigint'] === 'string'

/** Elements as a multiset (a bag's counts expanded), so one delta serves sets, bags and sequences. */
function multiset(value: Json): Json[] {
  const elems = setElements(value) ?? (Array.isArray(value) ? value : undefined)
  if (elems) return elems
  const out: Json[] = []
  for (const [k, n] of mapEntries(value) ?? []) {
    const count = typeof n === 'number' ? n : isBigint(n) ? Number((n as { '#bigint': string })['#bigint']) : 0
    for (let c = 0; c < count; c++) out.push(k)
  }
  return out
}

function multisetDelta(before: Json, after: Json): { added: Json[]; removed: Json[] } {
  const counts = new Map<string, number>()
  for (const e of multiset(before)) counts.set(JSON.stringify(e), (counts.get(JSON.stringify(e)) ?? 0) + 1)
  const added: Json[] = []
  for (const e of multiset(after)) {
    const key = JSON.stringify(e)
    const left = counts.get(key) ?? 0
    if (left > 0) counts.set(key, left - 1)
    else added.push(e)
  }
  const removed: Json[] = []
  for (const e of multiset(before)) {
    const key = JSON.stringify(e)
    const left = counts.get(key) ?? 0
    if (left > 0) {
      removed.push(e)
      counts.set(key, left - 1)
    }
  }
  return { added, removed }
}

/** Every string in a value (field values, variant tags, map keys). */
function strings(value: Json): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (value && typeof value === 'object') {
    const own = isVariant(value) ? [value.tag] : []
    return [...own, ...Object.values(value).flatMap(strings)]
  }
  return []
}

const nodeMentions = (value: Json, nodes: Set<string>) => strings(value).filter((s) => nodes.has(s))

/** The message a step read without consuming it (grow-only message sets), if one fits. */
function messageRead<M extends { key: string; from: number; sent: number }>(
  action: string, actorId: string, pickNodes: string[], actor: number, inFlight: M[], nodes: Set<string>,
): M | undefined {
  const name = action.toLowerCase()
  for (let k = inFlight.length - 1; k >= 0; k--) {
    const m = inFlight[k]
    if (m.from === actor) continue
    const words = strings(JSON.parse(m.key)).filter((s) => s.length >= 3 && !nodes.has(s))
    if (!words.some((w) => name.includes(w.toLowerCase()))) continue
    const named = nodeMentions(JSON.parse(m.key), nodes)
    if (named.length === 0 || named.includes(actorId) || named.some((n) => pickNodes.includes(n))) return m
  }
  return undefined
}

/** "tm" when the node-free variables are tmState and tmPrepared; "global" otherwise. */
function globalLabel(globalVars: string[]): string {
  const prefixes = globalVars.map((v) => /^([a-z]+)[A-Z_]/.exec(v)?.[1]).filter((p): p is string => !!p)
  const counts = new Map<string, number>()
  for (const p of prefixes) counts.set(p, (counts.get(p) ?? 0) + 1)
  const [best, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0]
  return count >= 2 && count === globalVars.length ? best : GLOBAL
}
