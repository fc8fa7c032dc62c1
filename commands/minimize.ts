// `protocheck minimize <trace.itf.json>`: cut a counterexample down to a shorter one that
// still ends in the same failure (checker/minimize.ts), and write it as ITF.

import type { Argv, CommandModule } from 'yargs'
import { InputError } from '../checker/errors.js'
import { traceFromPath, writeTraceFile } from '../traces/itf.js'
import { minimizePath, type Failure } from '../checker/minimize.js'
import { instanceForTrace } from '../api/load.js'
import { decodeTrace, readTraceFile } from '../traces/read.js'
import { colors, formatTrace, plain } from '../traces/show/text.js'
import { handled } from './errors.js'
import { checkWritable } from '../traces/output-file.js'

interface MinimizeArgs {
  trace: string
  out?: string
  json: boolean
  model?: string
}

export const minimizeCommand: CommandModule<object, MinimizeArgs> = {
  command: 'minimize <trace>',
  describe: 'Shorten a counterexample (ITF) while it still breaks the same property',
  builder: (y) =>
    y
      .positional('trace', { type: 'string', demandOption: true, describe: 'an ITF trace written by protocheck' })
      .option('out', { type: 'string', describe: 'where to write the shorter trace (default: <trace>.min.itf.json)' })
      .option('model', { type: 'string', describe: 'the model (name or module path) instead of the one the trace records' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' }) as Argv<MinimizeArgs>,
  handler: handled(async (args) => {
    const original = readTraceFile(args.trace)
    const instance = await instanceForTrace(original, { traceFile: args.trace, model: args.model })
    const meta = original['#meta']
    let failure: Failure
    if (meta.result === 'deadlock') failure = { result: 'deadlock' }
    else if (meta.result === 'violation' && typeof meta.property === 'string') failure = { result: 'violation', property: meta.property }
    else throw new InputError(`${args.trace} records no failure to keep (#meta.result is ${JSON.stringify(meta.result)}, #meta.property ${JSON.stringify(meta.property)})`)

    const out = args.out ?? args.trace.replace(/(\.itf)?\.json$/, '') + '.min.itf.json'
    checkWritable('--out', out)
    const { path, before, after, attempts } = minimizePath(instance, decodeTrace(instance, original), failure)
    const what = failure.result === 'violation' ? `violation of ${failure.property}` : 'deadlock'
    const trace = traceFromPath(instance, path, {
      result: failure.result,
      property: failure.result === 'violation' ? failure.property : null,
      seed: typeof meta.seed === 'number' ? meta.seed : null,
      description: `${what} in ${instance.describe()}, minimised from ${before} to ${after} states (${args.trace})`,
    })
    writeTraceFile(out, trace)
    if (args.json) {
      const report = { model: instance.model.name, params: instance.config.params, bug: instance.config.bug ?? null, result: failure.result, property: trace['#meta'].property, before, after, attempts, traceFile: out }
      process.stdout.write(JSON.stringify(report) + '\n')
    } else {
      const style = process.stdout.isTTY ? colors : plain
      const lines = [...formatTrace(trace, style), '', `minimised from ${before} to ${after} states (${attempts} candidates replayed)`, `trace written to ${out}`]
      process.stdout.write(lines.join('\n') + '\n')
    }
    return 0
  }),
}
