// Trace validation of a real run's event log (docs/log-format.md), as etcd raft, CCF and
// MongoDB do with TLC: search the model for a behaviour that explains the log. Sans-IO: it
// takes a built Instance and a parsed log and returns a verdict.
//
// The search keeps a frontier: every model state (deduplicated by its packed words) reached
// by some behaviour that explains the events so far. For each event it first adds the states
// reachable by at most `maxUnlogged` steps of the unlogged actions, then takes, from each of
// those, the steps of the logged action whose picks match the logged ones (a pick left out
// matches anything; a record or union pick may leave out fields) and whose successor agrees
// with the observed variables (a map observed only at some keys, a record at some fields).
// An empty frontier means no behaviour explains the event: the log is rejected there.
//
// Only steps that can match are written: the model's `next` runs in full, but a step whose
// action or picks differ costs one comparison, not a copy of the state. The model's `within`
// constraint plays no part: it bounds exhaustive search, not a run that happened. Its
// capacities (from the params) do: a value that does not fit is bad input, exit 2.

import { InputError } from '../checker/errors.js'
import { fingerprint, fingerprintOut } from '../checker/fingerprint.js'
import type { Instance } from '../checker/instance.js'
import type { Step } from '../checker/path.js'
import { SchemaError, valueToItf, type Type } from '../checker/schema.js'
import { matcher, mismatch, PartialMap, partialFromItf, show } from './partial-values.js'
import type { EventLog, LocatedEvent } from './event-log.js'
import { sameWords } from './same-words.js'

export interface ValidateOptions {
  /** Actions that may happen between events without a line (the header's, if not given). */
  unlogged?: readonly string[]
  /** Most unlogged steps before one event (default: the header's, else 1 when any action is unlogged). */
  maxUnlogged?: number
  /** Give up (`incomplete`) when the frontier holds more states than this. */
  maxFrontier?: number
  /** Called every `progressEvery` events. */
  onProgress?: (explained: number, frontier: number) => void
}

export interface Unexplained {
  /** Line in the log file (1-based; the header is line 1) and index among the events (0-based). */
  line: number
  index: number
  action: string
  picks: Record<string, unknown>
  node: string | null
  /** Why no behaviour explains it, in one or two sentences. */
  reason: string
}

export interface ValidationResult {
  result: 'conforms' | 'rejected' | 'incomplete'
  /** Events in the log, and how many of them (from the first) some behaviour explains. */
  events: number
  explained: number
  unexplained: Unexplained | null
  /** Why the search gave up (incomplete), else null. */
  reason: string | null
  unlogged: string[]
  maxUnlogged: number
  /** Largest frontier (distinct model states consistent with a prefix). */
  maxFrontier: number
  seconds: number
  eventsPerSecond: number
  /** States in that behaviour: the initial state, the explained events and the unlogged steps between them. */
  pathLength: number
  /** One behaviour explaining the longest explained prefix, initial state first (rebuilt on
   * each call); with each step the log line it explains (null: the initial state or an unlogged step). */
  behaviour(): { path: Step[]; pathLines: (number | null)[] }
}

/** A step of some explaining behaviour, linked to the one before it. */
interface Link {
  readonly parent: Link | null
  /** The step's position among the steps its state emits (among the initial states, for the
   * root): states are not kept along the behaviour, only rebuilt from these when asked for. */
  readonly ordinal: number
  readonly line: number | null
}

interface Candidate {
  words: Uint32Array
  link: Link
}

interface PreparedEvent {
  event: LocatedEvent
  action: string
  pickTypes: Readonly<Record<string, Type>>
  picks: [string, unknown][]
  /** Do a step's picks match the logged ones? (compiled: this runs for every step of the action) */
  picksMatch: (picks: Readonly<Record<string, unknown>>) => boolean
  observed: [string, Type, unknown][]
}

const DEFAULT_MAX_FRONTIER = 100_000

