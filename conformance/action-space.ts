// The model's action space, as far as it can be listed: every action with every combination of
// its picks, for actions whose picks range over few values (node ids, enums, bounded ints, and
// records or unions of them). conform's refusal probe offers each of these to the implementation
// wherever the model forbids it, so that an implementation guard weaker than the model's (commit
// with all but one prepared, become leader one vote short) is offered even if no walk ever saw
// that step enabled. Actions with a larger pick space (a message of a rich union, say) are
// left out: the probe offers them with the picks seen during the walk.

import type { Instance } from '../checker/instance.js'
import { allValues, cardinality, type Type } from '../checker/schema.js'

/** Most pick combinations listed for one action: the probe replays the walk for each forbidden
 * one, so this bounds its cost. */
export const MAX_PICKS_PER_ACTION = 64

export interface ActionCall {
  action: string
  picks: Readonly<Record<string, unknown>>
}

const listed = new WeakMap<Instance, readonly ActionCall[]>()

export function enumerableActions(instance: Instance): readonly ActionCall[] {
  let calls = listed.get(instance)
  if (calls === undefined) {
    const list: ActionCall[] = []
    for (const [action, types] of Object.entries(instance.protocol.actions as Record<string, Record<string, Type>>)) {
      const fields = Object.entries(types)
      const combinations = fields.reduce((n, [, type]) => n * cardinality(type), 1)
      if (!(combinations <= MAX_PICKS_PER_ACTION) || !fields.every(([, type]) => listable(type))) continue
      for (const picks of pickCombinations(fields, {})) list.push({ action, picks })
    }
    listed.set(instance, list)
    calls = list
  }
  return calls
}

/** The types allValues enumerates: scalars, and records and unions of them. */
function listable(type: Type): boolean {
  switch (type.kind) {
    case 'enum': case 'bool': case 'int': case 'node': return true
    case 'record': return Object.values(type.fields).every(listable)
    case 'union': return Object.values(type.variants).every((fields) => Object.values(fields).every(listable))
    default: return false
  }
}

function* pickCombinations(fields: readonly [string, Type][], prefix: Record<string, unknown>): Generator<Record<string, unknown>> {
  if (fields.length === 0) {
    yield { ...prefix }
    return
  }
  const [[name, type], ...rest] = fields
  for (const value of allValues(type)) yield* pickCombinations(rest, { ...prefix, [name]: value })
}
