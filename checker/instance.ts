// A model built for one configuration and compiled for search: what every strategy
// (bfs, dfs, simulate, workers) and every tool (traces, replay) shares. It owns two
// buffers, the current state and the successor being written, with a view bound to each,
// so generating a successor allocates no state object.

import { fileURLToPath } from 'node:url'
import { EvaluationError, InputError, ModelError } from './errors.js'
import { sourceOf } from './load.js'
import { wellTyped, type Actions, type Model, type Predicate, type Protocol, type StepPredicate } from './model.js'
import { checkBug, resolveParams } from './params.js'
import { Schema, SchemaError, type Fields, type RecordType } from './schema.js'

/** Called once per enabled step; the successor is in `successor` until the callback returns. */
export type OnStep = (ordinal: number, action: number, picks: Readonly<Record<string, unknown>>, successor: Uint32Array) => void

export interface Config {
  params: Record<string, number>
  bug: string | undefined
  /** Check only these properties (default: all the model declares). */
  properties?: readonly string[]
}

export class Instance {
  readonly protocol: Protocol<RecordType<Fields>, Actions>
  readonly schema: Schema
  readonly words: number
  readonly actionNames: readonly string[]
  readonly invariants: readonly Property[]
  readonly reachables: readonly Property[]
  /** The step properties checked on every step the search generates. */
  readonly stepProperties: readonly StepProperty[]
  /** The selected `eventually` and `leadsTo` properties (checked on the state graph, checker/liveness/). */
  readonly liveness: readonly Property[]
  /** Every property the model declares, selected or not (replay evaluates any of them). */
  readonly allProperties: readonly AnyProperty[]

  /** The state being expanded, and a read-only view of it. */
  private readonly current: Uint32Array
  private readonly currentView: unknown
  /** The successor being written, with a draft and a read-only view of it. */
  readonly successor: Uint32Array
  private readonly successorDraft: unknown
  private readonly successorView: unknown

  constructor(readonly model: Model, readonly config: Config) {
    this.protocol = buildProtocol(model, config)
    this.schema = new Schema(this.protocol.state)
    this.words = this.schema.words
    this.actionNames = Object.keys(this.protocol.actions)
    this.picksChecked = this.actionNames.map(() => 0)
    const all: AnyProperty[] = [
      ...properties(this.protocol.always, 'always'),
      ...properties(this.protocol.sometimes ?? {}, 'sometimes'),
      ...Object.entries(this.protocol.steps ?? {}).map(([name, holds]): StepProperty => ({ name, kind: 'step', holds })),
      ...properties(this.protocol.eventually ?? {}, 'eventually'),
      ...Object.entries(this.protocol.leadsTo ?? {}).map(([name, { from, to }]): Property => ({ name, kind: 'leadsTo', holds: to, from, wellTyped: false })),
    ]
    checkFairness(this.protocol, model.name)
    for (const name of config.properties ?? []) {
      if (!all.some((p) => p.name === name)) {
        throw new InputError(`${model.name} has no property '${name}' (its properties: ${all.map((p) => p.name).join(', ')})`)
      }
    }
    const selected = config.properties ? all.filter((p) => config.properties!.includes(p.name)) : all
    this.allProperties = all
    this.invariants = selected.filter((p): p is Property => !isStep(p) && p.kind === 'always')
    this.reachables = selected.filter((p): p is Property => !isStep(p) && p.kind === 'sometimes')
    this.stepProperties = selected.filter(isStep)
    this.liveness = selected.filter(isLiveness)
    this.current = new Uint32Array(this.words)
    this.currentView = this.schema.view(this.current)
    this.successor = new Uint32Array(this.words)
    this.successorDraft = this.schema.draft(this.successor)
    this.successorView = this.schema.view(this.successor)
  }

  /** Resolve user-given params and bug against the model, with errors for the user. */
  static create(model: Model, givenParams: Record<string, unknown> = {}, bug?: string, properties?: readonly string[]): Instance {
    checkBug(model, bug)
    return new Instance(model, { params: resolveParams(model, givenParams), bug, properties })
  }

  /** The same model and configuration, with `state` as its one initial state: a search from a
   * deep state that a recorded path reaches (a spec's `from`), where the model's init is left
   * behind. */
  startingAt(state: Uint32Array): Instance {
    const started = new Instance(this.model, this.config)
    started.start = state.slice()
    return started
  }

