// Agreement with TLC 2.20 on specs from tlaplus/Examples with temporal properties, ported
// to protocheck models in test/liveness-tlc/: the same verdict and the same distinct state
// count (TLC's figures, from runs of the original specs, are in the comments), and for a
// violation a lasso that is a real fair behaviour of the model on which the property fails.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import type { Model } from '../checker/model.js'
import { lassoProblem } from './helpers/lasso-check.js'
import { changRoberts } from './liveness-tlc/chang-roberts.js'
import { ewd840 } from './liveness-tlc/ewd840.js'
import { diningPhilosophers } from './liveness-tlc/dining-philosophers.js'
import { lamportMutex } from './liveness-tlc/lamport-mutex.js'

function verdict(model: Model, properties?: string[], checkDeadlock = false) {
  const instance = Instance.create(model, {}, undefined, properties)
  const result = check(instance, 'bfs', { checkDeadlock })
  if (result.result === 'violation') {
    assert.ok(result.loop !== null, 'a liveness violation is a lasso')
    assert.is(lassoProblem(instance, result.path!, result.loop!, result.property!), null)
  }
  return result
}

// TLC: N = 3, Id = <<2, 3, 1>>, INVARIANT Correctness, PROPERTY Liveness.
// SPECIFICATION Spec (WF_vars(node(self)) for each self): "No error has been found",
// 227 states generated, 137 distinct states, depth 10.
// SPECIFICATION Init /\ [][Next]_vars (no fairness): "Temporal properties were violated",
// a lasso ending in stuttering; 137 distinct states.
test('chang_roberts: Liveness holds under weak fairness per node and fails without it (TLC)', () => {
  const fair = verdict(changRoberts(true))
  assert.is(fair.result, 'safe')
  assert.is(fair.distinctStates, 137)
  assert.is(fair.generatedStates, 227)
  assert.is(fair.depth, 10)
  const unfair = verdict(changRoberts(false))
  assert.is(unfair.result, 'violation')
  assert.is(unfair.property, 'Liveness')
  assert.is(unfair.loop, unfair.path!.length - 1, 'with no fairness, stuttering is the counterexample')
})

// TLC: N = 3, SPECIFICATION Spec (WF_vars(System)), INVARIANT TerminationDetection,
// CHECK_DEADLOCK FALSE. PROPERTY Liveness: "No error has been found", 2001 states
// generated, 302 distinct states, depth 9. PROPERTY FalseLiveness3: "Temporal properties
// were violated" (a lasso, "Back to state 1"), 302 distinct states.
test('ewd840: Liveness holds under WF(System), <>terminationDetected does not (TLC)', () => {
  const live = verdict(ewd840(3), ['TerminationDetection', 'Liveness'])
  assert.is(live.result, 'safe')
  assert.is(live.distinctStates, 302)
  assert.is(live.generatedStates, 2001)
  assert.is(live.depth, 9)
  assert.equal(live.vacuous, [])
  const falseLiveness = verdict(ewd840(3), ['TerminationDetection', 'FalseLiveness3'])
  assert.is(falseLiveness.result, 'violation')
  assert.is(falseLiveness.property, 'FalseLiveness3')
  assert.is(falseLiveness.distinctStates, 302)
})

// TLC: SPECIFICATION Spec (WF_vars(Philosopher(self)) for each self), INVARIANT
// ExclusiveAccess, PROPERTY NobodyStarves. NP = 3: "No error has been found", 58 states
// generated, 19 distinct, depth 17. NP = 5: no error, 336 generated, 67 distinct, depth 29
// (the figures of the example's manifest). NP = 3 with SPECIFICATION Init /\ [][Next]_vars:
// "Temporal properties were violated", ending in stuttering.
test('DiningPhilosophers: nobody starves under WF per philosopher, and someone may without it (TLC)', () => {
  for (const [np, distinct, generated, depth] of [[3, 19, 58, 17], [5, 67, 336, 29]]) {
    const r = verdict(diningPhilosophers(np, true))
    assert.is(r.result, 'safe', `NP = ${np}`)
    assert.is(r.distinctStates, distinct)
    assert.is(r.generatedStates, generated)
    assert.is(r.depth, depth)
  }
  const unfair = verdict(diningPhilosophers(3, false))
  assert.is(unfair.result, 'violation')
  assert.match(unfair.property!, /^NobodyStarves/)
  assert.is(unfair.distinctStates, 19)
})

// TLC: N = 2, maxClock = 3, INVARIANT Mutex, CONSTRAINT ClockConstraint, PROPERTY Liveness.
// SPECIFICATION Spec (no fairness): "Temporal properties were violated", ending in
// stuttering; 384 states generated, 191 distinct, depth 22. SPECIFICATION Spec /\ Fairness:
// "No error has been found" with the same counts. That "no error" is tlaplus#839: states
// cut off by the constraint have unknown futures, and TLC treats them as stuttering
// forever. protocheck says `incomplete` instead (a liveness verdict never rests on them).
test('lamport_mutex: violated without fairness as TLC finds; with the clock constraint, incomplete where TLC passes (tlaplus#839)', () => {
  const unfair = verdict(lamportMutex(2, 3, false), ['Mutex', 'Liveness1', 'Liveness2'])
  assert.is(unfair.result, 'violation')
  assert.match(unfair.property!, /^Liveness/)
  assert.is(unfair.distinctStates, 191)
  assert.is(unfair.generatedStates, 384)
  assert.is(unfair.depth, 22)
  const fair = verdict(lamportMutex(2, 3, true), ['Mutex', 'Liveness1', 'Liveness2'])
  assert.is(fair.result, 'incomplete')
  assert.match(fair.reason!, /outside the model's constraint/)
  assert.is(fair.distinctStates, 191)
})

test.run()
