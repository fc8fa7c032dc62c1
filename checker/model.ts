// The contract every model implements, in the spirit of Stateright's `Model` trait.
//
// A model is metadata (name, summary, params, bugs) plus `build(params, bug)`, which returns
// the protocol for one configuration: its state schema, its labelled actions, its initial
// states, its successor relation and its properties. The protocol closes over its params, so
// actions read `rm` rather than `params.rm`. A model knows no search strategy: it emits each
// enabled step, in a deterministic order, and the checker decides what to do with it.

import type { BoolType, Draft, EnumType, Fields, IntType, NodeIdType, RecordType, Type, View } from './schema.js'

/** One integer parameter (the only kind models have needed so far). */
export interface ParamSpec {
  readonly description: string
  readonly default: number
  readonly minimum: number
  readonly maximum: number
}
export type ParamSpecs = { readonly [name: string]: ParamSpec }
export type Params<S extends ParamSpecs> = { readonly [K in keyof S]: number }

/** Action name -> the types of its picks (the arguments of TLA+'s \E and of Quint's nondet). */
export type Actions = { readonly [name: string]: Fields }
/** Scalar picks are typed; richer ones (a message) are checked at run time against their declared type.
 * (Typing them fully makes TypeScript's inference through `emit` too deep.) */
export type Picks<F extends Fields> = { readonly [K in keyof F]: PickValue<F[K]> }
type PickValue<T> = T extends EnumType<infer V> ? V : T extends BoolType ? boolean : T extends IntType | NodeIdType ? number : unknown

/** Emit one enabled step: its action, its picks, and how the successor differs from the current state. */
export type Emit<T extends Type, A extends Actions> = <N extends keyof A & string>(
  action: N,
  picks: Picks<A[N]>,
  write: (draft: Draft<T>) => void,
) => void
/** Emit one initial state; the draft starts all-zero (first enum value, false, minimum, empty). */
export type EmitInitial<T extends Type> = (write: (draft: Draft<T>) => void) => void

/** A predicate over states. */
export type Predicate<T extends Type> = (state: View<T>) => boolean

/** A predicate over one step: the state before, the step taken (its action and picks) and the
 * state after (TLA+'s [][A]_vars). The views and the step object are valid during the call
 * only: the checker reuses them for the next step. */
export type StepPredicate<T extends Type> = (
  before: View<T>,
  step: { readonly action: string; readonly picks: Readonly<Record<string, unknown>> },
  after: View<T>,
) => boolean

/** TLA+'s TypeOK, derived from the schema: every variable holds a value of its declared type
 * and the packed words are canonical. Use as `always: { TypeOK: wellTyped }`. */
export const wellTyped = (_state: unknown): boolean => true

export interface Protocol<T extends RecordType<Fields>, A extends Actions> {
  readonly state: T
  readonly actions: A
  // NoInfer: the types come from `state` and `actions` alone, then flow into the functions.
  init(emit: EmitInitial<NoInfer<T>>): void
  next(state: View<NoInfer<T>>, emit: Emit<T, A>): void
  /** Invariants, by name: a state where one is false is a counterexample. */
  readonly always: { readonly [name: string]: Predicate<NoInfer<T>> }
  /** Reachability, by name: each must hold in some reachable state, or the check fails
   * (it catches models that are safe only because nothing happens). */
  readonly sometimes?: { readonly [name: string]: Predicate<NoInfer<T>> }
  /** Step properties (TLA+'s [][A]_vars): true of every step the search takes. */
  readonly steps?: { readonly [name: string]: StepPredicate<NoInfer<T>> }
  /** Liveness: on every fair behaviour, P holds at some point. */
  readonly eventually?: { readonly [name: string]: Predicate<NoInfer<T>> }
  /** Liveness: P ~> Q, on every fair behaviour each P-state is followed (now or later) by a Q-state. */
  readonly leadsTo?: { readonly [name: string]: { readonly from: Predicate<NoInfer<T>>; readonly to: Predicate<NoInfer<T>> } }
  /** Fairness per action name, applying to each instance of the action's picks separately
   * (as TLC's \A self: WF_vars(node(self))). Actions not named are unfair. */
  readonly fairness?: { readonly [action: string]: 'weak' | 'strong' }
  /** TLC's state constraint: a successor outside it is checked but neither stored nor expanded. */
  within?(state: View<NoInfer<T>>): boolean
  /** States where having no successor is a proper end, not a deadlock. */
  terminal?(state: View<NoInfer<T>>): boolean
  /** Roles whose node ids are interchangeable (for --symmetry). */
  readonly symmetric?: readonly string[]
}

export interface Model<S extends ParamSpecs = ParamSpecs> {
  readonly name: string
  readonly summary: string
  readonly params: S
  /** Bug switch name -> one line: what the one changed rule does. */
  readonly bugs: { readonly [name: string]: string }
  /** The driver of the model's implementation, if not the driver.* module beside the model:
   * a module path, or a command that speaks the driver protocol (run in the model's folder);
   * both relative to the model's file. Only replay and conform read it. */
  readonly driver?: DriverLocation
  build(params: Params<S>, bug: string | undefined): Protocol<RecordType<Fields>, Actions>
}

/** Where a driver is: a module path, or a command speaking the driver protocol (JSON lines). */
export type DriverLocation = string | { readonly command: string }

/** Declare a model. `build` returns `protocol({...})`, from which the views' types are inferred. */
export function defineModel<S extends ParamSpecs>(model: {
  name: string
  summary: string
  params: S
  bugs: { readonly [name: string]: string }
  driver?: DriverLocation
  build(params: Params<S>, bug: string | undefined): Protocol<any, any>
}): Model<S> {
  return model as Model<S>
}

/** Declare one configuration's protocol. A call of its own so that TypeScript infers the
 * state and action types from `state` and `actions` before it types `init` and `next`. */
export function protocol<T extends RecordType<Fields>, A extends Actions>(p: Protocol<T, A>): Protocol<T, A> {
  return p
}

/** 0..n-1, for iterating node ids. */
export const range = (n: number): readonly number[] => Array.from({ length: n }, (_, i) => i)
