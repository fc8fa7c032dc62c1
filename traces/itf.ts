// Counterexamples and runs as ITF (Informal Trace Format, Apalache ADR-015), with Quint's
// model-based-testing variables `mbt::actionTaken` and `mbt::nondetPicks` on every state,
// so a driver can replay a trace without guessing which step was taken.

import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EvaluationFailure } from '../checker/errors.js'
import type { Instance } from '../checker/instance.js'
import { sourceOf } from '../checker/load.js'
import type { Step } from '../checker/path.js'
import { valueToItf, type ItfValue } from '../checker/schema.js'
import { writeFileAtomically } from './output-file.js'
import { itfProblem } from './validate.js'
import { toolVersion } from './version.js'

export const ACTION_TAKEN = 'mbt::actionTaken'
export const NONDET_PICKS = 'mbt::nondetPicks'

export interface ItfMeta {
  format: 'ITF'
  'format-description': string
  /** Where the model came from: its module file (protocheck writes it relative to the trace
   * file), or the model's name when it was not loaded from a file. */
  source: string
  /** protocheck's own fields; other tools' traces may lack them. */
  tool?: string
  model?: string
  params?: Record<string, number>
  bug?: string | null
  result?: string
  property?: string | null
  /** The kind of `property` (always, step, ...): a step property is broken by the last step. */
  propertyKind?: string
  /** Set when the trace ends in an evaluation error: where the model's code threw, and what. */
  error?: EvaluationFailure
  seed?: number | null
  description?: string
  [key: string]: unknown
}

export interface ItfState {
  '#meta': { index: number; [key: string]: unknown }
  [variable: string]: ItfValue | { index: number }
}

export interface ItfTrace {
  '#meta': ItfMeta
  vars: string[]
  states: ItfState[]
  /** A lasso (a liveness counterexample): the last state steps back to the state at this
   * index, forever. protocheck writes every step of the cycle, so the last state equals the
   * one before `loop`; `loop` = the last index means stuttering there forever. */
  loop?: number
}

export interface TraceFacts {
  result: string
  property: string | null
  error?: EvaluationFailure | null
  seed?: number | null
  description?: string
  /** The lasso's loop index, for a liveness counterexample. */
  loop?: number | null
}

/** An ITF trace of a path found in `instance`. */
export function traceFromPath(instance: Instance, steps: readonly Step[], facts: TraceFacts): ItfTrace {
  const { schema, protocol } = instance
  const propertyKind = instance.allProperties.find((p) => p.name === facts.property)?.kind
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source: modelSource(instance),
      tool: `protocheck ${toolVersion}`,
      model: instance.model.name,
      params: instance.config.params,
      bug: instance.config.bug ?? null,
      result: facts.result,
      property: facts.property,
      ...(propertyKind ? { propertyKind } : {}),
      ...(facts.error ? { error: facts.error } : {}),
      seed: facts.seed ?? null,
      description: facts.description ?? describe(instance, facts),
    },
    vars: [...schema.variables, ACTION_TAKEN, NONDET_PICKS],
    states: steps.map((step, index) => {
      if (step.action !== 'init') instance.checkPicks(step.action, step.picks)
      const pickTypes = step.action === 'init' ? {} : protocol.actions[step.action]
      const picks: Record<string, ItfValue> = {}
      for (const [name, type] of Object.entries(pickTypes)) picks[name] = valueToItf(type, step.picks[name])
      return {
        '#meta': { index },
        ...schema.toItf(schema.decode(step.state)),
        [ACTION_TAKEN]: step.action,
        [NONDET_PICKS]: picks,
      }
    }),
    ...(facts.loop != null ? { loop: facts.loop } : {}),
  }
}

function describe(instance: Instance, { result, property, error }: TraceFacts): string {
  if (error) return `evaluation error in ${instance.describe()}: ${error.in} ${error.name} threw: ${error.message}`
  return `${result}${property ? ` of ${property}` : ''} in ${instance.describe()}`
}

function modelSource(instance: Instance): string {
  const url = sourceOf(instance.model)
  return url ? fileURLToPath(url) : instance.model.name
}

/** Write a trace so that a crash or a full disk never leaves a half-written file behind.
 * The trace is checked against the ITF JSON Schema first: protocheck never writes a trace
 * that it (or Quint, or Apalache) could not read back. */
export function writeTraceFile(path: string, trace: ItfTrace) {
  const problem = itfProblem(trace)
  if (problem) throw new Error(`refusing to write an invalid ITF trace to ${path}: ${problem}`)
  // A model file is recorded relative to the trace, so the two can move together.
  const source = trace['#meta'].source
  const meta = isAbsolute(source) ? { ...trace['#meta'], source: relative(dirname(resolve(path)), source) || '.' } : trace['#meta']
  writeFileAtomically(path, JSON.stringify({ ...trace, '#meta': meta }, null, 1) + '\n')
}
