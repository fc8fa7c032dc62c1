// `protocheck paxos-propose --ports P1,P2,P3 --value V --id I`: run one Paxos proposer against
// acceptors started by `protocheck serve paxos`, and print the value it learns (its own, or
// the one already chosen).

import type { Argv, CommandModule } from 'yargs'
import { InputError } from '../checker/errors.js'
import { BALLOT_STRIDE, NoQuorumError, propose } from '../protocols/paxos/impl/client.js'
import { handled } from './errors.js'
import { wholeNumber } from './options.js'

interface ProposeArgs {
  ports?: string
  port?: number
  nodes: number
  value: string
  id: number
  rounds: number
  json: boolean
}

export const paxosProposeCommand: CommandModule<object, ProposeArgs> = {
  command: 'paxos-propose',
  describe: 'Propose a value to Paxos acceptors on 127.0.0.1 and print the value chosen',
  builder: (y) =>
    y
      .option('ports', { type: 'string', describe: 'the acceptors\' ports, comma-separated' })
      .option('port', { type: 'number', describe: 'or: the first acceptor\'s port, the others following it (with --nodes)' })
      .option('nodes', { type: 'number', default: 3, describe: 'with --port: how many acceptors' })
      .option('value', { type: 'string', demandOption: true, describe: 'the value to propose' })
      .option('id', { type: 'number', demandOption: true, describe: `this proposer's id, 0..${BALLOT_STRIDE - 1}, distinct among concurrent proposers` })
      .option('rounds', { type: 'number', default: 20, describe: 'give up after this many ballots' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object: { value, ballot, rounds }' }) as Argv<ProposeArgs>,
  handler: handled(async (args) => {
    const ports = acceptorPorts(args)
    const proposerId = wholeNumber('id', args.id, 0)!
    if (proposerId >= BALLOT_STRIDE) throw new InputError(`--id must be below ${BALLOT_STRIDE}, got ${proposerId}`)
    if (args.value.length === 0 || args.value.length > 1024) throw new InputError('--value needs 1 to 1024 characters')
    try {
      const learned = await propose({
        ports,
        value: args.value,
        proposerId,
        maxRounds: wholeNumber('rounds', args.rounds)!,
        onRound: args.json ? undefined : (line) => process.stderr.write(line + '\n'),
      })
      if (args.json) process.stdout.write(JSON.stringify(learned) + '\n')
      else process.stdout.write(`learned ${learned.value} (ballot ${learned.ballot}, round ${learned.rounds})\n`)
      return 0
    } catch (e) {
      if (!(e instanceof NoQuorumError)) throw e
      process.stderr.write(`protocheck: ${e.message}\n`)
      return 1
    }
  }),
}

function acceptorPorts(args: ProposeArgs): number[] {
  if (args.ports !== undefined) {
    const ports = args.ports.split(',').map((p) => Number(p.trim()))
    if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
      throw new InputError(`--ports needs comma-separated port numbers, got '${args.ports}'`)
    }
    return ports
  }
  if (args.port === undefined) throw new InputError('name the acceptors with --ports P1,P2,... or --port P --nodes N')
  const first = wholeNumber('port', args.port)!
  const nodes = wholeNumber('nodes', args.nodes)!
  if (first + nodes - 1 > 65535) throw new InputError(`--port ${first} with --nodes ${nodes} goes past port 65535`)
  return Array.from({ length: nodes }, (_, i) => first + i)
}