export function validateLog(instance: Instance, log: EventLog, options: ValidateOptions = {}): ValidationResult {
  const started = performance.now()
  const model = instance.model.name
  const actions = instance.protocol.actions
  const unlogged = [...(options.unlogged ?? log.header.unlogged ?? [])]
  for (const a of unlogged) if (!Object.hasOwn(actions, a)) throw new InputError(`unlogged action '${a}': ${model} has no such action (its actions: ${instance.actionNames.join(', ')})`)
  const maxUnlogged = options.maxUnlogged ?? log.header.maxUnlogged ?? (unlogged.length > 0 ? 1 : 0)
  const maxFrontier = options.maxFrontier ?? DEFAULT_MAX_FRONTIER
  const prepared = log.events.map((e) => prepare(instance, e))
  const unloggedSet = new Set(unlogged)
  const expander = new Expander(instance)

  // Two generations of state copies: the frontier's, and the one being built from it.
  const pools = [new WordPool(), new WordPool()]
  let generation = 0
  let frontier: Candidate[] = []
  const roots = new StateSet(instance.words, pools[generation])
  instance.initial((ordinal, _action, _picks, successor) => {
    const words = roots.add(successor)
    if (words) frontier.push({ words, link: { parent: null, ordinal, line: null } })
  })

  let largest = frontier.length
  let explained = 0
  let unexplained: Unexplained | null = null
  let reason: string | null = null
  for (const p of prepared) {
    // This event's states go to the other generation's pool, emptied first: the frontier they
    // come from is in the current one, and nothing older is referenced any more.
    const pool = pools[1 - generation]
    pool.reset()
    // The unlogged steps: a breadth-first closure of at most maxUnlogged steps.
    let closure = frontier
    if (maxUnlogged > 0 && unloggedSet.size > 0) {
      const seen = new StateSet(instance.words, pool)
      for (const c of frontier) seen.addOwned(c.words)
      let layer = frontier
      closure = [...frontier]
      for (let k = 0; k < maxUnlogged && layer.length > 0; k++) {
        const next: Candidate[] = []
        for (const c of layer) {
          expander.expand(c.words, (name) => unloggedSet.has(name), (ordinal, _name, _picks, successor, overflow) => {
            const words = overflow ? null : seen.add(successor)
            if (!words) return
            next.push({ words, link: { parent: c.link, ordinal, line: null } })
          })
        }
        closure.push(...next)
        layer = next
        if (closure.length > maxFrontier) break
      }
    }
    if (closure.length > maxFrontier) {
      reason = `more than ${maxFrontier} model states explain the first ${explained} events (unlogged steps multiply them): lower --max-unlogged or log more`
      break
    }
    const nextFrontier: Candidate[] = []
    const seen = new StateSet(instance.words, pool)
    for (const c of closure) {
      expander.expand(c.words, (name, picks) => name === p.action && p.picksMatch(picks), (ordinal, _name, picks, successor, overflow) => {
        if (overflow) throw doesNotFit(instance, p, picks, overflow)
        if (p.observed.length > 0 && observationMismatch(instance, p, successor) !== null) return
        const words = seen.add(successor)
        if (!words) return
        nextFrontier.push({ words, link: { parent: c.link, ordinal, line: p.event.line } })
      })
    }
    if (nextFrontier.length === 0) {
      unexplained = {
        line: p.event.line,
        index: p.event.index,
        action: p.action,
        picks: p.event.picks ?? {},
        node: p.event.node ?? null,
        reason: diagnose(instance, expander, p, closure),
      }
      break
    }
    if (nextFrontier.length > maxFrontier) {
      reason = `more than ${maxFrontier} model states explain the first ${explained + 1} events: log more (picks, observed variables) or raise --max-frontier`
      break
    }
    frontier = nextFrontier
    generation = 1 - generation
    largest = Math.max(largest, frontier.length)
    explained++
    if (options.onProgress && explained % 1000 === 0) options.onProgress(explained, frontier.length)
  }

  const last = frontier[0].link
  let pathLength = 0
  for (let l: Link | null = last; l !== null; l = l.parent) pathLength++
  const seconds = (performance.now() - started) / 1000
  return {
    result: unexplained ? 'rejected' : reason ? 'incomplete' : 'conforms',
    events: prepared.length,
    explained,
    unexplained,
    reason,
    unlogged,
    maxUnlogged,
    maxFrontier: largest,
    seconds,
    eventsPerSecond: seconds > 0 ? explained / seconds : 0,
    pathLength,
    behaviour: () => behaviour(instance, last),
  }
}

/** Runs a model's `next` on one state, writing only the steps `wanted` accepts. */
class Expander {
  private readonly current: Uint32Array
  private readonly currentView: unknown
  private readonly successor: Uint32Array
  private readonly draft: unknown

  constructor(private readonly instance: Instance) {
    this.current = new Uint32Array(instance.words)
    this.currentView = instance.schema.view(this.current)
    this.successor = new Uint32Array(instance.words)
    this.draft = instance.schema.draft(this.successor)
  }

  expand(
    state: Uint32Array,
    wanted: (name: string, picks: Readonly<Record<string, unknown>>, ordinal: number) => boolean,
    onStep: (ordinal: number, name: string, picks: Readonly<Record<string, unknown>>, successor: Uint32Array, overflow: SchemaError | null) => void,
  ) {
    const { current, successor, draft } = this
    current.set(state)
    let ordinal = 0
    const emit = (name: string, picks: Record<string, unknown>, write: (d: unknown) => void) => {
      const at = ordinal++
      if (!wanted(name, picks, at)) return
      successor.set(current)
      let overflow: SchemaError | null = null
      try {
        write(draft)
      } catch (e) {
        if (!(e instanceof SchemaError)) throw e
        overflow = e
      }
      onStep(at, name, picks, successor, overflow)
    }
    this.instance.protocol.next(this.currentView as never, emit as never)
  }
}

