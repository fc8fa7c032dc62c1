// Records the state graph while the breadth-first search runs (checker/bfs.ts, through
// steps.ts): it is the search's visited set, mapping each fingerprint to its state's id, so
// that every step, to a new state or to one seen before, becomes an edge. Labels (does each
// liveness property's premise or conclusion hold?) are evaluated once per new state, on the
// successor's words, while they are at hand. Only a search with a liveness property
// selected records: the graph costs about 10 bytes an edge and 12 a state.

import { canonicalJson } from '../canonical-json.js'
import type { Instance, Property } from '../instance.js'
import type { MemoryBudget } from '../budget.js'
import { FROM, STRONG, TO, WEAK, type ActionInstance, type StateGraph } from './graph.js'
import { GrowableInt32, GrowableUint16, GrowableUint8 } from './growable.js'
import { IndexedFingerprintSet } from './id-table.js'

export class GraphRecorder {
  private readonly ids: IndexedFingerprintSet
  private readonly starts = new GrowableInt32()
  private readonly targets = new GrowableInt32(1 << 16)
  private readonly instanceOfEdge = new GrowableInt32(1 << 16)
  private readonly ordinals = new GrowableUint16(1 << 16)
  private readonly initial = new GrowableUint8()
  private readonly labels: GrowableUint8[]
  private readonly cutOffLabels: GrowableUint8[]
  private readonly initialCutOffs = new GrowableInt32(16)
  private cutOffs = 0
  private readonly instanceIds = new Map<string, number>()
  private readonly instances: ActionInstance[] = []
  private readonly instanceFairness = new GrowableUint8(64)
  /** Per action index: WEAK, STRONG or 0 (unfair). */
  private readonly fairnessOfAction: Uint8Array
  private readonly properties: readonly Property[]
  /** Per action index: its pick names, in declared order. */
  private readonly pickNames: readonly (readonly string[])[]
  /** A view of the successor's words, made once. */
  private readonly successorView: unknown

  constructor(private readonly instance: Instance, budget: MemoryBudget, expectedStates?: number) {
    this.ids = new IndexedFingerprintSet(budget, expectedStates)
    this.properties = instance.liveness
    this.labels = this.properties.map(() => new GrowableUint8())
    this.cutOffLabels = this.properties.map(() => new GrowableUint8(16))
    const fairness = instance.protocol.fairness ?? {}
    this.fairnessOfAction = Uint8Array.from(instance.actionNames, (a) => (fairness[a] === 'strong' ? STRONG : fairness[a] === 'weak' ? WEAK : 0))
    this.pickNames = instance.actionNames.map((a) => Object.keys(instance.protocol.actions[a]))
    this.successorView = instance.schema.view(instance.successor)
  }

  /** The visited set's `add`: true if the fingerprint is new (it then gets the next id). */
  add(lo: number, hi: number): boolean {
    return this.ids.add(lo, hi)
  }

  /** A step from `parent` (-1: `initial` emitting) to the state the last `add` found or
   * inserted, whose id the search gave as `stored` when it was new (-1 otherwise). */
  step(parent: number, ordinal: number, action: number, picks: Readonly<Record<string, unknown>>, stored: number) {
    const target = this.ids.lastId
    if (stored >= 0) {
      if (stored !== target) throw new Error(`state graph: the search stored state ${stored} as the graph's ${target}`)
      this.initial.push(0)
      for (let p = 0; p < this.labels.length; p++) this.labels[p].push(this.labelOfSuccessor(p))
    }
    if (parent < 0) {
      this.initial.set(target, 1)
      for (let p = 0; p < this.labels.length; p++) {
        if (this.properties[p].kind === 'eventually') this.labels[p].set(target, this.labels[p].get(target) | FROM)
      }
      return
    }
    this.addEdge(parent, target, ordinal, action, picks)
  }

  /** A step to a successor outside the state constraint (not stored: its future is unknown). */
  cutOff(parent: number, ordinal: number, action: number, picks: Readonly<Record<string, unknown>>) {
    const k = this.cutOffs++
    for (let p = 0; p < this.labels.length; p++) {
      const initialPremise = parent < 0 && this.properties[p].kind === 'eventually' ? FROM : 0
      this.cutOffLabels[p].push(this.labelOfSuccessor(p) | initialPremise)
    }
    if (parent < 0) this.initialCutOffs.push(k)
    else this.addEdge(parent, -1 - k, ordinal, action, picks)
  }

  /** The graph recorded, once the search has expanded every state. */
  graph(): StateGraph {
    const states = this.ids.size
    while (this.starts.length <= states) this.starts.push(this.targets.length)
    return {
      states,
      edgeStart: this.starts.trimmed(),
      edgeTarget: this.targets.trimmed(),
      edgeInstance: this.instanceOfEdge.trimmed(),
      edgeOrdinal: this.ordinals.trimmed(),
      initial: this.initial.trimmed(),
      instances: this.instances,
      instanceFairness: this.instanceFairness.trimmed(),
      labels: this.labels.map((l) => l.trimmed()),
      cutOffLabels: this.cutOffLabels.map((l) => l.trimmed()),
      initialCutOffs: this.initialCutOffs.trimmed(),
    }
  }

  private addEdge(parent: number, target: number, ordinal: number, action: number, picks: Readonly<Record<string, unknown>>) {
    // Breadth-first search expands states in id order, so each state's edges are contiguous.
    if (parent < this.starts.length - 1) throw new Error(`state graph: edges of state ${parent} recorded after those of state ${this.starts.length - 1}`)
    while (this.starts.length <= parent) this.starts.push(this.targets.length)
    this.targets.push(target)
    this.instanceOfEdge.push(this.fairnessOfAction[action] ? this.instanceId(action, picks) : -1)
    this.ordinals.push(ordinal)
  }

  /** The fair action instance (action, picks) as a small integer. Its key lists the picks in
   * their declared order: scalars as they are (most picks are node ids), anything richer as
   * canonical JSON, which costs far more (this runs once per edge). */
  private instanceId(action: number, picks: Readonly<Record<string, unknown>>): number {
    let key = String(action)
    for (const name of this.pickNames[action]) {
      const value = picks[name]
      key += typeof value === 'object' && value !== null ? `\u0000${canonicalJson(value)}` : `\u0000${typeof value}:${String(value)}`
    }
    let id = this.instanceIds.get(key)
    if (id === undefined) {
      id = this.instances.length
      this.instanceIds.set(key, id)
      this.instances.push({ action: this.instance.actionNames[action], picks: { ...picks } })
      this.instanceFairness.push(this.fairnessOfAction[action])
    }
    return id
  }

  private labelOfSuccessor(p: number): number {
    const property = this.properties[p]
    const view = this.successorView as never
    let label = property.holds(view) ? TO : 0
    if (property.from?.(view)) label |= FROM
    return label
  }
}
