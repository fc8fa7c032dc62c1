// `protocheck check <model>`: exhaustive search of one model configuration;
// `protocheck check specs/` (a folder or *.json files): run spec files (commands/check-specs.ts).

import { existsSync, statSync } from 'node:fs'
import type { Argv, CommandModule } from 'yargs'
import { checkAsync, strategies } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { parseParamArgs } from '../checker/params.js'
import { checkReport, exitCodes, summaryLines } from '../checker/report.js'
import type { Progress } from '../checker/search.js'
import { Symmetry } from '../checker/symmetry.js'
import { findModel } from '../models/index.js'
import { traceFromPath, writeTraceFile } from '../traces/itf.js'
import { colors, formatTrace, plain } from '../traces/text.js'
import { InputError } from '../checker/errors.js'
import { handled } from './errors.js'
import { positiveNumber, wholeNumber } from './options.js'
import { checkSpecs } from './check-specs.js'

interface CheckArgs {
  target: string
  more: string[]
  param: string[]
  bug?: string
  strategy?: string
  'max-states'?: number
  'max-depth'?: number
  time?: number
  deadlock: boolean
  out?: string
  json: boolean
  progress?: boolean
  memory?: number
  'fp-mem'?: number
  symmetry?: boolean
  workers?: number
  junit?: string
  'out-dir'?: string
}

export const checkOptions = (y: Argv) =>
  y
    .option('param', { type: 'string', array: true, default: [], describe: 'set a model param: --param rm=5' })
    .option('bug', { type: 'string', describe: 'switch on one of the model\'s bugs' })
    .option('strategy', { type: 'string', choices: strategies, describe: 'search order (default bfs)' })
    .option('max-states', { type: 'number', describe: 'stop (incomplete) after this many distinct states' })
    .option('max-depth', { type: 'number', describe: 'do not explore past this depth (incomplete)' })
    .option('time', { type: 'number', describe: 'stop (incomplete) after this many seconds' })
    .option('deadlock', { type: 'boolean', default: true, describe: 'report deadlocks (--no-deadlock: allow them)' })
    .option('out', { type: 'string', describe: 'write the counterexample as ITF to this file' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' })
    .option('progress', { type: 'boolean', describe: 'progress on stderr every second (default: when stderr is a terminal)' })
    .option('memory', { type: 'number', describe: 'stop (incomplete) before the process would use more than this many MB' })
    .option('workers', { type: 'number', describe: 'worker threads for a parallel breadth-first search (default 1)' })
    .option('symmetry', { type: 'boolean', describe: 'one state per renaming of the node ids the model declares symmetric' })
    .option('fp-mem', { type: 'number', describe: 'MB for the visited-states table from the start (8 bytes a slot, at most 3/4 full)' })
    .option('junit', { type: 'string', describe: 'spec files: write JUnit XML (one testcase per spec) to this file' })
    .option('out-dir', { type: 'string', describe: 'spec files: write counterexamples here (default: <junit file>-traces/)' })

/** Options that configure one model's check; a spec file sets these itself. */
const modelOnlyOptions = ['param', 'bug', 'strategy', 'max-states', 'max-depth', 'time', 'out', 'progress', 'memory', 'fp-mem', 'symmetry', 'workers'] as const

/** A folder, or files ending in .json, are spec files; anything else names a model. */
const isSpecTarget = (target: string) => target.endsWith('.json') || (existsSync(target) && statSync(target).isDirectory())

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <target> [more..]',
  describe: 'Explore every reachable state of a model and check its properties, or run spec files (a folder or *.json)',
  builder: (y) =>
    checkOptions(y)
      .positional('target', { type: 'string', demandOption: true, describe: 'model name, spec file or folder of spec files' })
      .positional('more', { type: 'string', array: true, default: [], describe: 'more spec files or folders' }) as Argv<CheckArgs>,
  handler: handled(async (args) => {
    const targets = [args.target, ...args.more]
    if (targets.some(isSpecTarget)) {
      const given = modelOnlyOptions.find((o) => (o === 'param' ? args.param.length > 0 : args[o] !== undefined))
      if (given) throw new InputError(`--${given} configures a model check; spec files set their own (give a model name instead of ${targets.join(' ')})`)
      if (!args.deadlock) throw new InputError('--no-deadlock configures a model check; a spec file says "deadlock": false itself')
      return checkSpecs(targets, { json: args.json, junit: args.junit, outDir: args['out-dir'] })
    }
    if (args.more.length > 0) throw new InputError(`check takes one model name, got ${targets.join(' ')}`)
    if (args.junit || args['out-dir']) throw new InputError(`--${args.junit ? 'junit' : 'out-dir'} applies to spec files, not to a model name`)
    const strategy = args.strategy ?? 'bfs'
    const instance = Instance.create(findModel(args.target), parseParamArgs(args.param), args.bug)
    const options = {
      maxStates: wholeNumber('max-states', args['max-states']),
      maxDepth: wholeNumber('max-depth', args['max-depth']),
      timeSeconds: positiveNumber('time', args.time),
      memoryBytes: megabytes('memory', args.memory),
      fingerprintBytes: megabytes('fp-mem', args['fp-mem']),
      workers: wholeNumber('workers', args.workers),
      symmetry: args.symmetry ? new Symmetry(instance.schema, instance.protocol.symmetric ?? [], instance.model.name) : undefined,
      checkDeadlock: args.deadlock,
      onProgress: args.progress ?? process.stderr.isTTY ? printProgress : undefined,
    }
    if (!args.json) {
      const symmetry = options.symmetry ? `, symmetry over ${options.symmetry.roles.join(', ')} (${options.symmetry.permutations} renamings)` : ''
      const workers = (options.workers ?? 1) > 1 ? ` on ${options.workers} workers` : ''
      process.stderr.write(`checking ${instance.describe()} with ${strategy}${workers}${symmetry}\n`)
    }
    const result = await whileHandlingCtrlC((interruption) => checkAsync(instance, strategy, { ...options, interruption }))
    const trace = result.path && traceFromPath(instance, result.path, { result: result.result, property: result.property })
    if (args.out && trace) writeTraceFile(args.out, trace)
    const report = checkReport(instance, strategy, result, args.out && trace ? args.out : null)
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

const megabytes = (option: string, value: number | undefined) => {
  const mb = wholeNumber(option, value)
  return mb === undefined ? undefined : mb * 2 ** 20
}

/** The first Ctrl-C stops the search at its next tick, which then reports the figures so
 * far as `incomplete` (exit 3); a second one quits at once. */
async function whileHandlingCtrlC<T>(run: (interruption: () => string | null) => Promise<T>): Promise<T> {
  let interrupted: string | null = null
  const onSigint = () => {
    if (interrupted) process.exit(130)
    interrupted = 'interrupted by Ctrl-C (SIGINT)'
    process.stderr.write('\nstopping at the next tick; Ctrl-C again quits at once\n')
  }
  process.on('SIGINT', onSigint)
  try {
    return await run(() => interrupted)
  } finally {
    process.off('SIGINT', onSigint)
  }
}

function printProgress(p: Progress) {
  const mb = Math.round(process.memoryUsage().rss / 2 ** 20)
  process.stderr.write(
    `progress: states=${p.generatedStates} unique=${p.distinctStates} queue=${p.queued} depth=${p.depth} ` +
      `sec=${p.seconds.toFixed(0)} (${Math.round(p.distinctStates / p.seconds).toLocaleString('en-US')}/s) rss=${mb}MB\n`,
  )
}
