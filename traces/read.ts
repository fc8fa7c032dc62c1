// Reading ITF traces back: from a file to a validated ItfTrace (any tool's trace, Quint's
// included), and from a protocheck trace to the model's own terms (packed state words,
// plain picks) so that replay, minimisation and the viewer work on exactly what the
// checker found. Every problem is an InputError: one line, naming the file and the place.

import { readFileSync } from 'node:fs'
import { InputError } from '../checker/errors.js'
import { Instance } from '../checker/instance.js'
import type { Step } from '../checker/path.js'
import { SchemaError, valueFromItf, valueToItf } from '../checker/schema.js'
import { ACTION_TAKEN, NONDET_PICKS, type ItfTrace } from './itf.js'
import { itfProblem } from './validate.js'
import { formatValue } from './show/values.js'

/** Read and validate an ITF trace file: JSON, the ITF schema, states in order 0..n-1, every
 * declared variable in every state. */
export function readTraceFile(path: string): ItfTrace {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputError(`cannot read trace ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new InputError(`${path} is not JSON: ${(e as Error).message}`)
  }
  const problem = traceProblem(json)
  if (problem) throw new InputError(`${path} is not an ITF trace: ${problem}`)
  return json as ItfTrace
}

/** What the JSON Schema cannot say: at least one state, the order of states, and that each
 * has every variable. */
export function traceProblem(json: unknown): string | null {
  // Validating is recursive: refuse what would overflow the stack before it starts.
  if (nestingDepth(json) > MAX_NESTING) return `nested more than ${MAX_NESTING} levels deep`
  const problem = itfProblem(json)
  if (problem) return problem
  const trace = json as ItfTrace
  // A behaviour has at least its initial state; nothing can be shown or replayed of none.
  if (trace.states.length === 0) return 'at /states: no states (a trace starts with its initial state)'
  if (trace.loop !== undefined && trace.loop >= trace.states.length) return `at /loop: ${trace.loop} is past the last state (${trace.states.length - 1})`
  for (let i = 0; i < trace.states.length; i++) {
    const state = trace.states[i]
    const index = state['#meta'].index
    if (index !== i) return `states out of order: /states/${i} has #meta.index ${index}, expected ${i}`
    const missing = trace.vars.find((v) => !(v in state))
    if (missing !== undefined) return `at /states/${i}: missing variable "${missing}" (listed in vars)`
  }
  return null
}

/** Each state of a protocheck trace in the model's terms: its action, its picks as plain
 * values of the action's declared pick types (node ids as numbers), and its packed words. */
export function decodeTrace(instance: Instance, trace: ItfTrace): Step[] {
  const { schema, protocol, model } = instance
  const expected = new Set([...schema.variables, ACTION_TAKEN, NONDET_PICKS])
  const stranger = trace.vars.find((v) => !expected.has(v))
  if (stranger !== undefined) throw new InputError(`the trace has variable '${stranger}', which ${model.name} does not declare`)
  const absent = [...expected].find((v) => !trace.vars.includes(v))
  if (absent !== undefined) throw new InputError(`the trace lacks variable '${absent}' of ${model.name}`)

  return trace.states.map((itf, index) => {
    const where = `state ${index}`
    const action = itf[ACTION_TAKEN]
    if (typeof action !== 'string') throw new InputError(`${where}: ${ACTION_TAKEN} is not a string`)
    if (index === 0 ? action !== 'init' : !(action in protocol.actions)) {
      const allowed = index === 0 ? `'init'` : `one of ${Object.keys(protocol.actions).join(', ')}`
      throw new InputError(`${where}: action '${action}' is not ${allowed} (${model.name})`)
    }
    const pickTypes = index === 0 ? {} : protocol.actions[action]
    const given = (itf[NONDET_PICKS] ?? {}) as Record<string, unknown>
    const extra = Object.keys(given).find((name) => !(name in pickTypes))
    if (extra !== undefined) throw new InputError(`${where}: ${action} has no pick '${extra}'`)
    try {
      const picks: Record<string, unknown> = {}
      for (const [name, type] of Object.entries(pickTypes)) {
        if (!(name in given)) throw new SchemaError(`${action} needs pick '${name}'`)
        picks[name] = valueFromItf(type, given[name], `pick ${name}`)
      }
      const state = schema.encode(schema.fromItf(itf, 'variable'))
      return { action, picks: Object.freeze(picks), state }
    } catch (e) {
      if (e instanceof SchemaError) throw new InputError(`${where} does not fit ${instance.describe()}: ${e.message}`)
      throw e
    }
  })
}

/** Whether decoded steps are a path of the model as it is now: the first state one of its
 * initial states, and each step's action, with its picks, enabled in the state before and
 * leading to the state after. Null if so, else what is wrong with the first bad step (a
 * trace from an older version of the model, or edited by hand). */
