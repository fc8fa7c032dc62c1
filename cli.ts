#!/usr/bin/env node
// protocheck's command line. The contract (commands, --json shapes, exit codes) is in
// docs/design.md; each command lives in commands/<name>.ts.

import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { checkCommand } from './commands/check.js'
import { conformCommand } from './commands/conform.js'
import { EXIT_BAD_INPUT } from './commands/errors.js'
import { initCommand } from './commands/init.js'
import { linearizableCommand } from './commands/linearizable.js'
import { nemesisCommand } from './commands/nemesis.js'
import { listCommand } from './commands/list.js'
import { paxosProposeCommand } from './commands/paxos-propose.js'
import { minimizeCommand } from './commands/minimize.js'
import { replayCommand } from './commands/replay.js'
import { serveCommand } from './commands/serve.js'
import { showCommand } from './commands/show.js'
import { simulateCommand } from './commands/simulate.js'
import { validateCommand } from './commands/validate.js'

// `protocheck ... | head` closes our stdout early: the reader is done, which is no error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(process.exitCode ?? 0)
})

await yargs(hideBin(process.argv))
  .scriptName('protocheck')
  .usage('$0 <command> [options]')
  .command(initCommand)
  .command(listCommand)
  .command(checkCommand)
  .command(simulateCommand)
  .command(minimizeCommand)
  .command(replayCommand)
  .command(conformCommand)
  .command(serveCommand)
  .command(paxosProposeCommand)
  .command(showCommand)
  .command(validateCommand)
  .command(linearizableCommand)
  .command(nemesisCommand)
  .demandCommand(1, 'name a command: init, list, check, simulate, minimize, show, replay, conform, validate, linearizable, nemesis, serve, paxos-propose')
  .strict()
  .help()
  .version(false)
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .fail((message, error) => {
    // Usage mistakes: one line, no stack, exit 2.
    process.stderr.write(`protocheck: ${message ?? error?.message}\n`)
    process.exit(EXIT_BAD_INPUT)
  })
  .parseAsync()