  private start: Uint32Array | null = null

  /** Emit every initial state, in order; the action index of an initial state is -1. A model
   * with no initial state is an error: it would pass every check with nothing explored. */
  initial(onStep: OnStep) {
    let ordinal = 0
    const { successor, successorDraft } = this
    if (this.start) {
      successor.set(this.start)
      handOver(onStep, 0, -1, NO_PICKS, successor)
      return
    }
    try {
      this.protocol.init((write) => {
        successor.fill(0)
        this.write(write, successorDraft, 'init')
        handOver(onStep, ordinal++, -1, NO_PICKS, successor)
      })
    } catch (e) {
      throw modelThrew(e, 'action', 'init')
    }
    if (ordinal === 0) throw new ModelError(`${this.describe()} has no initial state (its init emitted none)`)
  }

  /** Emit every enabled step from `state` (words at `offset`), in the model's order. Returns how many. */
  successors(state: Uint32Array, offset: number, onStep: OnStep): number {
    const { current } = this
    if (state !== current || offset !== 0) {
      for (let i = 0; i < this.words; i++) current[i] = state[offset + i]
    }
    this.onStep = onStep
    this.ordinal = 0
    try {
      this.protocol.next(this.currentView as never, this.emit as never)
    } catch (e) {
      // Thrown outside any step's write (a guard reading past the end of a log, say): which
      // action the guard belongs to is unknown, so the error names `next`.
      throw modelThrew(e, 'action', 'next')
    } finally {
      this.onStep = ignoreStep
    }
    return this.ordinal
  }

  /** Did the last step leave the state unchanged (a self-loop)? Its successor then is the
   * state being expanded, stored already: strategies skip it before hashing. */
  successorUnchanged(): boolean {
    const { current, successor, words } = this
    for (let i = 0; i < words; i++) if (current[i] !== successor[i]) return false
    return true
  }

  /** The step callback of the running `successors` call, and the next step's ordinal. */
  private onStep: OnStep = ignoreStep
  private ordinal = 0

  /** The `emit` handed to the model's `next`: made once, so expanding a state allocates no closure. */
  private readonly emit = (name: string, picks: Record<string, unknown>, write: (d: unknown) => void) => {
    const action = this.actionIndexOf(name)
    // An action's first steps have their picks checked against its declaration: a model emits
    // the same pick names every time, and checking every step would cost the hot path.
    if (this.picksChecked[action] < PICK_CHECKS) {
      this.picksChecked[action]++
      this.checkPicks(name, picks)
    }
    const { current, successor, words } = this
    for (let i = 0; i < words; i++) successor[i] = current[i]
    try {
      write(this.successorDraft)
    } catch (e) {
      throw this.invalidWrite(e, name, picks)
    }
    handOver(this.onStep, this.ordinal++, action, picks, successor)
  }

  private readonly picksChecked: number[]

  /** Picks must be exactly those the action declares: a trace, a replay and a driver see only those. */
  checkPicks(action: string, picks: Readonly<Record<string, unknown>>) {
    const declared = this.protocol.actions[action]
    const undeclared = Object.keys(picks).find((name) => !Object.hasOwn(declared, name))
    if (undeclared !== undefined) {
      throw new ModelError(`${this.model.name}: action ${action} emitted pick '${undeclared}', which it does not declare (declared: ${Object.keys(declared).join(', ') || 'none'})`)
    }
    const missing = Object.keys(declared).find((name) => picks[name] === undefined)
    if (missing !== undefined) throw new ModelError(`${this.model.name}: action ${action} emitted no value for its pick '${missing}'`)
  }

  /** Action name -> index. Models emit names as literals (interned strings), so a scan
   * comparing references beats hashing for the handful of actions a model has. */
  private actionIndexOf(name: string): number {
    const names = this.actionNames
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i
    throw new ModelError(`${this.model.name} emitted action '${name}', which it does not declare`)
  }

  private write(write: (d: never) => void, draft: unknown, action: string, picks?: Record<string, unknown>) {
    try {
      write(draft as never)
    } catch (e) {
      throw this.invalidWrite(e, action, picks)
    }
  }

