// `npm run bench [-- --quick]`: exhaustive search speed and memory on two-phase commit,
// one configuration per fresh child process (so each peak RSS is its own), next to the
// hand-written successor function (the views' yardstick) and, where `spin` is installed,
// Spin on the same model (bench/promela) with the same state count.
//
// Seconds are wall-clock; on a shared machine the CPU seconds column says how much of
// that the run itself used.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Configuration, Measurement } from './measure.js'

const quick = process.argv.includes('--quick')
// --max-rm N leaves out the bigger sizes (rm=10 takes minutes and GBs, for Spin too).
const maxRmAt = process.argv.indexOf('--max-rm')
const maxRm = maxRmAt >= 0 ? Number(process.argv[maxRmAt + 1]) : Infinity
const measureScript = fileURLToPath(new URL('./measure.js', import.meta.url))
const spinScript = fileURLToPath(new URL('../../bench/promela/run-spin.sh', import.meta.url))

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

interface Row {
  configuration: Configuration
  measurement: Measurement | null
  error?: string
}

function measure(configuration: Configuration): Row {
  try {
    const out = execFileSync(process.execPath, [measureScript, JSON.stringify(configuration)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    })
    return { configuration, measurement: JSON.parse(out.trim().split('\n').at(-1)!) }
  } catch (e) {
    return { configuration, measurement: null, error: (e as Error).message.split('\n')[0] }
  }
}

interface SpinRun {
  storedStates: number
  seconds: number
  memoryMB: number
}

/** Spin's time on the same model and size, once per size; null where spin is missing or failed. */
const spinRuns = new Map<number, SpinRun | null>()
function spin(rm: number): SpinRun | null {
  if (!spinRuns.has(rm)) {
    let run: SpinRun | null = null
    if (spinAvailable) {
      try {
        run = JSON.parse(execFileSync('bash', [spinScript, String(rm)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))
      } catch (e) {
        process.stderr.write(`spin rm=${rm} failed: ${(e as Error).message.split('\n')[0]}\n`)
      }
    }
    spinRuns.set(rm, run)
  }
  return spinRuns.get(rm)!
}
const spinAvailable = existsSync(spinScript) && commandExists('spin') && commandExists('gcc')

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
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

const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)))
const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |'
console.log(line(header))
console.log('|' + widths.map((w, i) => (i < 4 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|')
for (const row of table) console.log(line(row))
if (!spinAvailable) console.log('(spin not installed: apt-get install -y spin, for the Spin comparison)')
