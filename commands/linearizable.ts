// `protocheck linearizable <history> --model register|cas-register|kv`: is a Jepsen-style
// history of register operations linearizable (linearizability/)? Exit 0 yes, 1 no (naming
// the key and the smallest set of operations that cannot be ordered, and writing an HTML view
// of them), 2 bad input, 3 undecided within --time.

import { basename } from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { checkLinearizable, type LinearizabilityReport } from '../linearizability/check.js'
import { describeOperation, readHistoryFile, type Operation } from '../linearizability/history.js'
import { modelNamed, modelNames, type ModelName } from '../linearizability/models.js'
import { linearizabilityHtml } from '../linearizability/view.js'
import { handled } from './errors.js'
import { positiveNumber } from './options.js'
import { checkWritable, writeFileAtomically } from '../traces/output-file.js'

interface LinearizableArgs {
  history: string
  model: ModelName
  out?: string
  json: boolean
  time?: number
}

export const linearizableCommand: CommandModule<object, LinearizableArgs> = {
  command: 'linearizable <history>',
  describe: 'Check that a Jepsen-style history of reads, writes and cas is linearizable',
  builder: (y) =>
    (y as Argv)
      .positional('history', { type: 'string', demandOption: true, describe: 'a JSON array of events {process, type, f, key, value, time}' })
      .option('model', { type: 'string', demandOption: true, describe: `the sequential model: ${modelNames.join(', ')} (kv: one register per key)` })
      .option('out', { type: 'string', describe: 'where to write the HTML view of a failure (default: <history>.linearizability.html)' })
      .option('time', { type: 'number', describe: 'give up after S seconds (exit 3: undecided)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' }) as Argv<LinearizableArgs>,
  handler: handled((args) => {
    modelNamed(args.model) // an unknown model is refused before anything is read
    const timeLimitSeconds = args.time === undefined ? undefined : positiveNumber('time', args.time)
    const out = args.out ?? args.history.replace(/\.json$/, '') + '.linearizability.html'
    // Before the search, which may take a while: a page that cannot be written is bad input now.
    checkWritable('--out', out)
    const history = readHistoryFile(args.history)
    const report = checkLinearizable(history, { model: args.model, timeLimitSeconds })

    let viewFile: string | null = null
    let viewError: string | null = null
    if (report.failure) {
      try {
        writePage(out, linearizabilityHtml(report, basename(args.history)))
        viewFile = out
      } catch (e) {
        viewError = `cannot write ${out}: ${(e as Error).message}`
      }
    }
    if (args.json) {
      process.stdout.write(JSON.stringify(jsonReport(args.history, report, viewFile, viewError)) + '\n')
    } else {
      process.stdout.write(textReport(report, viewFile).join('\n') + '\n')
    }
    // The verdict stands even if its picture could not be written; say so on stderr.
    if (viewError) process.stderr.write(`protocheck: ${viewError}\n`)
    return report.result === 'linearizable' ? 0 : report.result === 'not-linearizable' ? 1 : 3
  }),
}

function textReport(report: LinearizabilityReport, viewFile: string | null): string[] {
  const scope = `${report.operations.toLocaleString('en-US')} operations over ${report.keys} key${report.keys === 1 ? '' : 's'} (${report.processes} processes, model ${report.model}), ${report.seconds.toFixed(2)} s`
  if (report.result === 'linearizable') return [`linearizable: ${scope}`]
  if (report.result === 'unknown') return [`unknown: the time limit ran out before ${report.undecidedKeys.length} key(s) were decided (${report.undecidedKeys.map((k) => JSON.stringify(k)).join(', ')}); ${scope}`]
  const failure = report.failure!
  const keyName = failure.key === null ? 'the register' : `key ${JSON.stringify(failure.key)}`
  const lines = [
    `not linearizable: ${keyName}: these ${failure.operations.length} operations cannot be ordered` +
      (failure.minimal ? ', and each of them is needed:' : ' (the time limit stopped the shrinking: some may not be needed):'),
    ...failure.operations.map((o) => `  process ${String(o.process).padEnd(4)} ${describeOperation(o).padEnd(20)} events ${o.invokeIndex}-${o.completeIndex ?? 'never completed'}${timeText(o)}${o.status === 'ok' ? '' : ` (${o.status})`}`),
    report.failedKeys.length > 1 ? `${report.failedKeys.length} keys fail: ${report.failedKeys.map((k) => JSON.stringify(k)).join(', ')}` : null,
    scope,
    viewFile ? `HTML view written to ${viewFile}` : null,
  ]
  return lines.filter((l): l is string => l !== null)
}

function timeText(o: Operation): string {
  return o.invokeTime === null ? '' : ` (time ${o.invokeTime}-${o.completeTime ?? ''})`
}

function jsonReport(history: string, report: LinearizabilityReport, viewFile: string | null, viewError: string | null) {
  const failure = report.failure
  return {
    history,
    model: report.model,
    result: report.result,
    operations: report.operations,
    searched: report.searched,
    keys: report.keys,
    processes: report.processes,
    failedKeys: report.failedKeys,
    undecidedKeys: report.undecidedKeys,
    key: failure ? failure.key : null,
    failingOperations: failure ? failure.operations.map(({ id: _id, ...operation }) => operation) : null,
    minimal: failure ? failure.minimal : null,
    configurations: report.configurations,
    seconds: report.seconds,
    viewFile,
    viewError,
  }
}

/** Can `path` be written? Its folder must exist and be writable, and it must not be a folder. */

/** Whole or not at all, as `show --html` writes its pages. */
function writePage(path: string, html: string) {
  try {
    writeFileAtomically(path, html)
  } catch (e) {
    throw new Error((e as NodeJS.ErrnoException).code ?? (e as Error).message)
  }
}
