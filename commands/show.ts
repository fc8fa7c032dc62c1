// `protocheck show <trace.itf.json> [--html FILE]`: a counterexample (or any ITF trace, Quint's
// included) for a person to read, in the terminal or as one self-contained HTML page.

import { basename } from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { InputError } from '../checker/errors.js'
import { traceHtml } from '../traces/show/html.js'
import { instanceForTrace } from '../api/load.js'
import { decodeTrace, readTraceFile, stepProblem } from '../traces/read.js'
import { formatHeader, formatTrace, styleFor } from '../traces/show/text.js'
import { handled } from './errors.js'
import { writeFileAtomically } from '../traces/output-file.js'

interface ShowArgs {
  trace: string
  html?: string
  model?: string
}

export const showCommand: CommandModule<object, ShowArgs> = {
  command: 'show <trace>',
  describe: 'Show an ITF trace step by step: actions, picks, what changed, the violated property',
  builder: (y) =>
    (y as Argv)
      .positional('trace', { type: 'string', demandOption: true, describe: 'an ITF trace file (.itf.json)' })
      .option('html', { type: 'string', describe: 'also write a self-contained HTML viewer to this file' })
      .option('model', { type: 'string', describe: 'the model (name or module path) instead of the one the trace records' }) as Argv<ShowArgs>,
  handler: handled(async (args) => {
    const trace = readTraceFile(args.trace)
    // A protocheck trace names its model: make sure every state fits it before showing
    // anything, so a stale or hand-edited trace is caught here, not believed.
    if (trace['#meta']?.model !== undefined) {
      const instance = await instanceForTrace(trace, { traceFile: args.trace, model: args.model })
      // Shown all the same (it may be what the user wants to inspect), but not believed silently.
      const problem = stepProblem(instance, decodeTrace(instance, trace), trace.loop)
      if (problem) process.stderr.write(`protocheck: warning: ${args.trace} is not a path of the model: ${problem}\n`)
    }
    if (args.html !== undefined) {
      writePage(args.html, traceHtml(trace, basename(args.trace)))
      process.stdout.write(`wrote the HTML viewer of ${args.trace} (${trace.states.length} states) to ${args.html}\n`)
      return 0
    }
    const style = styleFor(process.stdout)
    const lines = [style.bold(`${args.trace}: ${formatHeader(trace)}`), ...formatTrace(trace, style)]
    process.stdout.write(lines.join('\n') + '\n')
    return 0
  }),
}

/** Whole or not at all, like traces: a half-written page would look like a broken viewer. */
function writePage(path: string, html: string) {
  try {
    writeFileAtomically(path, html)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputError(`cannot write ${path}: ${code === 'ENOENT' ? 'its folder does not exist' : code ?? (e as Error).message}`)
  }
}
