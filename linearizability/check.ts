// checkLinearizable: a history against a sequential model. The kv model is checked one key at
// a time (linearizability is compositional: a history is linearizable iff each object's
// sub-history is, Herlihy & Wing 1990, Theorem 1), which turns one search over 100,000
// operations into fifty small ones. The first key that fails is cut down to its smallest
// failing set of operations.

import { InputError } from '../checker/errors.js'
import { parseHistory, type History, type Key, type Operation, type Scalar } from './history.js'
import { modelNamed, NULL_VALUE, type ModelName, type SequentialModel } from './models.js'
import { smallestFailingSet } from './minimize.js'
import { searchLinearization, type TimedOperation } from './search.js'

export interface LinearizabilityOptions {
  model: ModelName
  /** Give up after this many seconds (result 'unknown'); no limit by default. */
  timeLimitSeconds?: number
}

export interface LinearizabilityFailure {
  /** The key whose operations cannot be ordered (null: the history names no key). */
  key: Key
  /** The smallest failing set (linearizability/minimize.ts): these operations cannot be
   * linearized, and each is needed: without any one of them the rest can be, or a read returns
   * a value none of the rest writes. In invoke order. */
  operations: Operation[]
  /** False if the time limit cut the shrinking short: the set fails but may not be minimal. */
  minimal: boolean
  /** All operations of that key (ok, fail and info), for drawing the history around the failure. */
  keyOperations: Operation[]
  /** How many candidate subsets the shrinking checked. */
  shrinkChecks: number
}

export interface LinearizabilityReport {
  model: ModelName
  /** unknown: the time limit ran out before every key was decided. */
  result: 'linearizable' | 'not-linearizable' | 'unknown'
  /** Operations in the history (invokes), and how many constrain the order: `fail`
   * operations did not happen and `info` reads returned nothing, so neither is searched. */
  operations: number
  searched: number
  keys: number
  processes: number
  /** Keys whose operations cannot be ordered, in order of first appearance. */
  failedKeys: Key[]
  /** Keys left undecided by the time limit. */
  undecidedKeys: Key[]
  failure: LinearizabilityFailure | null
  /** (linearized set, state) configurations the searches cached, over all keys. */
  configurations: number
  seconds: number
}

/** Check a history: the parsed events (JSON) or a History from parseHistory/readHistoryFile. */
export function checkLinearizable(history: unknown, options: LinearizabilityOptions): LinearizabilityReport {
  const started = performance.now()
  const model = modelNamed(options.model)
  const { operations } = isHistory(history) ? history : parseHistory(history)
  const deadline = options.timeLimitSeconds === undefined ? undefined : Date.now() + options.timeLimitSeconds * 1000

  for (const operation of operations) {
    if (!model.operations.includes(operation.f)) {
      throw new InputError(`event ${operation.invokeIndex}: the ${model.name} model has no ${operation.f} (${model.operations.join(', ')}); cas needs --model cas-register or kv`)
    }
  }
  const partitions = partition(model, operations)
  const values = new ValueIds()
  const failedKeys: Key[] = []
  const undecidedKeys: Key[] = []
  let configurations = 0
  let searched = 0
  let failing: { key: Key; keyOperations: Operation[]; constraining: Operation[] } | null = null
  for (const { key, keyOperations } of partitions) {
    const constraining = withoutUnobservedInfo(keyOperations.filter(constrains))
    searched += constraining.length
    const r = searchLinearization(model, constraining.map((o) => values.timed(o)), { deadline })
    configurations += r.configurations
    if (r.linearizable === null) undecidedKeys.push(key)
    else if (!r.linearizable) {
      failedKeys.push(key)
      failing ??= { key, keyOperations, constraining }
    }
  }

  let failure: LinearizabilityFailure | null = null
  if (failing) {
    const shrunk = smallestFailingSet(failing.constraining, (set) => {
      const r = searchLinearization(model, set.map((o) => values.timed(o)), { deadline })
      return r.linearizable === null ? null : !r.linearizable
    })
    failure = { key: failing.key, operations: shrunk.operations, minimal: shrunk.minimal, keyOperations: failing.keyOperations, shrinkChecks: shrunk.checks }
  }
  return {
    model: model.name,
    result: failedKeys.length > 0 ? 'not-linearizable' : undecidedKeys.length > 0 ? 'unknown' : 'linearizable',
    operations: operations.length,
    searched,
    keys: partitions.length,
    processes: new Set(operations.map((o) => o.process)).size,
    failedKeys,
    undecidedKeys,
    failure,
    configurations,
    seconds: (performance.now() - started) / 1000,
  }
}

/** Does the operation constrain the order? `fail`: it did not happen; an `info` read: it
 * returned nothing and changed nothing. */
function constrains(operation: Operation): boolean {
  return operation.status === 'ok' || (operation.status === 'info' && operation.f !== 'read')
}

/** Leave out the `info` writes (and cas) whose value no read returns and no cas expects. If
 * such an operation took effect, the next operation after it can only be a write (a read would
 * return its value, a cas expect it): it might as well never have happened. Without them, a
 * history with crashed clients is searched as fast as one without. */
function withoutUnobservedInfo(operations: Operation[]): Operation[] {
  const observed = new Set<string>()
  for (const o of operations) {
    if (o.f === 'read') observed.add(JSON.stringify(o.output ?? null))
    else if (o.f === 'cas') observed.add(JSON.stringify((o.value as Scalar[])[0]))
  }
  return operations.filter((o) => {
    if (o.status !== 'info') return true
    const written = o.f === 'write' ? o.value : o.f === 'cas' ? (o.value as Scalar[])[1] : null
    return observed.has(JSON.stringify(written))
  })
}

function partition(model: SequentialModel, operations: readonly Operation[]): { key: Key; keyOperations: Operation[] }[] {
  const byKey = new Map<string, { key: Key; keyOperations: Operation[] }>()
  for (const operation of operations) {
    const id = JSON.stringify(operation.key)
    let part = byKey.get(id)
    if (!part) byKey.set(id, (part = { key: operation.key, keyOperations: [] }))
    part.keyOperations.push(operation)
  }
  const parts = [...byKey.values()]
  if (!model.perKey && parts.length > 1) {
    const named = parts.slice(0, 3).map((p) => JSON.stringify(p.key)).join(', ')
    throw new InputError(`the history has ${parts.length} keys (${named}${parts.length > 3 ? ', ...' : ''}); --model ${model.name} is one register: use --model kv for one register per key`)
  }
  return parts
}

/** Values as small integers (null is 0, the initial state); 1 and "1" are different values. */
class ValueIds {
  private readonly ids = new Map<string, number>([['null', NULL_VALUE]])
  id(value: Scalar | undefined): number {
    const text = JSON.stringify(value ?? null)
    let id = this.ids.get(text)
    if (id === undefined) this.ids.set(text, (id = this.ids.size))
    return id
  }
  timed(operation: Operation): TimedOperation {
    const pair = operation.f === 'cas' ? (operation.value as [Scalar, Scalar]) : null
    return {
      f: operation.f,
      input: pair ? this.id(pair[0]) : operation.f === 'write' ? this.id(operation.value as Scalar) : 0,
      input2: pair ? this.id(pair[1]) : 0,
      output: operation.f === 'read' && operation.status === 'ok' ? this.id(operation.output) : 0,
      call: operation.invokeIndex,
      return: operation.status === 'ok' ? operation.completeIndex! : Infinity,
    }
  }
}

function isHistory(value: unknown): value is History {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as History).operations)
}
