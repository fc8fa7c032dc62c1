// `protocheck replay FILE.itf.json`: replay a trace against the model's implementation.

import type { Argv, CommandModule } from 'yargs'
import { formatDivergence } from '../conformance/divergence.js'
import { replay } from '../api/replay.js'
import type { ReplayResult } from '../conformance/replay.js'
import { driverSource, withDriverOptions, type DriverArgs } from './driver-options.js'
import { handled } from './errors.js'

interface ReplayArgs extends DriverArgs {
  trace: string
  json: boolean
  model?: string
}

export const EXIT_FOLLOWED = 0
export const EXIT_DIVERGED = 1

export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay <trace>',
  describe: 'Replay an ITF trace against the runnable implementation of its model',
  builder: (y) =>
    withDriverOptions(y)
      .positional('trace', { type: 'string', demandOption: true, describe: 'an ITF trace written by protocheck' })
      .option('model', { type: 'string', describe: 'the model (name or module path) instead of the one the trace records' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' }) as Argv<ReplayArgs>,
  handler: handled(async (args) => {
    const print = (line: string) => {
      if (!args.json) process.stdout.write(line + '\n')
    }
    const r = await replay(args.trace, {
      model: args.model,
      driver: driverSource(args),
      onStart: (configuration) => print(`replaying ${args.trace} on the implementation of ${configuration}`),
      onFollowed: (step, label) => print(`step ${step} ${label}: followed`),
    })
    if (args.json) {
      const { model, steps, divergence, property, reproduced } = r
      process.stdout.write(JSON.stringify({ model, steps, divergence, property, reproduced }) + '\n')
    } else {
      process.stdout.write(summary(r).join('\n') + '\n')
    }
    return r.divergence ? EXIT_DIVERGED : EXIT_FOLLOWED
  }),
}

function summary(r: ReplayResult): string[] {
  const lines: string[] = []
  if (r.divergence) {
    lines.push(...formatDivergence(r.divergence))
    lines.push(`the implementation followed ${r.steps} of ${r.traceSteps} steps, then diverged`)
    return lines
  }
  lines.push(`the implementation followed all ${r.traceSteps} steps`)
  if (r.property === null) lines.push('the trace names no violated property: nothing to reproduce')
  else lines.push(`${r.property} on the implementation's final state: ${r.reproduced ? 'reproduced' : 'not reproduced'}`)
  return lines
}
