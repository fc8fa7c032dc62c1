// `protocheck list [--json]`: the models, their params (defaults and ranges), properties, the
// roles --symmetry may rename, and bugs.

import type { CommandModule } from 'yargs'
import { Instance } from '../checker/instance.js'
import { paramsJsonSchema } from '../checker/params.js'
import { builtInModels, loadModel } from '../api/load.js'
import type { Model } from '../checker/model.js'
import { handled } from './errors.js'

export function modelListing(models: readonly Model[]) {
  return models.map((model) => {
    // Properties are declared per configuration; the default one names them.
    const instance = Instance.create(model)
    return {
      name: model.name,
      summary: model.summary,
      params: paramsJsonSchema(model.params).properties,
      properties: instance.allProperties.map((p) => ({ name: p.name, kind: p.kind })),
      actions: instance.actionNames,
      /** Node-id roles whose ids are interchangeable: what --symmetry reduces. */
      symmetric: instance.protocol.symmetric ?? [],
      bugs: Object.entries(model.bugs).map(([name, description]) => ({ name, description })),
    }
  })
}

export const listCommand: CommandModule<object, { json: boolean; models: string[] }> = {
  command: 'list [models..]',
  describe: 'List the models with their params, properties and bugs',
  builder: (y) =>
    y
      .positional('models', { type: 'string', array: true, default: [], describe: 'model names or module paths (default: the built-in models)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }),
  handler: handled(async ({ json, models }) => {
    const listing = modelListing(models.length ? await Promise.all(models.map((m) => loadModel(m))) : await builtInModels())
    if (json) {
      process.stdout.write(JSON.stringify({ models: listing }, null, 2) + '\n')
      return 0
    }
    for (const m of listing) {
      const lines = [`${m.name}: ${m.summary}`]
      for (const [name, p] of Object.entries(m.params)) {
        lines.push(`  --param ${name}=N   ${p.description} (default ${p.default}, ${p.minimum}..${p.maximum})`)
      }
      lines.push(`  properties: ${m.properties.map((p) => `${p.name} (${p.kind})`).join(', ')}`)
      if (m.symmetric.length) lines.push(`  --symmetry: ${m.symmetric.join(', ')} ids are interchangeable`)
      for (const b of m.bugs) lines.push(`  --bug ${b.name}: ${b.description}`)
      process.stdout.write(lines.join('\n') + '\n\n')
    }
    return 0
  }),
}
