// `protocheck simulate <model>`: seeded random walks (api/simulate.ts), over worker threads
// with --workers; a walk that breaks a property is minimised (checker/minimize.ts) and written
// as ITF with the seed that reproduces it.

import type { Argv, CommandModule } from 'yargs'
import { loadModel } from '../api/load.js'
import { simulate, type SimulateOptions } from '../api/simulate.js'
import type { EvaluationFailure } from '../checker/errors.js'
import { flagNames } from '../checker/options.js'
import { evaluationErrorLine } from '../checker/report.js'
import type { SimulationProgress, SimulationResult } from '../checker/simulate.js'
import { tryWriteTrace } from './trace-output.js'
import { colors, formatTrace, plain } from '../traces/show/text.js'
import { EXIT_BAD_INPUT, handled } from './errors.js'
import { exitCodes } from '../checker/report.js'
import { whileHandlingStopSignals } from './stop-signals.js'
import { parseParamArgs } from './options.js'
import { checkWritable } from '../traces/output-file.js'

interface SimulateArgs {
  model: string
  param: string[]
  bug?: string
  seed?: number
  runs: number
  depth: number
  time?: number
  workers: number
  deadlock: boolean
  minimize: boolean
  swarm: boolean
  out?: string
  json: boolean
  progress?: boolean
}

export interface SimulateReport {
  model: string
  params: Record<string, number>
  bug: string | null
  seed: number
  runs: number
  depth: number
  steps: number
  distinctStates: number
  result: SimulationResult['result']
  property: string | null
  error: EvaluationFailure | null
  /** Why fewer walks than asked were run (the time limit), or null. */
  reason: string | null
  /** The failing walk (0-based), and the command that runs exactly the walks up to it. */
  failingRun: number | null
  reproduce: string | null
  traceFile: string | null
  /** States in the trace written (after minimisation), and in the walk as found. */
  traceLength: number | null
  walkLength: number | null
  coverage: Record<string, number>
  witnessed: Record<string, boolean>
  seconds: number
}

