// `protocheck check <model>`: exhaustive search of one model configuration;
// `protocheck check specs/` (a folder or *.json files): run spec files (commands/check-specs.ts).

import { existsSync, statSync } from 'node:fs'
import type { Argv, CommandModule } from 'yargs'
import { check, type CheckOptions } from '../api/check.js'
import { checksLiveness, strategies, type Strategy } from '../checker/check.js'
import type { Instance } from '../checker/instance.js'
import { flagNames } from '../checker/options.js'
import { exitCodes, summaryLines } from '../checker/report.js'
import type { Progress, SearchOptions } from '../checker/search.js'
import { loadModel } from '../api/load.js'
import { tryWriteTrace } from './trace-output.js'
import { colors, formatTrace, plain } from '../traces/show/text.js'
import { InputError } from '../checker/errors.js'
import { EXIT_BAD_INPUT, handled } from './errors.js'
import { parseParamArgs } from './options.js'
import { checkSpecs } from '../suite/check-specs.js'
import { whileHandlingStopSignals } from './stop-signals.js'
import { checkWritable } from '../traces/output-file.js'

interface CheckArgs {
  target: string
  more: string[]
  param: string[]
  bug?: string
  property?: string[]
  strategy?: string
  'max-states'?: number
  'max-depth'?: number
  time?: number
  deadlock: boolean
  liveness: boolean
  out?: string
  json: boolean
  progress?: boolean
  memory?: number
  'fp-mem'?: number
  symmetry?: boolean
  workers?: number
  junit?: string
  'out-dir'?: string
  checkpoint?: string
  'checkpoint-every'?: number
  recover?: string
  disk?: string
}

