// Trace minimisation, in the spirit of fast-check's shrinking: cut a long counterexample (a
// random walk's, typically) down to a short one that still ends in the same failure.
//
// A trace is a list of steps, each an action with its picks. A candidate is kept only if it
// replays in the model (every step, named by action and picks, is enabled where it is taken;
// the states are re-derived, never trusted), no state before the last lies outside the model's
// constraint, and its last state has the same failure: the same invariant broken, or a
// deadlock (a broken step property: its last step breaks it). Reductions, cheapest first,
// repeated until none applies:
//   1. end the trace at the first state where the failure appears;
//   2. cut loops: when a state recurs, drop the steps between its two visits;
//   3. drop chunks of steps, halving the chunk size down to single steps (delta debugging);
//   4. shortcuts: a small breadth-first search from each state for a shorter way to the
//      failure or to a later state of the trace, replacing the segment it bypasses.

import { InputError } from './errors.js'
import type { Instance } from './instance.js'
import type { Step } from './path.js'
import { canonicalJson } from './canonical-json.js'

/** The failure a trace must keep ending in. */
export type Failure = { result: 'violation'; property: string } | { result: 'deadlock' }

export interface MinimizeOptions {
  /** States one shortcut search may visit (default 2,000). */
  shortcutBudget?: number
}

export interface Minimized {
  path: Step[]
  /** Lengths in states, initial state included. */
  before: number
  after: number
  /** Candidates replayed. */
  attempts: number
}

type Move = Pick<Step, 'action' | 'picks'>

export function minimizePath(instance: Instance, path: readonly Step[], failure: Failure, options: MinimizeOptions = {}): Minimized {
  const search = new Minimizer(instance, failure, options.shortcutBudget ?? 2000)
  const problem = search.replayProblem(path)
  if (problem) throw new InputError(`the trace cannot be minimised in ${instance.describe()}: ${problem}`)
  const initial: Step = { action: 'init', picks: {}, state: path[0].state.slice() }
  let best = search.fails(initial.state) ? [initial] : search.replay([initial], path.slice(1))!
  for (let improved = true; improved; ) {
    improved = false
    for (const reduce of [search.cutLoops, search.dropChunks, search.shortcut]) {
      const shorter = reduce.call(search, best)
      if (shorter && shorter.length < best.length) {
        best = shorter
        improved = true
        break // back to the cheap reductions
      }
    }
  }
  return { path: best, before: path.length, after: best.length, attempts: search.attempts }
}

class Minimizer {
  attempts = 0

  constructor(
    readonly instance: Instance,
    readonly failure: Failure,
    readonly shortcutBudget: number,
  ) {
    this.ofSteps = failure.result === 'violation' && instance.property(failure.property).kind === 'step'
  }

  /** Is the failure a broken step property (judged on a step, not on a state)? */
  private readonly ofSteps: boolean

  /** Why `path` is not a trace of this model ending in the failure, or null if it is. */
  replayProblem(path: readonly Step[]): string | null {
    const { instance } = this
    if (path.length === 0) return 'it has no states'
    const key = path[0].state.join(',')
    let initial = false
    instance.initial((_ordinal, _action, _picks, state) => (initial ||= state.join(',') === key))
    if (!initial) return 'state 0 is not an initial state of the model'
    for (let i = 1; i < path.length; i++) {
      const next = this.take(path[i - 1].state, path[i])
      const label = `step ${i} (${path[i].action} ${canonicalJson(path[i].picks)})`
      if (!next) return `${label} is not enabled in state ${i - 1}`
      if (next.state.join(',') !== path[i].state.join(',')) return `${label} leads elsewhere than state ${i} of the trace`
      if (!next.within && i < path.length - 1) return `state ${i} lies outside the model's constraint, where no step is taken`
    }
    if (!this.fails(path[path.length - 1].state, path[path.length - 2]?.state, path[path.length - 1])) {
      if (this.failure.result === 'deadlock') return 'its last state is not a deadlock'
      return `its last ${this.ofSteps ? 'step' : 'state'} does not violate ${this.failure.property}`
    }
    return null
  }

  /** Extend `prefix` (steps already replayed: enabled, inside the constraint, not failing) by
   * `moves`; the path up to the first failing state, or null if a step is not enabled, the walk
   * leaves the constraint before failing, or the failure never appears. */
  replay(prefix: readonly Step[], moves: readonly Move[]): Step[] | null {
    this.attempts++
    const path = prefix.slice()
    let state = path[path.length - 1].state
    for (const move of moves) {
      const next = this.take(state, move)
      if (!next) return null
      path.push({ action: move.action, picks: move.picks, state: next.state })
      if (this.fails(next.state, state, move)) return path
      if (!next.within) return null
      state = next.state
    }
    return null
  }

  /** The successor of `state` by `move`, if that step is enabled there. */
  private take(state: Uint32Array, move: Move): { state: Uint32Array; within: boolean } | null {
    const { instance } = this
    const wanted = instance.actionNames.indexOf(move.action)
    const picks = canonicalJson(move.picks)
    let found: { state: Uint32Array; within: boolean } | null = null
    instance.successors(state, 0, (_ordinal, action, stepPicks, successor) => {
      if (!found && action === wanted && canonicalJson(stepPicks) === picks) {
        found = { state: successor.slice(), within: instance.successorWithin() }
      }
    })
    return found
  }

