// `protocheck conform <model>`: random walks of the model, applied to the implementation too;
// a divergence is shrunk and written as an ITF trace that `protocheck replay` reproduces.

import type { Argv, CommandModule } from 'yargs'
import { loadDriver, loadModel } from '../api/load.js'
import { conform } from '../api/replay.js'
import { formatDivergence } from '../conformance/divergence.js'
import { DriverError } from '../conformance/driver.js'
import { tryWriteTrace } from './trace-output.js'
import { driverSource, withDriverOptions, type DriverArgs } from './driver-options.js'
import { EXIT_BAD_INPUT, handled } from './errors.js'
import { wholeNumber, parseParamArgs } from './options.js'
import { checkWritable } from '../traces/output-file.js'

interface ConformArgs extends DriverArgs {
  model: string
  runs: number
  seed?: number
  depth: number
  bug?: string
  param: string[]
  out?: string
  refusals: boolean
  swarm: boolean
  shrink: boolean
  from?: string
  json: boolean
}

export const conformCommand: CommandModule<object, ConformArgs> = {
  command: 'conform <model>',
  describe: 'Check that the implementation follows random walks of its model; shrink and save any divergence',
  builder: (y) =>
    withDriverOptions(y)
      .positional('model', { type: 'string', demandOption: true, describe: 'model name or module path (./my-model.ts)' })
      .option('runs', { type: 'number', default: 100, describe: 'random walks to run' })
      .option('seed', { type: 'number', describe: 'seed of the walks (default: random, printed)' })
      .option('depth', { type: 'number', default: 50, describe: 'longest walk, in steps' })
      .option('bug', { type: 'string', describe: 'switch on one of the model\'s bugs, in model and implementation' })
      .option('param', { type: 'string', array: true, default: [], describe: 'set a model param: --param rm=5' })
      .option('refusals', { type: 'boolean', default: true, describe: 'also check that the implementation refuses the steps the model forbids at the end of each walk (--no-refusals: only follow the walks)' })
      .option('swarm', { type: 'boolean', default: true, describe: 'make half the walks swarm walks, each with some actions switched off and the rest weighed at random (--no-swarm: every step equally likely)' })
      .option('shrink', { type: 'boolean', default: true, describe: 'shrink a divergence to a short walk (--no-shrink: keep the walk as found, quicker)' })
      .option('from', { type: 'string', describe: 'a recorded trace of the model that every walk follows first, to start deep in a scenario' })
      .option('out', { type: 'string', describe: 'where to write a divergence (default: conform-<model>-<seed>.itf.json)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' }) as Argv<ConformArgs>,
  handler: handled(async (args) => {
    if (args.out) checkWritable('--out', args.out)
    const model = await loadModel(args.model)
    const driver = await loadDriver(model, driverSource(args))
    const runs = wholeNumber('runs', args.runs)!
    const maxSteps = wholeNumber('depth', args.depth)!
    const seed = args.seed === undefined ? randomSeed() : wholeNumber('seed', args.seed, -(2 ** 31))!
    if (!args.json) process.stderr.write(`conform: ${runs} random walks of up to ${maxSteps} steps of ${model.name}, seed ${seed}\n`)
    const traceFileOf = (name: string) => args.out ?? `conform-${name}-${seed}.itf.json`
    let r
    try {
      r = await conform(model, { params: parseParamArgs(args.param), bug: args.bug, driver, runs, seed, maxSteps, checkRefusals: args.refusals, swarm: args.swarm, shrink: args.shrink, from: args.from })
    } catch (e) {
      // A failing driver is bad input: one line, exit 2, and the walk it failed on kept.
      if (e instanceof DriverError && e.trace) {
        const file = traceFileOf(model.name)
        const writeError = tryWriteTrace(file, e.trace)
        e.message += writeError ? `; ${writeError}` : `; the walk so far is in ${file}`
      }
      throw e
    }
    const { instance } = r
    // The verdict is printed even when the trace cannot be written.
    let traceFile: string | null = r.trace ? traceFileOf(instance.model.name) : null
    const writeError = traceFile && r.trace ? tryWriteTrace(traceFile, r.trace) : null
    if (writeError) traceFile = null
    if (args.json) {
      process.stdout.write(JSON.stringify({ model: instance.model.name, runs: r.runs, seed, result: r.result, traceFile, depth: r.depth }) + '\n')
    } else if (r.counterexample) {
      const lines = [
        `diverged ${args.shrink ? 'after shrinking to' : 'in a walk of'} ${r.counterexample.steps.length - 1} steps (run ${r.runs} of ${runs}):`,
        ...formatDivergence(r.counterexample.divergence!),
        traceFile ? `trace written to ${traceFile}; replay it with: protocheck replay ${traceFile}` : 'the trace could not be written (see below)',
        `reproduce this run with: --seed ${seed}`,
      ]
      process.stdout.write(lines.join('\n') + '\n')
    } else {
      process.stdout.write(`agree: the implementation followed all ${r.runs} walks (${r.stepsCompared} steps compared, ${r.depth.mean.toFixed(1)} steps deep on average, ${r.depth.max} at most) of ${instance.describe()}, seed ${seed}\n`)
    }
    if (writeError) {
      process.stderr.write(`protocheck: ${writeError}\n`)
      return EXIT_BAD_INPUT
    }
    return r.counterexample ? 1 : 0
  }),
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31)
}
