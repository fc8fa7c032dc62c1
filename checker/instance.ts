// A model built for one configuration and compiled for search: what every strategy
// (bfs, dfs, simulate, workers) and every tool (traces, replay) shares. It owns two
// buffers, the current state and the successor being written, with a view bound to each,
// so generating a successor allocates no state object.

import { InputError, ModelError } from './errors.js'
import { wellTyped, type Actions, type Model, type Predicate, type Protocol } from './model.js'
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
  /** Every property the model declares, selected or not (replay evaluates any of them). */
  readonly allProperties: readonly Property[]

  private readonly actionIndex: Map<string, number>
  /** The state being expanded, and a read-only view of it. */
  private readonly current: Uint32Array
  private readonly currentView: unknown
  /** The successor being written, with a draft and a read-only view of it. */
  readonly successor: Uint32Array
  private readonly successorDraft: unknown
  private readonly successorView: unknown

  constructor(readonly model: Model, readonly config: Config) {
    this.protocol = model.build(config.params as never, config.bug)
    this.schema = new Schema(this.protocol.state)
    this.words = this.schema.words
    this.actionNames = Object.keys(this.protocol.actions)
    this.actionIndex = new Map(this.actionNames.map((n, i) => [n, i]))
    const all = [...properties(this.protocol.always, 'always'), ...properties(this.protocol.sometimes ?? {}, 'sometimes')]
    for (const name of config.properties ?? []) {
      if (!all.some((p) => p.name === name)) {
        throw new InputError(`${model.name} has no property '${name}' (its properties: ${all.map((p) => p.name).join(', ')})`)
      }
    }
    const selected = config.properties ? all.filter((p) => config.properties!.includes(p.name)) : all
    this.allProperties = all
    this.invariants = selected.filter((p) => p.kind === 'always')
    this.reachables = selected.filter((p) => p.kind === 'sometimes')
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

  /** Emit every initial state, in order; the action index of an initial state is -1. */
  initial(onStep: OnStep) {
    let ordinal = 0
    const { successor, successorDraft } = this
    this.protocol.init((write) => {
      successor.fill(0)
      this.write(write, successorDraft, 'init')
      onStep(ordinal++, -1, NO_PICKS, successor)
    })
  }

  /** Emit every enabled step from `state` (words at `offset`), in the model's order. Returns how many. */
  successors(state: Uint32Array, offset: number, onStep: OnStep): number {
    const { current, successor, successorDraft, actionIndex } = this
    if (state !== current || offset !== 0) current.set(state.subarray(offset, offset + this.words))
    let ordinal = 0
    this.protocol.next(this.currentView as never, ((name: string, picks: Record<string, unknown>, write: (d: unknown) => void) => {
      const action = actionIndex.get(name)
      if (action === undefined) throw new ModelError(`${this.model.name} emitted action '${name}', which it does not declare`)
      successor.set(current)
      this.write(write, successorDraft, name, picks)
      onStep(ordinal++, action, picks, successor)
    }) as never)
    return ordinal
  }

  private write(write: (d: never) => void, draft: unknown, action: string, picks?: Record<string, unknown>) {
    try {
      write(draft as never)
    } catch (e) {
      if (e instanceof SchemaError) {
        const args = picks && Object.keys(picks).length ? `(${JSON.stringify(picks)})` : ''
        throw new ModelError(`${this.model.name}: action ${action}${args} wrote an invalid value: ${e.message}`)
      }
      throw e
    }
  }

  /** The first invariant the successor breaks, or undefined. */
  brokenInvariantOfSuccessor(): Property | undefined {
    return this.firstBroken(this.invariants, this.successor, this.successorView)
  }

  /** Is the successor inside the state constraint? */
  successorWithin(): boolean {
    return this.protocol.within ? this.protocol.within(this.successorView as never) : true
  }

  /** Is the current state (the one last expanded) a proper end state? */
  currentIsTerminal(): boolean {
    return this.protocol.terminal ? this.protocol.terminal(this.currentView as never) : false
  }

  /** Indexes into `reachables` of the `sometimes` properties the successor satisfies. */
  reachedBySuccessor(onReached: (index: number) => void) {
    this.reachables.forEach((p, i) => {
      if (p.holds(this.successorView as never)) onReached(i)
    })
  }

  private firstBroken(properties: readonly Property[], words: Uint32Array, view: unknown) {
    for (const p of properties) {
      const ok = p.wellTyped ? this.schema.malformation(words) === null : p.holds(view as never)
      if (!ok) return p
    }
    return undefined
  }

  /** Evaluate one named property on a state given as words (for replays and tools). */
  holds(propertyName: string, words: Uint32Array): boolean {
    const p = this.allProperties.find((q) => q.name === propertyName)
    if (!p) throw new InputError(`${this.model.name} has no property '${propertyName}'`)
    if (p.wellTyped) return this.schema.malformation(words) === null
    return p.holds(this.schema.view(words) as never)
  }

  /** A short description of this configuration: `two-phase-commit rm=3 bug=...`. */
  describe(): string {
    const params = Object.entries(this.config.params).map(([k, v]) => `${k}=${v}`).join(' ')
    return [this.model.name, params, this.config.bug ? `bug=${this.config.bug}` : ''].filter(Boolean).join(' ')
  }
}

export interface Property {
  readonly name: string
  readonly kind: 'always' | 'sometimes'
  readonly holds: Predicate<RecordType<Fields>>
  /** Checked on the packed words by the schema rather than on a view. */
  readonly wellTyped: boolean
}

function properties(predicates: { readonly [name: string]: Predicate<RecordType<Fields>> }, kind: Property['kind']): Property[] {
  return Object.entries(predicates).map(([name, holds]) => ({ name, kind, holds, wellTyped: holds === wellTyped }))
}

const NO_PICKS: Readonly<Record<string, unknown>> = Object.freeze({})
