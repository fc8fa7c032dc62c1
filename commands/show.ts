// `protocheck show <trace.itf.json> [--html FILE]`: a counterexample (or any ITF trace, Quint's
// included) for a person to read, in the terminal or as one self-contained HTML page.

import type { Argv, CommandModule } from 'yargs'
import { decodeTrace, instanceForTrace, readTraceFile } from '../traces/read.js'
import { formatHeader, formatTrace, styleFor } from '../traces/text.js'
import { handled } from './errors.js'

interface ShowArgs {
  trace: string
  html?: string
}

export const showCommand: CommandModule<object, ShowArgs> = {
  command: 'show <trace>',
  describe: 'Show an ITF trace step by step: actions, picks, what changed, the violated property',
  builder: (y) =>
    (y as Argv)
      .positional('trace', { type: 'string', demandOption: true, describe: 'an ITF trace file (.itf.json)' })
      .option('html', { type: 'string', describe: 'also write a self-contained HTML viewer to this file' }) as Argv<ShowArgs>,
  handler: handled((args) => {
    const trace = readTraceFile(args.trace)
    // A protocheck trace names its model: make sure every state fits it before showing
    // anything, so a stale or hand-edited trace is caught here, not believed.
    if (trace['#meta']?.model !== undefined) decodeTrace(instanceForTrace(trace), trace)
    const style = styleFor(process.stdout)
    const lines = [style.bold(`${args.trace}: ${formatHeader(trace)}`), ...formatTrace(trace, style)]
    process.stdout.write(lines.join('\n') + '\n')
    return 0
  }),
}