  /** A SchemaError from a model's write, as a ModelError naming the action (the model
   * declared too small a type); anything else the write threw, as an evaluation error of the action. */
  private invalidWrite(e: unknown, action: string, picks?: Record<string, unknown>): unknown {
    const args = picks && Object.keys(picks).length ? `(${JSON.stringify(picks)})` : ''
    if (e instanceof SchemaError) return new ModelError(`${this.model.name}: action ${action}${args} wrote an invalid value: ${e.message}`)
    return modelThrew(e, 'action', action, args && ` (picks ${args.slice(1, -1)})`)
  }

  /** The first invariant the successor breaks, or undefined. */
  brokenInvariantOfSuccessor(): Property | undefined {
    return this.firstBroken(this.invariants, this.successor, this.successorView)
  }

  /** The first step property broken by the last step emitted (from the state being expanded
   * to the successor), or undefined. The step object handed to the predicates is reused. */
  brokenStepPropertyOfSuccessor(action: number, picks: Readonly<Record<string, unknown>>): StepProperty | undefined {
    const { stepProperties, currentView, successorView, stepTaken } = this
    if (stepProperties.length === 0) return undefined
    stepTaken.action = this.actionNames[action]
    stepTaken.picks = picks
    let i = 0
    try {
      for (; i < stepProperties.length; i++) {
        if (!stepProperties[i].holds(currentView as never, stepTaken, successorView as never)) return stepProperties[i]
      }
    } catch (e) {
      throw modelThrew(e, 'property', stepProperties[i].name)
    }
    return undefined
  }

  /** The step handed to step properties: one object, rewritten for each step. */
  private readonly stepTaken: { action: string; picks: Readonly<Record<string, unknown>> } = { action: '', picks: NO_PICKS }

  /** Is the successor inside the state constraint? */
  successorWithin(): boolean {
    if (!this.protocol.within) return true
    try {
      return this.protocol.within(this.successorView as never)
    } catch (e) {
      throw modelThrew(e, 'property', 'within')
    }
  }

  /** Is the current state (the one last expanded) a proper end state? */
  currentIsTerminal(): boolean {
    if (!this.protocol.terminal) return false
    try {
      return this.protocol.terminal(this.currentView as never)
    } catch (e) {
      throw modelThrew(e, 'property', 'terminal')
    }
  }

  /** Mark in `reached` the `sometimes` properties the successor satisfies (those already
   * reached are not evaluated again). */
  markReachedBySuccessor(reached: boolean[]) {
    const { reachables, successorView } = this
    let i = 0
    try {
      for (; i < reachables.length; i++) {
        if (!reached[i] && reachables[i].holds(successorView as never)) reached[i] = true
      }
    } catch (e) {
      throw modelThrew(e, 'property', reachables[i].name)
    }
  }

  private firstBroken(properties: readonly Property[], words: Uint32Array, view: unknown) {
    let i = 0
    try {
      for (; i < properties.length; i++) {
        const p = properties[i]
        const ok = p.wellTyped ? this.schema.isCanonical(words) : p.holds(view as never)
        if (!ok) return p
      }
    } catch (e) {
      throw modelThrew(e, 'property', properties[i].name)
    }
    return undefined
  }

  /** The property named so, of any kind, selected or not; an InputError if there is none. */
  property(name: string): AnyProperty {
    const p = this.allProperties.find((q) => q.name === name)
    if (!p) throw new InputError(`${this.model.name} has no property '${name}'`)
    return p
  }

  /** Evaluate one named state property on a state given as words (for replays and tools). */
  holds(propertyName: string, words: Uint32Array): boolean {
    const p = this.property(propertyName)
    if (isStep(p)) throw new InputError(`${propertyName} is a step property: it holds of steps, not of a state`)
    try {
      if (p.wellTyped) return this.schema.isCanonical(words)
      return p.holds(this.schema.view(words) as never)
    } catch (e) {
      throw modelThrew(e, 'property', p.name)
    }
  }

  /** Evaluate one named step property on the step from `before` to `after` (for replays and tools). */
  holdsOnStep(propertyName: string, before: Uint32Array, step: { action: string; picks: Readonly<Record<string, unknown>> }, after: Uint32Array): boolean {
    const p = this.property(propertyName)
    if (!isStep(p)) throw new InputError(`${propertyName} is not a step property`)
    try {
      return p.holds(this.schema.view(before) as never, step, this.schema.view(after) as never)
    } catch (e) {
      throw modelThrew(e, 'property', p.name)
    }
  }

