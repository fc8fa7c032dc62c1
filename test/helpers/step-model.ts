// A counter that only counts up, with a step property saying so, and bug switches that break
// the step properties or make the model's own code throw: the fixture of the step-property
// and evaluation-error tests. A module of its own, so that worker threads can load it.
//
// Without a bug: n goes 0, 1, ..., max (4 distinct states with max = 3); Inc from max leaves
// the constraint. Every bug acts at n = 2 (depth 3), except where said.

import { defineModel, protocol } from '../../checker/model.js'
import { int, record } from '../../checker/schema.js'

export default defineModel({
  name: 'step-counter',
  summary: 'a counter that only counts up (test fixture for step properties and evaluation errors)',
  params: {
    max: { description: 'the largest n inside the constraint', default: 3, minimum: 2, maximum: 4 },
  },
  bugs: {
    'step-back': 'Back, from n = 2 to the visited state n = 1',
    idle: 'Idle at n = 2, a step that changes nothing',
    'jump-at-max': 'Inc from max adds 2 (a step leaving the constraint)',
    'throw-in-invariant': 'the invariant Readable throws at n = 2',
    'throw-in-sometimes': 'the sometimes-property ReachesTwo throws at n = 2',
    'throw-in-step-property': 'the step property NeverBack throws on the step to n = 2',
    'throw-in-next': 'next throws at n = 2, outside any write',
    'throw-in-write': "Inc's write throws at n = 2",
    'throw-in-init': 'init throws',
    'throw-in-within': 'within throws at n = 2',
    'throw-in-terminal': 'Inc stops at max, where terminal throws',
  },
  build({ max }, bug) {
    const state = record({ n: int(0, 6) })
    const fail = (what: string): never => {
      throw new Error(`${what} cannot handle n = 2`)
    }
    return protocol({
      state,
      actions: { Inc: {}, Back: {}, Idle: {} },
      init(emit) {
        if (bug === 'throw-in-init') throw new RangeError('no initial counter')
        emit((d) => (d.n = 0))
      },
      next(s, emit) {
        if (bug === 'throw-in-next' && s.n === 2) fail('next')
        if (!(bug === 'throw-in-terminal' && s.n === max)) {
          emit('Inc', {}, (d) => {
            if (bug === 'throw-in-write' && s.n === 2) fail('Inc')
            d.n = s.n + (bug === 'jump-at-max' && s.n === max ? 2 : 1)
          })
        }
        if (bug === 'step-back' && s.n === 2) emit('Back', {}, (d) => (d.n = 1))
        if (bug === 'idle' && s.n === 2) emit('Idle', {}, () => {})
      },
      within: (s) => (bug === 'throw-in-within' && s.n === 2 ? fail('within') : s.n <= max),
      terminal: (s) => (bug === 'throw-in-terminal' ? fail('terminal') : s.n === max),
      always: {
        Readable: (s) => (bug === 'throw-in-invariant' && s.n === 2 ? fail('Readable') : true),
      },
      sometimes: {
        ReachesTwo: (s) => (bug === 'throw-in-sometimes' && s.n === 2 ? fail('ReachesTwo') : s.n === 2),
      },
      steps: {
        NeverBack: (before, _step, after) => (bug === 'throw-in-step-property' && after.n === 2 ? fail('NeverBack') : after.n >= before.n),
        IncByOne: (before, step, after) => step.action !== 'Inc' || after.n === before.n + 1,
        NoIdle: (_before, step) => step.action !== 'Idle',
      },
    })
  },
})
