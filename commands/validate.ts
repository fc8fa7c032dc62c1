// `protocheck validate <model> --log run.ndjson`: does some behaviour of the model explain
// the event log of a real run? Exit 0 conforms, 1 an event no behaviour explains (named with
// its line), 2 bad input, 3 incomplete (the search gave up). The longest explained prefix is
// written as an ITF trace for `show --html`.

import type { Argv, CommandModule } from 'yargs'
import { validate } from '../api/validate.js'
import { writeTraceFile } from '../traces/itf.js'
import { handled } from './errors.js'
import { parseParamArgs, wholeNumber } from './options.js'

interface ValidateArgs {
  model: string
  log: string
  param: string[]
  bug?: string
  unlogged?: string
  'max-unlogged'?: number
  'max-frontier'?: number
  out?: string
  json: boolean
}

export const EXIT_CONFORMS = 0
export const EXIT_REJECTED = 1
export const EXIT_INCOMPLETE = 3

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate <model>',
  describe: 'Check that a real run\'s event log (NDJSON, docs/log-format.md) is explained by some behaviour of the model',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'model name or module path (./my-model.ts)' })
      .option('log', { type: 'string', demandOption: true, describe: 'the event log (NDJSON: a header line, then one event per line)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'set a model param (overrides the log header\'s): --param maxTerm=20' })
      .option('bug', { type: 'string', describe: 'validate against the model with this bug switch on' })
      .option('unlogged', { type: 'string', describe: 'actions that may happen without a line, comma-separated (default: the header\'s "unlogged")' })
      .option('max-unlogged', { type: 'number', describe: 'most unlogged steps before one event (default: the header\'s, else 1 when any action is unlogged)' })
      .option('max-frontier', { type: 'number', describe: 'give up (exit 3) when more model states than this explain a prefix (default 100000)' })
      .option('out', { type: 'string', describe: 'write the explained behaviour as ITF here (default: validate-<model>.itf.json when the log is rejected; none when it conforms)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' }) as Argv<ValidateArgs>,
  handler: handled(async (args) => {
    const unlogged = args.unlogged === undefined ? undefined : args.unlogged.split(',').map((a) => a.trim()).filter(Boolean)
    const maxUnlogged = args['max-unlogged'] === undefined ? undefined : wholeNumber('max-unlogged', args['max-unlogged'], 0)
    const maxFrontier = args['max-frontier'] === undefined ? undefined : wholeNumber('max-frontier', args['max-frontier'])
    const progress = !args.json && process.stderr.isTTY
    const outcome = await validate(args.model, args.log, {
      params: parseParamArgs(args.param),
      bug: args.bug,
      unlogged,
      maxUnlogged,
      maxFrontier,
      onProgress: progress ? (n, f) => process.stderr.write(`\r${n} events explained, frontier ${f}   `) : undefined,
    })
    if (progress) process.stderr.write('\r\x1b[K')
    const { report, instance } = outcome
    // The explained prefix is what a rejection is read with: written by default then. A log that
    // conforms is explained whole, and a long run's trace is large (every state in full):
    // written only when asked for with --out.
    const traceFile = args.out ?? (report.result === 'conforms' ? null : `validate-${instance.model.name}.itf.json`)
    if (traceFile !== null) {
      writeTraceFile(traceFile, outcome.trace)
      report.traceFile = traceFile
    }
    if (args.json) {
      process.stdout.write(JSON.stringify(report) + '\n')
    } else {
      const lines = [`validating ${args.log} (${report.events} events) against ${instance.describe()}${report.unlogged.length ? `, unlogged ${report.unlogged.join(', ')} (at most ${report.maxUnlogged} before an event)` : ''}`]
      const rate = `${report.seconds.toFixed(2)} s, ${Math.round(report.eventsPerSecond).toLocaleString('en-US')} events/s, frontier at most ${report.maxFrontier} states`
      if (report.result === 'conforms') {
        lines.push(`conforms: some behaviour of the model explains all ${report.events} events (${rate})`)
      } else if (report.unexplained) {
        const u = report.unexplained
        lines.push(`rejected at line ${u.line} (event ${u.index + 1} of ${report.events}${u.node ? `, on ${u.node}` : ''}): ${u.action}${Object.keys(u.picks).length ? `(${Object.entries(u.picks).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})` : ''}`)
        lines.push(`  ${u.reason}`)
        lines.push(`the first ${report.explained} events are explained (${rate})`)
      } else {
        lines.push(`incomplete: ${report.reason}`)
      }
      if (traceFile !== null) lines.push(`trace of the explained behaviour (${report.traceLength} states) written to ${traceFile}; view it with: protocheck show ${traceFile} --html validate.html`)
      process.stdout.write(lines.join('\n') + '\n')
    }
    return report.result === 'conforms' ? EXIT_CONFORMS : report.result === 'rejected' ? EXIT_REJECTED : EXIT_INCOMPLETE
  }),
}
