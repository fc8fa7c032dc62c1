// `protocheck serve <model> --nodes N --port P`: run an implementation as N node processes
// on 127.0.0.1 (ports P..P+N-1, or OS-chosen with P = 0) until interrupted; then stop them
// all, leaving no process and no port behind.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { InputError } from '../checker/errors.js'
import { ProcessCluster, freePorts } from '../runtime/launcher.js'
import { loadModel, loadServable } from '../api/load.js'
import { checkBug } from '../checker/params.js'
import { mergeEventLogs, parseEventLog } from '../conformance/event-log.js'
import { handled } from './errors.js'
import { wholeNumber } from './options.js'

interface ServeArgs {
  model: string
  nodes: number
  port: number
  data?: string
  bug?: string
  'log-events'?: string
  json: boolean
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve <model>',
  describe: 'Run the implementation as node processes on 127.0.0.1 until interrupted',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: 'model whose implementation to run (paxos, raft, zab, or a model module with serve.ts beside it)' })
      .option('nodes', { type: 'number', default: 3, describe: 'number of nodes' })
      .option('port', { type: 'number', default: 0, describe: 'first port (nodes take P, P+1, ...); 0: ports chosen by the OS' })
      .option('data', { type: 'string', describe: 'directory for the nodes\' persistent state (default: a temporary one, removed on exit)' })
      .option('bug', { type: 'string', describe: 'build the nodes with one of the model\'s bug switches' })
      .option('log-events', { type: 'string', describe: 'every node logs the events it takes; merged into this file (NDJSON, for validate) on exit' })
      .option('json', { type: 'boolean', default: false, describe: 'once ready, print one JSON object: { model, nodes: [{ name, port, pid }] }' }) as Argv<ServeArgs>,
  handler: handled(async (args) => {
    const model = await loadModel(args.model)
    const servable = await loadServable(model)
    const nodes = wholeNumber('nodes', args.nodes)!
    const basePort = wholeNumber('port', args.port, 0)!
    checkBug(model, args.bug)
    if (args.bug !== undefined && !servable.takesBug) throw new InputError(`${model.name}'s node processes take no bug switch`)
    const eventLog = args['log-events']
    if (eventLog !== undefined && !servable.eventLogHeader) throw new InputError(`${model.name}'s node processes write no event log`)
    if (basePort !== 0 && basePort + nodes - 1 > 65535) throw new InputError(`--port ${basePort} leaves no room for ${nodes} nodes below 65536`)
    const dataDir = args.data ?? mkdtempSync(join(tmpdir(), `protocheck-${model.name}-`))
    mkdirSync(dataDir, { recursive: true })
    // Each node appends to its own file (a restarted node to the same one); merged on exit.
    const eventParts = Array.from({ length: nodes }, (_, i) => join(dataDir, `${servable.nodeName(i)}.events.ndjson`))
    if (eventLog !== undefined) for (const part of eventParts) rmSync(part, { force: true })
    let stopping = false
    const log = (line: string) => process.stderr.write(line + '\n')
    // Every node's port is fixed before any starts, so that peers can be told each other's.
    const ports = basePort === 0 ? await freePorts(nodes) : Array.from({ length: nodes }, (_, i) => basePort + i)
    const cluster = await ProcessCluster.launch(
      Array.from({ length: nodes }, (_, i) => ({
        name: servable.nodeName(i),
        script: servable.script,
        args: servable.args(i, dataDir, ports, { bug: args.bug, events: eventLog === undefined ? undefined : eventParts[i] }),
        port: ports[i],
        onLog: (line: string) => log(`${servable.nodeName(i)}: ${line}`),
        onExit: (code: number | null, signal: string | null) => {
          if (!stopping) log(`${servable.nodeName(i)} exited (${signal ?? `code ${code}`})`)
        },
      })),
    ).catch((e: Error) => {
      if (!args.data) rmSync(dataDir, { recursive: true, force: true })
      throw new InputError(`cannot start ${model.name}: ${e.message}`)
    })
    const described = cluster.nodes.map((n) => ({ name: n.name, port: n.port, pid: n.pid }))
    if (args.json) {
      process.stdout.write(JSON.stringify({ model: model.name, nodes: described }) + '\n')
    } else {
      for (const n of described) process.stdout.write(`${n.name} listening on 127.0.0.1:${n.port} (pid ${n.pid})\n`)
      process.stdout.write(`ports: ${cluster.ports.join(',')}\nserving ${model.name} with ${nodes} nodes; Ctrl-C stops them\n`)
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    stopping = true
    await cluster.stop()
    if (eventLog !== undefined) {
      // Read once every node has stopped: a receive is then never without its send.
      const parts = eventParts.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : ''))
      const { events } = parseEventLog(mergeEventLogs({}, parts))
      writeFileSync(eventLog, mergeEventLogs(servable.eventLogHeader!(nodes, events, args.bug), parts))
      if (!args.json) process.stdout.write(`event log of ${events.length} events written to ${eventLog}; check it with: protocheck validate ${model.name} --log ${eventLog}\n`)
    }
    if (!args.data) rmSync(dataDir, { recursive: true, force: true })
    if (!args.json) process.stdout.write('stopped\n')
    return 0
  }),
}
