// Is a counterexample a real path of the model? Checked independently of the ordinals the
// search recorded: the first state must be an initial state, and each next state must be
// among the successors of the one before, by the action the step names.

import type { Instance } from '../../checker/instance.js'
import type { Step } from '../../checker/path.js'

export function pathProblem(instance: Instance, path: readonly Step[]): string | null {
  if (path.length === 0) return 'empty path'
  const same = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((w, i) => w === b[i])
  let found = false
  instance.initial((_o, _a, _p, s) => {
    if (same(s.subarray(0, instance.words), path[0].state)) found = true
  })
  if (!found || path[0].action !== 'init') return 'the first state is not an initial state'
  for (let i = 1; i < path.length; i++) {
    found = false
    instance.successors(path[i - 1].state, 0, (_o, action, _p, s) => {
      if (instance.actionNames[action] === path[i].action && same(s.subarray(0, instance.words), path[i].state)) found = true
    })
    if (!found) return `step ${i} (${path[i].action}) is not a successor of state ${i - 1}`
  }
  return null
}