export function stepProblem(instance: Instance, steps: readonly Step[], loop?: number): string | null {
  const equal = (a: Uint32Array, b: Uint32Array) => a.every((w, k) => w === b[k])
  // A lasso's last state steps back to state `loop` (ITF): by a step of the model, or by a
  // stutter when the two are equal (protocheck writes its cycles so that the last state is
  // the one before `loop`; other tools repeat the loop's first state at the end).
  if (loop !== undefined) {
    const last = steps[steps.length - 1].state
    const back = steps[loop].state
    let closes = equal(last, back)
    if (!closes) instance.successors(last, 0, (_o, _a, _p, successor) => (closes ||= equal(successor, back)))
    if (!closes) return `the loop does not close: no step leads from the last state (${steps.length - 1}) back to state ${loop}`
  }
  let initial = false
  instance.initial((_ordinal, _action, _picks, state) => {
    initial ||= equal(state, steps[0].state)
  })
  if (!initial) return `state 0 is not an initial state of ${instance.describe()}`
  for (let i = 1; i < steps.length; i++) {
    const { action, picks, state } = steps[i]
    const samePicks = (given: Readonly<Record<string, unknown>>) => JSON.stringify(given) === JSON.stringify(picks)
    let enabled = false
    let leads = false
    instance.successors(steps[i - 1].state, 0, (_ordinal, index, given, successor) => {
      if (instance.actionNames[index] !== action || !samePicks(given)) return
      enabled = true
      leads ||= equal(successor, state)
    })
    // Picks as the trace writes them (rm2, not the 0-based number the model uses).
    const types = instance.protocol.actions[action] ?? {}
    const args = Object.entries(picks).map(([name, v]) => `${name}=${formatValue(valueToItf(types[name], v))}`)
    const label = args.length ? `${action}(${args.join(', ')})` : action
    if (!enabled) return `step ${i}: ${label} is not enabled in state ${i - 1} of ${instance.describe()}`
    if (!leads) return `step ${i}: ${label} from state ${i - 1} does not lead to state ${i} in ${instance.describe()}`
  }
  return null
}

/** Deeper than any value a model's schema can declare. */
const MAX_NESTING = 256

/** How deep arrays and objects nest in `json`, counted without recursion. */
function nestingDepth(json: unknown): number {
  let deepest = 0
  const pending: [unknown, number][] = [[json, 0]]
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!
    if (typeof value !== 'object' || value === null) continue
    deepest = Math.max(deepest, depth + 1)
    if (deepest > MAX_NESTING) return deepest
    for (const child of Array.isArray(value) ? value : Object.values(value)) pending.push([child, depth + 1])
  }
  return deepest
}

/** The steps of a recorded trace, once it is known to be of this model, bug and params and
 * still a path of the model; otherwise an InputError saying which of these it is not. */
export function recordedPath(instance: Instance, trace: ItfTrace): Step[] {
  const meta = trace['#meta'] ?? {}
  if (meta.model !== undefined && meta.model !== instance.model.name) {
    throw new InputError(`the trace is of ${meta.model}, not ${instance.model.name}`)
  }
  if ((meta.bug ?? undefined) !== instance.config.bug) {
    const bug = (name: unknown) => (name ? `bug ${name}` : 'no bug')
    throw new InputError(`the trace was written with ${bug(meta.bug)}, but this check has ${bug(instance.config.bug)}`)
  }
  const configured = instance.config.params
  // A param the trace does not record (one added to the model after the trace was written)
  // counts with its default.
  const recorded = meta.params ? { ...defaultParams(instance), ...meta.params } : undefined
  if (recorded && Object.keys({ ...recorded, ...configured }).some((k) => recorded[k] !== configured[k])) {
    throw new InputError(`the trace was written for ${formatParams(meta.params!)}, but this check has ${formatParams(configured)}`)
  }
  const steps = decodeTrace(instance, trace)
  if (steps.length === 0) throw new InputError('the trace has no states')
  const problem = stepProblem(instance, steps, trace.loop)
  if (problem) throw new InputError(`the trace is no longer a path of the model: ${problem}`)
  return steps
}

/** A recorded path to start from (a spec's or conform's `from`, a trace or its file): as
 * recordedPath, and ending inside the model's constraint, since nothing is explored from a
 * state outside it. A problem is one line starting with `label` (where the path was named). */
export function recordedStart(instance: Instance, from: string | ItfTrace, label: string): Step[] {
  try {
    const steps = recordedPath(instance, typeof from === 'string' ? readTraceFile(from) : from)
    const last = steps.at(-1)!.state
    if (instance.protocol.within && !instance.protocol.within(instance.schema.view(last) as never)) {
      throw new InputError("its last state is outside the model's constraint (within), so nothing starts there")
    }
    return steps
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${label}: ${e.message}`)
    throw e
  }
}

const formatParams = (params: Record<string, number>) =>
  Object.entries(params)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')

function defaultParams(instance: Instance): Record<string, number> {
  return Object.fromEntries(Object.entries(instance.model.params).map(([name, p]) => [name, p.default]))
}