  /** A short description of this configuration: `two-phase-commit rm=3 bug=...`. */
  describe(): string {
    const params = Object.entries(this.config.params).map(([k, v]) => `${k}=${v}`).join(' ')
    return [this.model.name, params, this.config.bug ? `bug=${this.config.bug}` : ''].filter(Boolean).join(' ')
  }
}

export interface Property {
  readonly name: string
  readonly kind: 'always' | 'sometimes' | 'step' | 'eventually' | 'leadsTo'
  /** The state predicate; for `leadsTo`, its conclusion (`to`). */
  readonly holds: Predicate<RecordType<Fields>>
  /** For `leadsTo` only: the premise (`from`). */
  readonly from?: Predicate<RecordType<Fields>>
  /** Checked on the packed words by the schema rather than on a view. */
  readonly wellTyped: boolean
}

/** A step property: a predicate over (before, step, after). */
export interface StepProperty {
  readonly name: string
  readonly kind: 'step'
  readonly holds: StepPredicate<RecordType<Fields>>
}

export type AnyProperty = Property | StepProperty

/** Only step properties are of kind `step` (Property's kind lists every kind, as agreed). */
const isStep = (p: AnyProperty): p is StepProperty => p.kind === 'step'

/** Checked on the state graph (checker/liveness/), not state by state. */
export const isLiveness = (p: AnyProperty): p is Property => p.kind === 'eventually' || p.kind === 'leadsTo'

function properties(predicates: { readonly [name: string]: Predicate<RecordType<Fields>> }, kind: Property['kind']): Property[] {
  return Object.entries(predicates).map(([name, holds]) => ({ name, kind, holds, wellTyped: holds === wellTyped }))
}

/** Fairness may name only declared actions: a misspelt name would silently leave an action unfair. */
function checkFairness(protocol: Protocol<RecordType<Fields>, Actions>, modelName: string) {
  for (const [action, kind] of Object.entries(protocol.fairness ?? {})) {
    if (!Object.hasOwn(protocol.actions, action)) {
      throw new ModelError(`${modelName}: fairness names action '${action}', which it does not declare (actions: ${Object.keys(protocol.actions).join(', ')})`)
    }
    if (kind !== 'weak' && kind !== 'strong') throw new ModelError(`${modelName}: fairness of ${action} is '${String(kind)}', not 'weak' or 'strong'`)
  }
}

const ignoreStep: OnStep = () => {}

/** Something the step callback threw, carried unchanged through the model's `init` or
 * `next` (which called it through `emit`): it is the checker's, not the model's. */
class FromCallback {
  constructor(readonly error: unknown) {}
}

/** Hand a step to the strategy's callback; what it throws is marked as not the model's. */
function handOver(onStep: OnStep, ordinal: number, action: number, picks: Readonly<Record<string, unknown>>, successor: Uint32Array) {
  try {
    onStep(ordinal, action, picks, successor)
  } catch (e) {
    throw new FromCallback(e)
  }
}

/** What the model's code threw, as the error to raise: an EvaluationError naming where, or
 * (from a step callback, or one of protocheck's own errors) the error itself. */
function modelThrew(e: unknown, where: 'property' | 'action', name: string, context = ''): unknown {
  if (e instanceof FromCallback) return e.error
  return EvaluationError.of(e, where, name, context)
}

/** How many steps of each action have their picks checked. */
const PICK_CHECKS = 64

const NO_PICKS: Readonly<Record<string, unknown>> = Object.freeze({})

/** The model's protocol for one configuration; a model that throws while building is a
 * model error naming it (and the file it came from), not a crash of the tool. */
function buildProtocol(model: Model, config: Config): Protocol<RecordType<Fields>, Actions> {
  try {
    return model.build(config.params as never, config.bug)
  } catch (e) {
    if (e instanceof InputError || e instanceof ModelError) throw e
    const source = sourceOf(model)
    const from = source ? ` (${fileURLToPath(source)})` : ''
    throw new ModelError(`model ${model.name}${from} failed to build: ${e instanceof Error ? e.message : String(e)}`)
  }
}
