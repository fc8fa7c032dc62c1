// Every shipped model, by name. Adding a model: write models/<name>/model.ts and list it here.

import type { Model } from '../checker/model.js'
import { InputError } from '../checker/errors.js'
import lockService from './lock-service/model.js'
import paxos from './paxos/model.js'
import transactionCommit from './transaction-commit/model.js'
import twoPhaseCommit from './two-phase-commit/model.js'
import zab from './zab/model.js'

export const models: readonly Model[] = [twoPhaseCommit, transactionCommit, lockService, zab, paxos]

export function findModel(name: string): Model {
  const model = models.find((m) => m.name === name)
  if (!model) throw new InputError(`unknown model '${name}' (models: ${models.map((m) => m.name).join(', ')})`)
  return model
}
