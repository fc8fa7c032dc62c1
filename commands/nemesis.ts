// `protocheck nemesis <system> --runs N --seed S`: Jepsen-style fault runs against a real
// cluster (nemesis/, with the system's adapter in protocols/<system>/nemesis.ts): each run
// starts a fresh cluster, runs concurrent clients under a seeded schedule of faults, checks
// the history linearizable and runs the system's final check (nothing acknowledged lost, no
// stale token accepted). Exit 0 every run passes, 1 some run failed (its history saved under
// --out), 2 bad input, 3 no run failed but some could not be carried out (a node that would
// not restart on a loaded machine).

import type { Argv, CommandModule } from 'yargs'
import { InputError } from '../checker/errors.js'
import { nemesisRun, type RunResult } from '../nemesis/run.js'
import { failureLines, noteLines, runLine, saveHistory } from '../nemesis/report.js'
import { loadNemesisSystem, nemesisSystems } from '../nemesis/system.js'
import { handled } from './errors.js'
import { positiveNumber, wholeNumber } from './options.js'

interface NemesisArgs {
  system: string
  runs: number
  seed?: number
  schedule: string
  duration: number
  bug?: string
  out: string
  json: boolean
  'read-index': boolean
}

export const nemesisCommand: CommandModule<object, NemesisArgs> = {
  command: 'nemesis <system>',
  describe: 'Fault runs against a real cluster (kill, partition, pause, clock skew) with a linearizability check',
  builder: (y) =>
    (y as Argv)
      .positional('system', { type: 'string', demandOption: true, describe: `the implementation to run: ${nemesisSystems().join(', ')}` })
      .option('runs', { type: 'number', default: 5, describe: 'how many runs, each a fresh cluster' })
      .option('seed', { type: 'number', describe: 'seed of the fault schedules and workloads (default: random, printed)' })
      .option('schedule', { type: 'string', default: 'random', describe: 'random, or a scripted probe (raft stale-read: partition the leader, write via the new one, read the old; lock-service paused-holder: a lease holder stalls before its write)' })
      .option('duration', { type: 'number', default: 3, describe: 'seconds of client load per run' })
      .option('bug', { type: 'string', describe: 'build the nodes with a bug switch (a known-bad implementation the runs should catch)' })
      .option('read-index', { type: 'boolean', default: true, describe: 'raft: leaders confirm leadership before reads (--no-read-index: local reads, stale under partition)' })
      .option('out', { type: 'string', default: 'nemesis-failures', describe: 'folder for failing histories' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON report on stdout' }) as Argv<NemesisArgs>,
  handler: handled(async (args) => {
    const name = args.system
    const system = await loadNemesisSystem(name)
    const runs = wholeNumber('runs', args.runs)!
    const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : wholeNumber('seed', args.seed, 0)!
    const durationMs = Math.round(positiveNumber('duration', args.duration)! * 1000)
    const schedules = ['random', ...(system.probes ?? [])]
    if (!schedules.includes(args.schedule)) throw new InputError(`unknown schedule '${args.schedule}' (${name} schedules: ${schedules.join(', ')})`)
    const schedule = args.schedule
    const bugs = system.bugs ?? []
    if (args.bug !== undefined && !bugs.includes(args.bug)) throw new InputError(`unknown bug '${args.bug}' for nemesis ${name} (${bugs.length ? `its bugs: ${bugs.join(', ')}` : 'it takes none'})`)
    const noReadIndex = !args['read-index']
    if (noReadIndex && !system.readIndex) throw new InputError(`--no-read-index is for raft, not ${name}`)
    const extras = `${noReadIndex ? ', no read-index' : ''}${args.bug ? `, bug ${args.bug}` : ''}`
    process.stderr.write(`nemesis ${name}: ${runs} run${runs === 1 ? '' : 's'}, seed ${seed}, schedule ${schedule}${extras}\n`)

    const began = Date.now()
    const results: RunResult[] = []
    const saved: string[] = []
    for (let run = 0; run < runs; run++) {
      const result = await nemesisRun(system, { seed, run, schedule, durationMs, bug: args.bug, noReadIndex })
      results.push(result)
      let file: string | null = null
      if (result.violation) saved.push((file = saveHistory(args.out, name, seed, result)))
      process.stderr.write([runLine(result), ...noteLines(result)].join('\n') + '\n')
      if (!result.ok) process.stderr.write([...failureLines(result), ...(file ? [`  history saved to ${file}`] : [])].join('\n') + '\n')
    }
    const failed = results.filter((r) => r.violation)
    const incomplete = results.filter((r) => !r.ok && !r.violation)
    const verdict = failed.length ? 'violation' : incomplete.length ? 'incomplete' : 'linearizable'
    const operations = results.reduce((n, r) => n + r.operations, 0)
    const seconds = (Date.now() - began) / 1000
    if (args.json) {
      process.stdout.write(
        JSON.stringify({
          system: name,
          seed,
          schedule,
          ...(system.readIndex ? { readIndex: !noReadIndex } : {}),
          bug: args.bug ?? null,
          model: system.model,
          runs,
          result: verdict,
          failedRuns: failed.map((r) => r.run),
          incompleteRuns: incomplete.map((r) => r.run),
          nonLinearizableRuns: results.filter((r) => r.linearizable !== 'linearizable').length,
          problemRuns: results.filter((r) => r.problems.length > 0).length,
          operations,
          historyFiles: saved,
          seconds,
          details: results.map((r) => ({ run: r.run, ok: r.ok, linearizable: r.linearizable, operations: r.operations, faults: r.faults, problems: r.problems, notes: r.notes, incomplete: r.incomplete, seconds: r.seconds })),
        }) + '\n',
      )
    } else {
      const rerun = `protocheck nemesis ${name} --runs ${runs} --seed ${seed}${schedule !== 'random' ? ` --schedule ${schedule}` : ''}${noReadIndex ? ' --no-read-index' : ''}${args.bug ? ` --bug ${args.bug}` : ''}`
      process.stdout.write(
        verdict === 'linearizable'
          ? `linearizable: ${runs} runs, ${operations} operations, final checks passed, ${seconds.toFixed(1)} s (seed ${seed})\n`
          : verdict === 'violation'
            ? `violation: ${failed.length} of ${runs} runs failed (runs ${failed.map((r) => r.run).join(', ')}), histories in ${args.out}/; reproduce: ${rerun}\n`
            : `incomplete: ${incomplete.length} of ${runs} runs could not be carried out (runs ${incomplete.map((r) => r.run).join(', ')}); the others passed (seed ${seed})\n`,
      )
    }
    return verdict === 'linearizable' ? 0 : verdict === 'violation' ? 1 : 3
  }),
}
