// `npm run bench [-- --quick]`: exhaustive search speed and memory on two-phase commit,
// one configuration per fresh child process (so each peak RSS is its own), next to the
// hand-written successor function (the views' yardstick) and, where `spin` is installed,
// Spin on the same model (bench/promela) with the same state count.
//
// Seconds are wall-clock; on a shared machine the CPU seconds column says how much of
// that the run itself used.

import type { Configuration } from './measure.js'
import { measure, printTable, runSpin, spinAvailable, type SpinRun } from './children.js'

const quick = process.argv.includes('--quick')
// --max-rm N leaves out the bigger sizes (rm=10 takes minutes and GBs, for Spin too).
const maxRmAt = process.argv.indexOf('--max-rm')
const maxRm = maxRmAt >= 0 ? Number(process.argv[maxRmAt + 1]) : Infinity

const twoPhase = (rm: number, strategy: string, workers: number, fpMemMB?: number, symmetry = false): Configuration => ({
  model: 'two-phase-commit',
  params: { rm },
  strategy,
  workers,
  fpMemMB,
  symmetry,
})

const configurations: Configuration[] = (
  quick
    ? [twoPhase(6, 'handwritten', 1), twoPhase(6, 'bfs', 1), twoPhase(7, 'handwritten', 1), twoPhase(7, 'bfs', 1, 8), twoPhase(7, 'bfs', 2, 8), twoPhase(7, 'bfs', 1, undefined, true)]
    : [
        twoPhase(8, 'handwritten', 1, 32),
        twoPhase(8, 'bfs', 1, 32),
        twoPhase(8, 'dfs', 1, 32),
        twoPhase(9, 'handwritten', 1, 128),
        twoPhase(9, 'bfs', 1, 128),
        twoPhase(9, 'bfs', 2, 128),
        twoPhase(10, 'bfs', 1, 1024),
        // Symmetry: one state per class of renamings of the RMs (Spin has no such reduction here).
        twoPhase(10, 'bfs', 1, undefined, true),
        twoPhase(12, 'bfs', 1, undefined, true),
      ]
).filter((c) => c.params.rm <= maxRm)

/** Spin's time on the same model and size, once per size; null where spin is missing or failed. */
const spinRuns = new Map<number, SpinRun | null>()
function spin(rm: number): SpinRun | null {
  if (!spinRuns.has(rm)) spinRuns.set(rm, runSpin(rm))
  return spinRuns.get(rm)!
}

const header = ['model', 'params', 'strategy', 'workers', 'result', 'distinct states', 'seconds', 'cpu s', 'distinct/s', 'peak RSS MB', 'B/distinct', 'spin s', 'spin/ours']
const table: string[][] = []
for (const configuration of configurations) {
  process.stderr.write(`bench: ${configuration.model} ${JSON.stringify(configuration.params)} ${configuration.strategy} x${configuration.workers}\n`)
  const { measurement: m, error } = measure(configuration)
  const params =
    Object.entries(configuration.params).map(([k, v]) => `${k}=${v}`).join(' ') +
    (configuration.fpMemMB ? ` fp-mem=${configuration.fpMemMB}` : '') +
    (configuration.symmetry ? ' symmetry' : '')
  const name = configuration.strategy === 'handwritten' ? `${configuration.model} (hand-written)` : configuration.model
  if (!m) {
    table.push([name, params, configuration.strategy, String(configuration.workers), `failed: ${error}`, '', '', '', '', '', '', '', ''])
    continue
  }
  // Spin stores every state; against classes of states its time is no comparison.
  const s = configuration.model === 'two-phase-commit' && !configuration.symmetry ? spin(configuration.params.rm) : null
  if (s && s.storedStates !== m.distinctStates) {
    process.stderr.write(`warning: spin stored ${s.storedStates} states, protocheck ${m.distinctStates}\n`)
  }
  table.push([
    name,
    params,
    configuration.strategy === 'handwritten' ? 'bfs' : configuration.strategy,
    String(configuration.workers),
    m.result,
    m.distinctStates.toLocaleString('en-US'),
    m.seconds.toFixed(2),
    m.cpuSeconds.toFixed(2),
    Math.round(m.distinctStates / m.seconds).toLocaleString('en-US'),
    (m.peakRssBytes / 2 ** 20).toFixed(0),
    (m.peakRssBytes / m.distinctStates).toFixed(1),
    s ? s.seconds.toFixed(2) : configuration.symmetry ? '' : spinAvailable ? 'failed' : 'no spin',
    s ? (s.seconds / m.seconds).toFixed(2) + 'x' : '',
  ])
}

printTable(header, table, 4)
if (!spinAvailable) console.log('(spin not installed: apt-get install -y spin, for the Spin comparison)')
