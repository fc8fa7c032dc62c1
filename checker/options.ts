// The one place where a check's settings, as a user gives them (the CLI's flags, a spec
// file's bounds, the library's options), become the engine's SearchOptions: whole numbers
// checked, megabytes turned into bytes, symmetry built from the model's declared roles.
// Errors name a setting the way the caller's user wrote it (`--max-states`, `maxStates`).

import { InputError } from './errors.js'
import type { Instance } from './instance.js'
import type { PersistenceOptions } from './persist/persistence.js'
import type { SearchOptions } from './search.js'
import { Symmetry } from './symmetry.js'

export interface CheckSettings {
  maxStates?: number
  maxDepth?: number
  timeSeconds?: number
  /** Stop (incomplete) before the process would use more than this many MB. */
  memoryMB?: number
  /** MB for the visited-states table from the start. */
  fingerprintMB?: number
  workers?: number
  symmetry?: boolean
  /** Report deadlocks (default true). */
  deadlock?: boolean
  /** Check the liveness properties of a default selection (default true): false checks the
   * safety properties only and names the liveness ones in the report's `unchecked`. */
  liveness?: boolean
  /** Write checkpoints of the search to this folder (breadth-first, one worker). */
  checkpoint?: string
  /** Seconds between checkpoints (default 600). */
  checkpointEvery?: number
  /** Continue the search checkpointed in this folder. */
  recover?: string
  /** Spill the visited set to this folder past the memory budget. */
  disk?: string
}

/** How a setting is called where it was given: the library's names by default. */
export type SettingName = (setting: keyof CheckSettings | 'seed' | 'runs' | 'depth') => string

export const libraryNames: SettingName = (setting) => setting
/** `maxStates` -> `--max-states`, `memoryMB` -> `--memory`, `fingerprintMB` -> `--fp-mem`, `timeSeconds` -> `--time`. */
export const flagNames: SettingName = (setting) =>
  ({ memoryMB: '--memory', fingerprintMB: '--fp-mem', timeSeconds: '--time' })[setting as string] ?? `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

export function searchOptions(instance: Instance, settings: CheckSettings, name: SettingName = libraryNames): SearchOptions {
  const megabytes = (setting: 'memoryMB' | 'fingerprintMB', maximum?: number) => {
    const mb = wholeNumber(name(setting), settings[setting], 1, maximum)
    return mb === undefined ? undefined : mb * 2 ** 20
  }
  return {
    maxStates: wholeNumber(name('maxStates'), settings.maxStates),
    maxDepth: wholeNumber(name('maxDepth'), settings.maxDepth),
    timeSeconds: positiveNumber(name('timeSeconds'), settings.timeSeconds),
    memoryBytes: megabytes('memoryMB'),
    fingerprintBytes: megabytes('fingerprintMB', MAX_FINGERPRINT_MB),
    workers: wholeNumber(name('workers'), settings.workers, 1, MAX_WORKERS),
    symmetry: settings.symmetry ? new Symmetry(instance.schema, instance.protocol.symmetric ?? [], instance.model.name) : undefined,
    checkDeadlock: settings.deadlock ?? true,
    checkLiveness: settings.liveness ?? true,
    persistence: persistenceOptions(settings, name),
  }
}

function persistenceOptions(settings: CheckSettings, name: SettingName): PersistenceOptions | undefined {
  const { checkpoint, recover, disk } = settings
  if (checkpoint === undefined && recover === undefined && disk === undefined && settings.checkpointEvery === undefined) return undefined
  for (const setting of ['checkpoint', 'recover', 'disk'] as const) {
    const value = settings[setting]
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new InputError(`${name(setting)} needs a folder, got '${String(value)}'`)
  }
  return {
    checkpointDir: checkpoint,
    checkpointEverySeconds: positiveNumber(name('checkpointEvery'), settings.checkpointEvery),
    recoverDir: recover,
    diskDir: disk,
  }
}

/** The visited table's largest size: 2^30 slots of 8 bytes (a slot's index times two must
 * stay a 32-bit integer). */
export const MAX_FINGERPRINT_MB = 8192
/** More worker threads than this only add memory and contention. */
export const MAX_WORKERS = 64

export function wholeNumber(setting: string, value: unknown, minimum = 1, maximum = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `>= ${minimum}` : `from ${minimum} to ${maximum}`
    throw new InputError(`${setting} needs a whole number ${range}, got '${String(value)}'`)
  }
  return value
}

export function positiveNumber(setting: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InputError(`${setting} needs a positive number, got '${String(value)}'`)
  }
  return value
}
