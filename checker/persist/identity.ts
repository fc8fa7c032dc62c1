// What a checkpoint must match to be recovered: the same model (and, for a model file, the
// same source), params, bug, property selection, search options that change which states
// are stored (symmetry, deadlock checking) and the same protocheck version. The state layout,
// the actions and the initial states' fingerprints are recorded too: they catch a model that
// changed while keeping its name.

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fingerprint, fingerprintOut } from '../fingerprint.js'
import type { Instance } from '../instance.js'
import { sourceOf } from '../load.js'
import type { SearchOptions } from '../search.js'

export interface CheckIdentity {
  protocheck: string
  model: string
  /** SHA-256 of the model's module file, or null for a model built in code. */
  modelSource: string | null
  params: Record<string, number>
  bug: string | null
  properties: string[]
  symmetry: string[] | null
  deadlock: boolean
  stateWords: number
  actions: string[]
  initialFingerprints: string[]
}

export function checkIdentity(instance: Instance, options: SearchOptions, toolVersion: string): CheckIdentity {
  const source = sourceOf(instance.model)
  const initialFingerprints: string[] = []
  instance.initial((_ordinal, _action, _picks, state) => {
    fingerprint(state, 0, instance.words)
    initialFingerprints.push(`${(fingerprintOut[1] >>> 0).toString(16)}:${(fingerprintOut[0] >>> 0).toString(16)}`)
  })
  return {
    protocheck: toolVersion,
    model: instance.model.name,
    modelSource: source ? createHash('sha256').update(readFileSync(fileURLToPath(source))).digest('hex') : null,
    params: instance.config.params,
    bug: instance.config.bug ?? null,
    properties: [...instance.invariants, ...instance.reachables].map((p) => p.name),
    symmetry: options.symmetry ? [...options.symmetry.roles] : null,
    deadlock: options.checkDeadlock ?? true,
    stateWords: instance.words,
    actions: [...instance.actionNames],
    initialFingerprints,
  }
}

const describe: Record<keyof CheckIdentity, string> = {
  protocheck: 'protocheck version',
  model: 'model',
  modelSource: "model file's content",
  params: 'params',
  bug: 'bug',
  properties: 'properties checked',
  symmetry: 'symmetry',
  deadlock: 'deadlock checking',
  stateWords: 'state layout',
  actions: 'actions',
  initialFingerprints: 'initial states',
}

/** Why a checkpoint made for `saved` cannot continue the check `current`, or null if it can. */
export function identityMismatch(saved: CheckIdentity, current: CheckIdentity): string | null {
  for (const key of Object.keys(describe) as (keyof CheckIdentity)[]) {
    const was = JSON.stringify(saved[key])
    const is = JSON.stringify(current[key])
    if (was !== is) return `it was made with ${describe[key]} ${shorten(was)}, this check has ${shorten(is)}`
  }
  return null
}

const shorten = (json: string | undefined) => (json === undefined ? 'none' : json.length > 80 ? `${json.slice(0, 77)}...` : json)
