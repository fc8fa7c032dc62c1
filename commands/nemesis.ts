// `protocheck nemesis raft --runs N --seed S`: Jepsen-style fault runs against the real Raft
// key-value store (nemesis/): each run starts 3 servers, runs concurrent clients under a
// seeded schedule of crashes, partitions and pauses, and checks the history linearizable
// (model kv) and every acknowledged write committed. Exit 0 every run passes, 1 some run
// failed (its history saved under --out), 2 bad input.

import type { Argv, CommandModule } from 'yargs'
import { InputError } from '../checker/errors.js'
import { nemesisRun, type RunResult } from '../nemesis/run.js'
import { failureLines, runLine, saveHistory } from '../nemesis/report.js'
import { scheduleNames, type ScheduleName } from '../nemesis/schedule.js'
import { handled } from './errors.js'
import { positiveNumber, wholeNumber } from './options.js'

const SYSTEMS = ['raft']

interface NemesisArgs {
  system: string
  runs: number
  seed?: number
  schedule: string
  duration: number
  out: string
  json: boolean
  'read-index': boolean
}

export const nemesisCommand: CommandModule<object, NemesisArgs> = {
  command: 'nemesis <system>',
  describe: 'Fault runs against a real cluster (kill, partition, pause) with a linearizability check',
  builder: (y) =>
    (y as Argv)
      .positional('system', { type: 'string', demandOption: true, describe: `the implementation to run: ${SYSTEMS.join(', ')}` })
      .option('runs', { type: 'number', default: 5, describe: 'how many runs, each a fresh cluster' })
      .option('seed', { type: 'number', describe: 'seed of the fault schedules and workloads (default: random, printed)' })
      .option('schedule', { type: 'string', default: 'random', describe: `faults: ${scheduleNames.join(', ')} (stale-read: partition the leader, write via the new one, read the old)` })
      .option('duration', { type: 'number', default: 3, describe: 'seconds of client load per run' })
      .option('read-index', { type: 'boolean', default: true, describe: 'leaders confirm leadership before reads (--no-read-index: local reads, stale under partition)' })
      .option('out', { type: 'string', default: 'nemesis-failures', describe: 'folder for failing histories' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' }) as Argv<NemesisArgs>,
  handler: handled(async (args) => {
    if (!SYSTEMS.includes(args.system)) throw new InputError(`unknown system '${args.system}' (nemesis runs: ${SYSTEMS.join(', ')})`)
    const runs = wholeNumber('runs', args.runs)!
    const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : wholeNumber('seed', args.seed, 0)!
    const durationMs = Math.round(positiveNumber('duration', args.duration)! * 1000)
    if (!scheduleNames.includes(args.schedule as ScheduleName)) throw new InputError(`unknown schedule '${args.schedule}' (schedules: ${scheduleNames.join(', ')})`)
    const schedule = args.schedule as ScheduleName
    const noReadIndex = !args['read-index']
    process.stderr.write(`nemesis raft: ${runs} run${runs === 1 ? "" : "s"}, seed ${seed}, schedule ${schedule}${noReadIndex ? ', no read-index' : ''}\n`)

    const began = Date.now()
    const results: RunResult[] = []
    const saved: string[] = []
    for (let run = 0; run < runs; run++) {
      const result = await nemesisRun({ seed, run, schedule, noReadIndex, durationMs })
      results.push(result)
      let file: string | null = null
      if (!result.ok) saved.push((file = saveHistory(args.out, seed, result)))
      process.stderr.write(runLine(result) + '\n')
      if (!result.ok) process.stderr.write([...failureLines(result), `  history saved to ${file}`].join('\n') + '\n')
    }
    const failed = results.filter((r) => !r.ok)
    const seconds = (Date.now() - began) / 1000
    if (args.json) {
      process.stdout.write(
        JSON.stringify({
          system: args.system,
          seed,
          schedule,
          readIndex: !noReadIndex,
          runs,
          result: failed.length === 0 ? 'linearizable' : 'violation',
          failedRuns: failed.map((r) => r.run),
          nonLinearizableRuns: results.filter((r) => r.linearizable !== 'linearizable').length,
          lostWriteRuns: results.filter((r) => r.lostWrites.length > 0).length,
          operations: results.reduce((n, r) => n + r.operations, 0),
          historyFiles: saved,
          seconds,
          details: results.map((r) => ({ run: r.run, ok: r.ok, linearizable: r.linearizable, operations: r.operations, faults: r.faults, lostWrites: r.lostWrites, seconds: r.seconds })),
        }) + '\n',
      )
    } else {
      const rerun = `protocheck nemesis raft --runs ${runs} --seed ${seed}${schedule !== 'random' ? ` --schedule ${schedule}` : ''}${noReadIndex ? ' --no-read-index' : ''}`
      process.stdout.write(
        failed.length === 0
          ? `linearizable: ${runs} runs, ${results.reduce((n, r) => n + r.operations, 0)} operations, every acknowledged write present, ${seconds.toFixed(1)} s (seed ${seed})\n`
          : `violation: ${failed.length} of ${runs} runs failed (runs ${failed.map((r) => r.run).join(', ')}), histories in ${args.out}/; reproduce: ${rerun}\n`,
      )
    }
    return failed.length === 0 ? 0 : 1
  }),
}
