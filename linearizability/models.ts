// The sequential specifications a history is checked against. Each is a register (or a set of
// them) whose state is one value; values are interned as small integers so that the search
// compares and hashes numbers. A register that was never written holds null: a read of a
// never-written register (or key) returns null.

import { InputError } from '../checker/errors.js'
import type { OperationName } from './history.js'

export type ModelName = 'register' | 'cas-register' | 'kv'
export const modelNames: readonly ModelName[] = ['register', 'cas-register', 'kv']

/** Interned value id of null: every register's initial state. */
export const NULL_VALUE = 0

/** An operation as the search sees it: values interned, times as event positions. */
export interface SearchOperation {
  f: OperationName
  /** write: the value; cas: the expected value; read: unused. */
  input: number
  /** cas: the new value; otherwise unused. */
  input2: number
  /** read: the value returned. */
  output: number
}

export interface SequentialModel {
  name: ModelName
  summary: string
  /** The operations it defines; any other is bad input. */
  operations: readonly OperationName[]
  /** kv: each key is its own register, checked alone (linearizability is compositional). */
  perKey: boolean
  /** The state after `operation` from `state`, or -1 if the operation cannot happen there
   * (a read of another value, a cas whose expected value is not the current one). */
  step(state: number, operation: SearchOperation): number
}

function registerStep(state: number, operation: SearchOperation): number {
  switch (operation.f) {
    case 'read': return operation.output === state ? state : -1
    case 'write': return operation.input
    case 'cas': return state === operation.input ? operation.input2 : -1
  }
}

export const models: Record<ModelName, SequentialModel> = {
  register: { name: 'register', summary: 'one register: read and write', operations: ['read', 'write'], perKey: false, step: registerStep },
  'cas-register': { name: 'cas-register', summary: 'one register: read, write and compare-and-set', operations: ['read', 'write', 'cas'], perKey: false, step: registerStep },
  kv: { name: 'kv', summary: 'a map of independent registers, one per key: read, write and compare-and-set', operations: ['read', 'write', 'cas'], perKey: true, step: registerStep },
}

export function modelNamed(name: string): SequentialModel {
  if (!(modelNames as readonly string[]).includes(name)) throw new InputError(`unknown model '${name}': register, cas-register or kv`)
  return models[name as ModelName]
}
