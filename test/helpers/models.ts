// The built-in models, loaded once through the same path as `protocheck check <name>`, for
// tests that look them up by name synchronously.

import { builtInModels } from '../../api/load.js'
import type { Model } from '../../checker/model.js'

export const models: readonly Model[] = await builtInModels()

export function findModel(name: string): Model {
  const model = models.find((m) => m.name === name)
  if (!model) throw new Error(`no built-in model '${name}'`)
  return model
}
