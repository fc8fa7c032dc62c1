// A step the model forbids but an implementation took, as conform finds it. It has no model
// state to record, so a trace carries it in #meta.forbiddenStep ({ action, picks } with ITF
// picks) and replay offers it to the implementation after the trace's last state.

import type { Instance } from '../checker/instance.js'
import { valueFromItf, valueToItf, type ItfValue } from '../checker/schema.js'
import { InputError } from '../checker/errors.js'

export const FORBIDDEN_STEP = 'forbiddenStep'

export function picksToItf(instance: Instance, action: string, picks: Readonly<Record<string, unknown>>): Record<string, ItfValue> {
  const types = instance.protocol.actions[action]
  return Object.fromEntries(Object.entries(types).map(([name, type]) => [name, valueToItf(type, picks[name])]))
}

/** The forbidden step a trace names, in plain picks; undefined when it names none. */
export function forbiddenStepOf(instance: Instance, meta: Record<string, unknown>): { action: string; picks: Record<string, unknown> } | undefined {
  const raw = meta[FORBIDDEN_STEP] as { action?: unknown; picks?: unknown } | undefined
  if (raw === undefined) return undefined
  const action = raw?.action
  if (typeof action !== 'string' || !(action in instance.protocol.actions)) {
    throw new InputError(`#meta.${FORBIDDEN_STEP} names no action of ${instance.model.name}`)
  }
  const given = (raw.picks ?? {}) as Record<string, unknown>
  try {
    const picks = Object.fromEntries(Object.entries(instance.protocol.actions[action]).map(([name, type]) => [name, valueFromItf(type, given[name], `#meta.${FORBIDDEN_STEP}.picks.${name}`)]))
    return { action, picks }
  } catch (e) {
    throw new InputError(`#meta.${FORBIDDEN_STEP}: ${(e as Error).message}`)
  }
}