/** Packed states, deduplicated by their words: compared directly while there are few (a
 * frontier is usually one state), then by a 64-bit fingerprint and the words. Keeps the
 * arrays it is given: add a copy. */
class StateSet {
  private readonly few: Uint32Array[] = []
  private buckets: Map<string, Uint32Array[]> | undefined
  constructor(private readonly words: number, private readonly pool: WordPool) {}

  /** Is `state` new? Then it is added (the array itself, not a copy). */
  addOwned(state: Uint32Array): boolean {
    if (this.buckets === undefined) {
      for (const s of this.few) if (sameWords(s, state)) return false
      this.few.push(state)
      if (this.few.length > 8) {
        this.buckets = new Map()
        for (const s of this.few) this.bucketAdd(s)
      }
      return true
    }
    return this.bucketAdd(state)
  }

  /** Is `state` new? Then a copy is added; returns the copy, or null. */
  add(state: Uint32Array): Uint32Array | null {
    if (this.has(state)) return null
    const copy = this.pool.copy(state)
    this.addOwned(copy)
    return copy
  }

  private has(state: Uint32Array): boolean {
    if (this.buckets === undefined) return this.few.some((s) => sameWords(s, state))
    return this.bucketOf(state)?.some((s) => sameWords(s, state)) ?? false
  }

  private bucketOf(state: Uint32Array): Uint32Array[] | undefined {
    fingerprint(state, 0, this.words)
    return this.buckets!.get(`${fingerprintOut[0]}:${fingerprintOut[1]}`)
  }

  private bucketAdd(state: Uint32Array): boolean {
    fingerprint(state, 0, this.words)
    const key = `${fingerprintOut[0]}:${fingerprintOut[1]}`
    const bucket = this.buckets!.get(key)
    if (!bucket) {
      this.buckets!.set(key, [state])
      return true
    }
    if (bucket.some((s) => sameWords(s, state))) return false
    bucket.push(state)
    return true
  }
}

/** Copies of states carved out of buffers that are reused: one generation of states is
 * dropped at once (reset), and its memory serves the generation after the next. Fresh memory
 * for every copy (slice()) cost more than validating the event. */
class WordPool {
  private readonly chunks: Uint32Array[] = []
  private chunk = 0
  private used = 0

  reset() {
    this.chunk = 0
    this.used = 0
  }

  copy(state: Uint32Array): Uint32Array {
    const n = state.length
    let current = this.chunks[this.chunk]
    if (current === undefined || this.used + n > current.length) {
      if (current !== undefined) this.chunk++
      current = this.chunks[this.chunk]
      if (current === undefined || current.length < n) {
        current = new Uint32Array(Math.max(n, 1 << 16))
        this.chunks[this.chunk] = current
      }
      this.used = 0
    }
    const copy = current.subarray(this.used, this.used + n)
    copy.set(state)
    this.used += n
    return copy
  }
}

// ---- Decoding an event against the model

function prepare(instance: Instance, event: LocatedEvent): PreparedEvent {
  const model = instance.model.name
  const at = `line ${event.line}`
  const pickTypes = instance.protocol.actions[event.action]
  if (!Object.hasOwn(instance.protocol.actions, event.action)) {
    throw new InputError(`${at}: ${model} has no action '${event.action}' (its actions: ${instance.actionNames.join(', ')})`)
  }
  const picks: [string, unknown][] = []
  for (const [name, itf] of Object.entries(event.picks ?? {})) {
    const type = pickTypes[name]
    if (!type) throw new InputError(`${at}: ${event.action} has no pick '${name}' (its picks: ${Object.keys(pickTypes).join(', ') || 'none'})`)
    picks.push([name, decode(instance, type, itf, `${at}: pick ${name}`)])
  }
  const observed: [string, Type, unknown][] = []
  for (const [name, itf] of Object.entries(event.observed ?? {})) {
    if (!instance.schema.variables.includes(name)) throw new InputError(`${at}: ${model} has no variable '${name}' (its variables: ${instance.schema.variables.join(', ')})`)
    const type = instance.schema.fieldType(name)
    observed.push([name, type, decode(instance, type, itf, `${at}: observed ${name}`)])
  }
  const tests = picks.map(([name, expected]) => {
    const test = matcher(pickTypes[name], expected)
    return (all: Readonly<Record<string, unknown>>) => test(all[name])
  })
  const picksMatch = tests.length === 0 ? () => true : tests.length === 1 ? tests[0] : (all: Readonly<Record<string, unknown>>) => tests.every((t) => t(all))
  // The model's own string: comparing it with the names `next` emits is then a pointer comparison.
  const action = instance.actionNames.find((n) => n === event.action)!
  return { event, action, pickTypes, picks, picksMatch, observed }
}

