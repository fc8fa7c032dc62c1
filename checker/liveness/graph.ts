// The reachable state graph a liveness check runs on, as typed arrays: states are ids
// 0..states-1 (the parent log's ids), the edges of state s are edgeStart[s] to
// edgeStart[s+1]-1, each with its target, the fair action instance it takes and its ordinal
// among s's steps (to replay it as a trace). Self-loops are not edges: a step that changes
// nothing is a stutter, which every state may take anyway (TLA+'s [A]_vars), and which
// neither enables nor takes <<A>>_vars for fairness. A step to a state outside the model's
// constraint (`within`) is an edge to a cut-off state, whose future is unknown.

/** An action with one value of its picks: fairness applies to each separately. */
export interface ActionInstance {
  readonly action: string
  readonly picks: Readonly<Record<string, unknown>>
}

export const WEAK = 1
export const STRONG = 2

/** Label bits, per liveness property and state. */
export const TO = 1
export const FROM = 2

export interface StateGraph {
  readonly states: number
  /** states + 1 entries. */
  readonly edgeStart: Int32Array
  /** A state id, or -1 - k for the k-th cut-off state. */
  readonly edgeTarget: Int32Array
  /** The fair action instance the edge takes (an index into `instances`), or -1 (an unfair action). */
  readonly edgeInstance: Int32Array
  /** The edge's ordinal among its source's steps. */
  readonly edgeOrdinal: Uint16Array
  /** Per state: 1 if it is an initial state. */
  readonly initial: Uint8Array
  /** The fair action instances, and each one's fairness (WEAK or STRONG). */
  readonly instances: readonly ActionInstance[]
  readonly instanceFairness: Uint8Array
  /** Per liveness property: per state, TO if its conclusion holds there, FROM if its premise
   * does (for `eventually`: the state is initial). */
  readonly labels: readonly Uint8Array[]
  /** Per liveness property: the same bits for each cut-off state. */
  readonly cutOffLabels: readonly Uint8Array[]
  /** Cut-off states that are initial states (an initial state outside the constraint). */
  readonly initialCutOffs: Int32Array
}

/** Cut-off state index of an edge target below 0. */
export const cutOffIndex = (target: number) => -1 - target
