// An independent check of a liveness counterexample, from the trace alone: each step is a
// step the model emits, the loop closes, the cycle is fair (judged on its steps and on the
// enabledness of its states, per action instance), and the property fails on the behaviour.
// Returns what is wrong, or null.

import { canonicalJson } from '../../checker/canonical-json.js'
import type { Instance, Property } from '../../checker/instance.js'
import type { Step } from '../../checker/path.js'

export function lassoProblem(instance: Instance, path: readonly Step[], loop: number, propertyName: string): string | null {
  const same = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((w, i) => w === b[i])
  const key = (action: string, picks: unknown) => `${action} ${canonicalJson(picks)}`
  const stepsFrom = (state: Uint32Array) => {
    const steps: { key: string; state: Uint32Array }[] = []
    instance.successors(state, 0, (_o, a, picks, s) => {
      if (!same(s, state)) steps.push({ key: key(instance.actionNames[a], picks), state: s.slice() })
    })
    return steps
  }
  let initial = false
  instance.initial((_o, _a, _p, s) => (initial ||= same(s, path[0].state)))
  if (!initial) return 'the first state is not initial'
  for (let i = 1; i < path.length; i++) {
    const k = key(path[i].action, path[i].picks)
    if (!stepsFrom(path[i - 1].state).some((s) => s.key === k && same(s.state, path[i].state))) return `step ${i} (${k}) is not a step of the model`
  }
  const last = path.length - 1
  if (loop < 0 || loop > last) return `loop ${loop} is outside the trace`
  const stutters = loop === last
  if (!stutters && (loop === 0 || !same(path[last].state, path[loop - 1].state))) return 'the last state is not the one before the loop'
  const cycleStates = stutters ? [path[last].state] : path.slice(loop - 1, last).map((s) => s.state)
  const taken = new Set(stutters ? [] : path.slice(loop).map((s) => key(s.action, s.picks)))
  const fairness = instance.protocol.fairness ?? {}
  const enabled = cycleStates.map((s) => new Set(stepsFrom(s).map((t) => t.key)))
  const instances = new Set(enabled.flatMap((set) => [...set]))
  for (const a of instances) {
    const kind = fairness[a.split(' ')[0]]
    if (!kind || taken.has(a)) continue
    const disabledAt = enabled.filter((set) => !set.has(a)).length
    if (kind === 'weak' && disabledAt === 0) return `weak fairness of ${a} fails on the cycle`
    if (kind === 'strong' && disabledAt < enabled.length) return `strong fairness of ${a} fails on the cycle`
  }
  const property = instance.allProperties.find((p): p is Property => p.name === propertyName && p.kind !== 'step')!
  const view = (s: Uint32Array) => instance.schema.view(s) as never
  const to = path.map((s) => property.holds(view(s.state)))
  if (property.kind === 'eventually') return to.some(Boolean) ? `${propertyName} holds on the lasso` : null
  const lastTo = to.lastIndexOf(true)
  // States past the last Q-state and before the loop's end see no Q again (the cycle repeats states of the path).
  const cycleHasTo = stutters ? to[last] : to.slice(loop - 1).some(Boolean)
  if (cycleHasTo) return `${propertyName}: its conclusion holds on the cycle`
  const premiseAfter = path.some((s, i) => i > lastTo && property.from!(view(s.state)))
  return premiseAfter ? null : `${propertyName}: no premise state is followed by a behaviour without its conclusion`
}