export const simulateCommand: CommandModule<object, SimulateArgs> = {
  command: 'simulate <model>',
  describe: 'Random walks through a model, checking its invariants at every state (finds bugs, proves nothing)',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'model name or module path (./my-model.ts)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'set a model param: --param rm=5' })
      .option('bug', { type: 'string', describe: "switch on one of the model's bugs" })
      .option('seed', { type: 'number', describe: 'random seed (default: a random one, printed)' })
      .option('runs', { type: 'number', default: 1000, describe: 'how many walks' })
      .option('depth', { type: 'number', default: 100, describe: 'the most steps per walk' })
      .option('time', { type: 'number', describe: 'start no walk after this many seconds (with --runs: whichever comes first)' })
      .option('workers', { type: 'number', default: 1, describe: 'spread the walks over this many threads (same result)' })
      .option('deadlock', { type: 'boolean', default: true, describe: 'report deadlocks (--no-deadlock: a walk just ends)' })
      .option('swarm', { type: 'boolean', default: false, describe: 'swarm testing: each walk weighs actions at random, switching some off' })
      .option('minimize', { type: 'boolean', default: true, describe: 'minimise a counterexample (--no-minimize: keep the walk)' })
      .option('out', { type: 'string', describe: 'write the counterexample as ITF to this file' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' })
      .option('progress', { type: 'boolean', describe: 'progress on stderr every second (default: when stderr is a terminal)' }) as Argv<SimulateArgs>,
  handler: handled(async (args) => {
    if (args.out) checkWritable('--out', args.out)
    const model = await loadModel(args.model)
    const options: SimulateOptions = {
      params: parseParamArgs(args.param),
      bug: args.bug,
      seed: args.seed,
      runs: args.runs,
      depth: args.depth,
      timeSeconds: args.time,
      workers: args.workers,
      deadlock: args.deadlock,
      swarm: args.swarm,
      minimize: args.minimize,
      onProgress: args.progress ?? process.stderr.isTTY ? printProgress : undefined,
      onStart: args.json ? undefined : (instance, seed) => {
        const limit = args.time === undefined ? '' : `, for at most ${args.time} s`
        process.stderr.write(`simulating ${instance.describe()}: ${args.runs} walks of up to ${args.depth} steps${limit}, seed ${seed}${args.workers > 1 ? `, ${args.workers} workers` : ''}\n`)
      },
    }
    const { result, seed, trace, instance } = await whileHandlingStopSignals((interruption) => simulate(model, { ...options, interruption }, flagNames))
    const walkLength = result.path?.length ?? null
    const traceLength = trace ? trace.states.length : null
    // The verdict is printed even when the trace cannot be written.
    const writeError = args.out && trace ? tryWriteTrace(args.out, trace) : null
    const reproduce =
      result.failingRun === null
        ? null
        : ['protocheck simulate', shellWord(args.model), ...Object.entries(instance.config.params).map(([k, v]) => `--param ${k}=${v}`),
            ...(instance.config.bug ? [`--bug ${instance.config.bug}`] : []), `--seed ${seed}`, `--runs ${result.failingRun + 1}`, `--depth ${args.depth}`,
            ...(args.swarm ? ['--swarm'] : []), ...(args.deadlock ? [] : ['--no-deadlock'])].join(' ')
    const report: SimulateReport = {
      model: instance.model.name,
      params: instance.config.params,
      bug: instance.config.bug ?? null,
      seed,
      runs: result.runs,
      depth: args.depth,
      steps: result.steps,
      distinctStates: result.distinctStates,
      result: result.result,
      property: result.property,
      error: result.error,
      reason: result.reason,
      failingRun: result.failingRun,
      reproduce,
      traceFile: args.out && trace && !writeError ? args.out : null,
      traceLength,
      walkLength,
      coverage: result.coverage,
      witnessed: result.witnessed,
      seconds: Math.round(result.seconds * 1000) / 1000,
    }
    if (args.json) {
      process.stdout.write(JSON.stringify(report) + '\n')
    } else {
      const style = process.stdout.isTTY ? colors : plain
      const lines = trace ? ['counterexample:', ...formatTrace(trace, style), ''] : []
      lines.push(...simulationSummary(report))
      if (args.out && !trace) lines.push(`no trace written to ${args.out}: no walk broke anything`)
      process.stdout.write(lines.join('\n') + '\n')
    }
    if (writeError) {
      process.stderr.write(`protocheck: ${writeError}\n`)
      return EXIT_BAD_INPUT
    }
    return result.result === 'no-violation-found' ? 0 : result.result === 'incomplete' ? exitCodes.incomplete : 1
  }),
}

export function simulationSummary(r: SimulateReport): string[] {
  const lines: string[] = []
  if (r.result === 'no-violation-found') {
    const stopped = r.reason ? ` (${r.reason})` : ''
    lines.push(`result: no violation found in ${r.runs} walks${stopped} (seed ${r.seed}); a simulation proves nothing: states no walk visited may still break a property`)
  } else if (r.result === 'incomplete') {
    lines.push(`result: incomplete (${r.reason}): no violation found in the ${r.runs} walks run (seed ${r.seed})`)
  } else {
    const what = r.error
      ? `evaluation error: ${evaluationErrorLine(r.error)}`
      : r.result === 'violation' ? `violation of ${r.property}` : 'deadlock (a state where no step is enabled; --no-deadlock to allow)'
    lines.push(`result: ${what} in walk ${r.failingRun} (seed ${r.seed})`)
    lines.push(`reproduce: ${r.reproduce}`)
    if (r.traceLength !== r.walkLength) lines.push(`trace minimised from ${r.walkLength} to ${r.traceLength} states`)
  }
  lines.push(`runs=${r.runs} steps=${r.steps} unique=${r.distinctStates} sec=${r.seconds}`)
  const coverage = Object.entries(r.coverage)
  lines.push(`coverage (steps taken): ${coverage.map(([a, n]) => `${a} ${n}`).join(', ')}`)
  const never = coverage.filter(([, n]) => n === 0).map(([a]) => a)
  if (never.length && r.result === 'no-violation-found') lines.push(`warning: actions no walk took: ${never.join(', ')}`)
  const witnessed = Object.entries(r.witnessed)
  if (witnessed.length) lines.push(`sometimes: ${witnessed.map(([p, w]) => `${p} ${w ? 'witnessed' : 'not witnessed'}`).join(', ')}`)
  if (r.traceFile) lines.push(`trace written to ${r.traceFile} (${r.traceLength} states)`)
  return lines
}

function printProgress(p: SimulationProgress) {
  process.stderr.write(`progress: runs=${p.runs} steps=${p.steps} unique=${p.distinctStates} sec=${p.seconds.toFixed(0)}\n`)
}

/** A word as a POSIX shell reads it back: as is when plain, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}