function decode(instance: Instance, type: Type, itf: unknown, where: string): unknown {
  try {
    return partialFromItf(type, itf, '')
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e
    // An integer out of its range, or a node id past the count: the params are too small (a
    // value of the wrong type is just wrong).
    const range = / in -?\d+\.\.\d+, got -?\d+$/.test(e.message) || /\((\w+)1\.\.\w+\d+\)[^,]*, got "\1\d+"$/.test(e.message)
    const hint = range ? ` (the log's values do not fit ${instance.describe()}: give params big enough for the run, see docs/log-format.md)` : ''
    throw new InputError(`${where}${e.message.startsWith(':') ? '' : ' '}${e.message}${hint}`)
  }
}

// ---- Matching

function observationMismatch(instance: Instance, p: PreparedEvent, successor: Uint32Array): string | null {
  const fields = (instance.schema.rootCodec as unknown as { fields: [string, { decode(w: Uint32Array, base: number): unknown }][] }).fields
  for (const [name, type, expected] of p.observed) {
    const codec = fields.find(([n]) => n === name)![1]
    const m = mismatch(type, expected, codec.decode(successor, 0), name)
    if (m !== null) return m
  }
  return null
}

function picksToItf(pickTypes: Readonly<Record<string, Type>>, picks: Readonly<Record<string, unknown>>): string {
  return Object.entries(picks)
    .map(([name, v]) => `${name}=${JSON.stringify(valueToItf(pickTypes[name], v))}`)
    .join(', ')
}

// ---- Explaining a rejection

function diagnose(instance: Instance, expander: Expander, p: PreparedEvent, closure: readonly Candidate[]): string {
  const shown = `${p.action}${p.picks.length ? `(${p.picks.map(([n, v]) => `${n}=${show(p.pickTypes[n], v)}`).join(', ')})` : ''}`
  const enabledActions = new Set<string>()
  const otherPicks: string[] = []
  let observationProblem: string | null = null
  for (const c of closure) {
    expander.expand(
      c.words,
      (name, picks) => {
        enabledActions.add(name)
        if (name !== p.action) return false
        if (!p.picksMatch(picks)) {
          if (otherPicks.length < 3) otherPicks.push(picksToItf(p.pickTypes, picks))
          return false
        }
        return true
      },
      (_o, _n, _picks, successor, overflow) => {
        if (!overflow && observationProblem === null) observationProblem = observationMismatch(instance, p, successor)
      },
    )
  }
  const where = closure.length === 1 ? 'the one model state that explains the events before it' : `any of the ${closure.length} model states that explain the events before it`
  if (observationProblem !== null) return `${shown} is enabled, but the state after it differs from the observed: ${observationProblem}`
  if (enabledActions.has(p.action)) {
    return `${shown} is not a step of ${where}: ${p.action} is enabled there only with other picks, e.g. ${otherPicks.map((x) => `(${x})`).join(', ')}`
  }
  const enabled = [...enabledActions]
  return `${p.action} is not enabled in ${where} (enabled there: ${enabled.length ? enabled.join(', ') : 'nothing'})`
}

function doesNotFit(instance: Instance, p: PreparedEvent, picks: Readonly<Record<string, unknown>>, e: SchemaError): InputError {
  return new InputError(
    `line ${p.event.line}: ${p.action}(${picksToItf(p.pickTypes, picks)}) does not fit ${instance.describe()}: ${e.message}; give params big enough for the run (see docs/log-format.md)`,
  )
}

// ---- The explaining behaviour, rebuilt from its ordinals

function behaviour(instance: Instance, last: Link): { path: Step[]; pathLines: (number | null)[] } {
  const links: Link[] = []
  for (let l: Link | null = last; l !== null; l = l.parent) links.push(l)
  links.reverse()
  const path: Step[] = []
  instance.initial((ordinal, _a, _p, successor) => {
    if (ordinal === links[0].ordinal) path.push({ action: 'init', picks: {}, state: successor.slice() })
  })
  const expander = new Expander(instance)
  for (let i = 1; i < links.length; i++) {
    const target = links[i].ordinal
    expander.expand(path[i - 1].state, (_n, _p, ordinal) => ordinal === target, (_o, name, picks, successor) => {
      path.push({ action: name, picks, state: successor.slice() })
    })
  }
  return { path, pathLines: links.map((l) => l.line) }
}
