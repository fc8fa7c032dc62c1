// `protocheck check <model>`: exhaustive search of one model configuration.

import type { Argv, CommandModule } from 'yargs'
import { check, strategies } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { parseParamArgs } from '../checker/params.js'
import { checkReport, exitCodes, summaryLines } from '../checker/report.js'
import type { Progress } from '../checker/search.js'
import { findModel } from '../models/index.js'
import { traceFromPath, writeTraceFile } from '../traces/itf.js'
import { colors, formatTrace, plain } from '../traces/text.js'
import { handled } from './errors.js'
import { positiveNumber, wholeNumber } from './options.js'

interface CheckArgs {
  target: string
  param: string[]
  bug?: string
  strategy: string
  'max-states'?: number
  'max-depth'?: number
  time?: number
  deadlock: boolean
  out?: string
  json: boolean
  progress?: boolean
}

export const checkOptions = (y: Argv) =>
  y
    .option('param', { type: 'string', array: true, default: [], describe: 'set a model param: --param rm=5' })
    .option('bug', { type: 'string', describe: 'switch on one of the model\'s bugs' })
    .option('strategy', { type: 'string', choices: strategies, default: 'bfs', describe: 'search order' })
    .option('max-states', { type: 'number', describe: 'stop (incomplete) after this many distinct states' })
    .option('max-depth', { type: 'number', describe: 'do not explore past this depth (incomplete)' })
    .option('time', { type: 'number', describe: 'stop (incomplete) after this many seconds' })
    .option('deadlock', { type: 'boolean', default: true, describe: 'report deadlocks (--no-deadlock: allow them)' })
    .option('out', { type: 'string', describe: 'write the counterexample as ITF to this file' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' })
    .option('progress', { type: 'boolean', describe: 'progress on stderr every second (default: when stderr is a terminal)' })

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <target>',
  describe: 'Explore every reachable state of a model and check its properties',
  builder: (y) => checkOptions(y).positional('target', { type: 'string', demandOption: true, describe: 'model name' }) as Argv<CheckArgs>,
  handler: handled((args) => {
    const instance = Instance.create(findModel(args.target), parseParamArgs(args.param), args.bug)
    const options = {
      maxStates: wholeNumber('max-states', args['max-states']),
      maxDepth: wholeNumber('max-depth', args['max-depth']),
      timeSeconds: positiveNumber('time', args.time),
      checkDeadlock: args.deadlock,
      onProgress: args.progress ?? process.stderr.isTTY ? printProgress : undefined,
    }
    if (!args.json) process.stderr.write(`checking ${instance.describe()} with ${args.strategy}\n`)
    const result = check(instance, args.strategy, options)
    const trace = result.path && traceFromPath(instance, result.path, { result: result.result, property: result.property })
    if (args.out && trace) writeTraceFile(args.out, trace)
    const report = checkReport(instance, args.strategy, result, args.out && trace ? args.out : null)
    if (args.json) {
      process.stdout.write(JSON.stringify(report) + '\n')
    } else {
      const style = process.stdout.isTTY ? colors : plain
      const lines = trace ? ['counterexample:', ...formatTrace(trace, style), ''] : []
      lines.push(...summaryLines(report))
      if (args.out && !trace) lines.push(`no trace written to ${args.out}: the result is ${result.result}, there is no counterexample`)
      process.stdout.write(lines.join('\n') + '\n')
    }
    return exitCodes[result.result]
  }),
}

function printProgress(p: Progress) {
  const mb = Math.round(process.memoryUsage().rss / 2 ** 20)
  process.stderr.write(
    `progress: states=${p.generatedStates} unique=${p.distinctStates} queue=${p.queued} depth=${p.depth} ` +
      `sec=${p.seconds.toFixed(0)} (${Math.round(p.distinctStates / p.seconds).toLocaleString('en-US')}/s) rss=${mb}MB\n`,
  )
}