export const checkOptions = (y: Argv) =>
  y
    .option('param', { type: 'string', array: true, default: [], describe: 'set a model param: --param rm=5' })
    .option('bug', { type: 'string', describe: 'switch on one of the model\'s bugs' })
    .option('property', { type: 'string', array: true, describe: 'check only this property (any kind; repeat for more)' })
    .option('strategy', { type: 'string', choices: strategies, describe: 'search order (default bfs)' })
    .option('max-states', { type: 'number', describe: 'stop (incomplete) after this many distinct states' })
    .option('max-depth', { type: 'number', describe: 'do not explore past this depth (incomplete)' })
    .option('time', { type: 'number', describe: 'stop (incomplete) after this many seconds' })
    .option('deadlock', { type: 'boolean', default: true, describe: 'report deadlocks (--no-deadlock: allow them)' })
    .option('liveness', { type: 'boolean', default: true, describe: 'check liveness properties (--no-liveness: safety only; liveness records the whole state graph)' })
    .option('out', { type: 'string', describe: 'write the counterexample as ITF to this file' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' })
    .option('progress', { type: 'boolean', describe: 'progress on stderr every second (default: when stderr is a terminal)' })
    .option('memory', { type: 'number', describe: 'stop (incomplete) before the process would use more than this many MB' })
    .option('workers', { type: 'number', describe: 'worker threads for a parallel breadth-first search (default 1)' })
    .option('symmetry', { type: 'boolean', describe: 'one state per renaming of the node ids the model declares symmetric' })
    .option('fp-mem', { type: 'number', describe: 'MB for the visited-states table from the start (8 bytes a slot, at most 3/4 full)' })
    .option('checkpoint', { type: 'string', describe: 'write checkpoints of the search to this folder (bfs, one worker)' })
    .option('checkpoint-every', { type: 'number', describe: 'seconds between checkpoints (default 600)' })
    .option('recover', { type: 'string', describe: 'continue the search checkpointed in this folder' })
    .option('disk', { type: 'string', describe: 'spill the visited set to this folder past --memory' })
    .option('junit', { type: 'string', describe: 'spec files: write JUnit XML (one testcase per spec) to this file' })
    .option('out-dir', { type: 'string', describe: 'spec files: write counterexamples here (default: <junit file>-traces/)' })

/** Options that configure one model's check; a spec file sets these itself. */
const modelOnlyOptions = ['param', 'bug', 'property', 'strategy', 'max-states', 'max-depth', 'time', 'out', 'progress', 'memory', 'fp-mem', 'symmetry', 'workers', 'checkpoint', 'checkpoint-every', 'recover', 'disk'] as const

/** A folder, or files ending in .json, are spec files; anything else names a model. */
const isSpecTarget = (target: string) => target.endsWith('.json') || (existsSync(target) && statSync(target).isDirectory())

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <target> [more..]',
  describe: 'Explore every reachable state of a model and check its properties, or run spec files (a folder or *.json)',
  builder: (y) =>
    checkOptions(y)
      .positional('target', { type: 'string', demandOption: true, describe: 'model name or module path (./my-model.ts), spec file or folder of spec files' })
      .positional('more', { type: 'string', array: true, default: [], describe: 'more spec files or folders' }) as Argv<CheckArgs>,
  handler: handled(async (args) => {
    const targets = [args.target, ...args.more]
    if (targets.some(isSpecTarget)) {
      const given = modelOnlyOptions.find((o) => (o === 'param' ? args.param.length > 0 : args[o] !== undefined))
      if (given) throw new InputError(`--${given} configures a model check; spec files set their own (give a model name instead of ${targets.join(' ')})`)
      if (!args.deadlock) throw new InputError('--no-deadlock configures a model check; a spec file says "deadlock": false itself')
      if (!args.liveness) throw new InputError('--no-liveness configures a model check; a spec file selects its "properties" itself')
      if (args.junit) checkWritable('--junit', args.junit, { createFolders: true })
      if (args['out-dir']) checkWritable('--out-dir', args['out-dir'], { asFolder: true })
      return whileHandlingStopSignals((interruption) => checkSpecs(targets, { json: args.json, junit: args.junit, outDir: args['out-dir'], interruption }))
    }
    if (args.more.length > 0) throw new InputError(`check takes one model name or module path, got ${targets.join(' ')}`)
    if (args.junit || args['out-dir']) throw new InputError(`--${args.junit ? 'junit' : 'out-dir'} applies to spec files, not to a model`)
    if (args.out) checkWritable('--out', args.out)
    const model = await loadModel(args.target)
    const options: CheckOptions = {
      params: parseParamArgs(args.param),
      bug: args.bug,
      properties: args.property,
      strategy: (args.strategy ?? 'bfs') as Strategy,
      maxStates: args['max-states'],
      maxDepth: args['max-depth'],
      timeSeconds: args.time,
      memoryMB: args.memory,
      fingerprintMB: args['fp-mem'],
      workers: args.workers,
      symmetry: args.symmetry,
      deadlock: args.deadlock,
      liveness: args.liveness,
      checkpoint: args.checkpoint,
      checkpointEvery: args['checkpoint-every'],
      recover: args.recover,
      disk: args.disk,
      onProgress: args.progress ?? process.stderr.isTTY ? printProgress : undefined,
      onStart: args.json ? undefined : (instance, search) => process.stderr.write(`checking ${describeCheck(instance, search, options.strategy!)}\n`),
    }
    const { report, trace } = await whileHandlingStopSignals((interruption) => check(model, { ...options, interruption }, flagNames))
    // The verdict is printed even when the trace cannot be written.
    const writeError = args.out && trace ? tryWriteTrace(args.out, trace) : null
    if (args.out && trace && !writeError) report.traceFile = args.out
    if (args.json) {
      process.stdout.write(JSON.stringify(report) + '\n')
    } else {
      const style = process.stdout.isTTY ? colors : plain
      const lines = trace ? ['counterexample:', ...formatTrace(trace, style), ''] : []
      lines.push(...summaryLines(report))
      if (args.out && !trace) lines.push(`no trace written to ${args.out}: the result is ${report.result}, there is no counterexample`)
      process.stdout.write(lines.join('\n') + '\n')
    }
    if (writeError) {
      process.stderr.write(`protocheck: ${writeError}\n`)
      return EXIT_BAD_INPUT
    }
    return exitCodes[report.result]
  }),
}

/** `two-phase-commit rm=3 with bfs on 2 workers, symmetry over rm (6 renamings)`: what is about to be checked. */
function describeCheck(instance: Instance, search: SearchOptions, strategy: string): string {
  // A liveness check records its graph in one breadth-first search (checker/check.ts).
  const workers = (search.workers ?? 1) <= 1 ? '' : checksLiveness(instance, strategy, search) ? ` on one thread (liveness properties are checked on one thread, not ${search.workers} workers)` : ` on ${search.workers} workers`
  const symmetry = search.symmetry ? `, symmetry over ${search.symmetry.roles.join(', ')} (${search.symmetry.permutations} renamings)` : ''
  return `${instance.describe()} with ${strategy}${workers}${symmetry}`
}

function printProgress(p: Progress) {
  const mb = Math.round(process.memoryUsage().rss / 2 ** 20)
  process.stderr.write(
    `progress: states=${p.generatedStates} unique=${p.distinctStates} queue=${p.queued} depth=${p.depth} ` +
      `sec=${p.seconds.toFixed(0)} (${Math.round(p.distinctStates / p.seconds).toLocaleString('en-US')}/s) rss=${mb}MB\n`,
  )
}