  /** Does `state` (reached from `before` by `move`, unless it is an initial state) show the failure? */
  fails(state: Uint32Array, before?: Uint32Array, move?: Move): boolean {
    const { instance, failure } = this
    if (failure.result === 'violation' && this.ofSteps) return before !== undefined && !instance.holdsOnStep(failure.property, before, move!, state)
    if (failure.result === 'violation') return !instance.holds(failure.property, state)
    return instance.successors(state, 0, () => {}) === 0 && !instance.currentIsTerminal()
  }

  /** Drop the steps between two visits of one state (the longest such loop first). */
  cutLoops(path: Step[]): Step[] | null {
    const firstVisit = new Map<string, number>()
    let i = -1
    let j = -1
    for (let at = 0; at < path.length; at++) {
      const key = path[at].state.join(',')
      const earlier = firstVisit.get(key)
      if (earlier === undefined) firstVisit.set(key, at)
      else if (at - earlier > j - i) [i, j] = [earlier, at]
    }
    if (i < 0) return null
    // The state after step j is the state after step i: continue from i with the steps after j.
    return this.replay(path.slice(0, i + 1), path.slice(j + 1))
  }

  /** Try dropping each chunk of steps, chunks halving from half the trace to one step. */
  dropChunks(path: Step[]): Step[] | null {
    const steps = path.length - 1
    for (let size = Math.max(1, steps >> 1); size >= 1; size = size === 1 ? 0 : Math.max(1, size >> 1)) {
      // Dropping steps from+1 .. from+size; from the end backwards, as late steps are the likeliest
      // to be irrelevant to the failure, and a late cut replays only a short suffix.
      for (let from = steps - size; from >= 0; from--) {
        const shorter = this.replay(path.slice(0, from + 1), path.slice(from + size + 1))
        if (shorter) return shorter
      }
    }
    return null
  }

  /** From each state, search (breadth-first, within a budget) for a shorter way to the failure
   * or to a later state of the trace; apply the search that saves the most steps. */
  shortcut(path: Step[]): Step[] | null {
    const index = new Map<string, number>()
    path.forEach((step, j) => index.set(step.state.join(','), j))
    let best: { from: number; to: number | null; moves: Move[]; saves: number } | null = null
    for (let from = 0; from < path.length - 1; from++) {
      const found = this.searchFrom(path, from, index)
      if (found && (!best || found.saves > best.saves)) best = found
    }
    if (!best) return null
    const rest = best.to === null ? [] : path.slice(best.to + 1)
    return this.replay(path.slice(0, best.from + 1), [...best.moves, ...rest])
  }

  private searchFrom(path: Step[], from: number, index: Map<string, number>): Shortcut | null {
    const { instance } = this
    // The trace takes `remaining` steps from here to the failure; only shorter routes help.
    const remaining = path.length - 1 - from
    const nodes: SearchNode[] = [{ state: path[from].state, depth: 0, parent: -1, move: null, within: true, fails: false }]
    const seen = new Set([path[from].state.join(',')])
    const movesTo = (n: number): Move[] => {
      const moves: Move[] = []
      for (let at = n; nodes[at].parent >= 0; at = nodes[at].parent) moves.push(nodes[at].move!)
      return moves.reverse()
    }
    let best: Shortcut | null = null
    for (let head = 0; head < nodes.length && nodes.length < this.shortcutBudget; head++) {
      const node = nodes[head]
      // A node this deep cannot lead anywhere sooner than the trace (or than the best find) does.
      if (node.depth + 1 >= remaining - (best?.saves ?? 0)) break
      // States outside the constraint and failing states are ends, never expanded.
      if (!node.within || node.fails) continue
      const first = nodes.length
      instance.successors(node.state, 0, (_ordinal, action, picks, successor) => {
        const key = successor.join(',')
        if (seen.has(key)) return
        seen.add(key)
        const move = { action: instance.actionNames[action], picks }
        nodes.push({ state: successor.slice(), depth: node.depth + 1, parent: head, move, within: instance.successorWithin(), fails: false })
      })
      for (let n = first; n < nodes.length; n++) {
        const child = nodes[n]
        // (Evaluated after the successors are collected: a deadlock test asks the model again.)
        child.fails = this.fails(child.state, nodes[child.parent].state, child.move!)
        const later = child.fails ? undefined : index.get(child.state.join(','))
        const saves = child.fails ? remaining - child.depth : later !== undefined && later > from ? later - from - child.depth : 0
        if (saves > 0 && (!best || saves > best.saves)) best = { from, to: later ?? null, moves: movesTo(n), saves }
      }
    }
    return best
  }
}

interface Shortcut {
  /** Replace the steps after state `from`... */
  from: number
  /** ...up to state `to` (null: to the end) by `moves`. */
  to: number | null
  moves: Move[]
  saves: number
}

interface SearchNode {
  state: Uint32Array
  depth: number
  parent: number
  move: Move | null
  within: boolean
  fails: boolean
}
