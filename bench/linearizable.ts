// `npm run bench:linearizable [-- --quick] [-- --operations N --seed S]`: how long
// `protocheck linearizable` takes on a Jepsen-style history of 100,000 operations over 50 keys
// from 16 concurrent processes (bench/linearizable-history.ts: a simulated linearizable store),
// and on the same history with one stale read injected (then the time includes cutting the
// failing key down to its smallest failing set); then the hard case, 10,000 operations of the
// 16 processes on one key (`--no-hot` leaves it out). Each history is measured in a fresh child
// process (parse, then check, with its own peak RSS), and once more end to end through the CLI.
//
// Seconds are wall-clock; on a shared machine the CPU seconds column says how much of that the
// run itself used.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkLinearizable } from '../linearizability/check.js'
import { parseHistory } from '../linearizability/history.js'
import { injectStaleRead, storeHistory } from './linearizable-history.js'

interface Measurement {
  result: string
  operations: number
  keys: number
  processes: number
  failedKeys: unknown[]
  failingSet: number | null
  shrinkChecks: number | null
  configurations: number
  parseSeconds: number
  checkSeconds: number
  cpuSeconds: number
  peakRssBytes: number
}

const self = fileURLToPath(import.meta.url)
const measureAt = process.argv.indexOf('--measure')
if (measureAt >= 0) {
  // Child: one history file, measured alone.
  const cpuBefore = process.cpuUsage()
  let started = performance.now()
  const history = parseHistory(JSON.parse(readFileSync(process.argv[measureAt + 1], 'utf8')))
  const parseSeconds = (performance.now() - started) / 1000
  started = performance.now()
  const report = checkLinearizable(history, { model: 'kv' })
  const checkSeconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const measurement: Measurement = {
    result: report.result,
    operations: report.operations,
    keys: report.keys,
    processes: report.processes,
    failedKeys: report.failedKeys,
    failingSet: report.failure?.operations.length ?? null,
    shrinkChecks: report.failure?.shrinkChecks ?? null,
    configurations: report.configurations,
    parseSeconds,
    checkSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }
  process.stdout.write(JSON.stringify(measurement) + '\n')
  process.exit(0)
}

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name)
  return at >= 0 ? Number(process.argv[at + 1]) : fallback
}
const quick = process.argv.includes('--quick')
const operations = flag('--operations', quick ? 10_000 : 100_000)
const seed = flag('--seed', 1)
const shape = { operations, keys: 50, processes: 16, seed }
const cli = fileURLToPath(new URL('../cli.js', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'protocheck-bench-linearizable-'))

/** A history and the same with a stale read injected. */
function pair(label: string, options: typeof shape) {
  const clean = storeHistory(options)
  const anomalous = structuredClone(clean)
  const anomaly = injectStaleRead(anomalous)
  const slug = label.replace(/\W+/g, '-')
  return [
    { name: label, shape: options, file: join(scratch, `${slug}.json`), events: clean, expected: 'linearizable' },
    { name: `${label}, stale read injected (key ${anomaly.key})`, shape: options, file: join(scratch, `${slug}-stale.json`), events: anomalous, expected: 'not-linearizable' },
  ]
}
const histories = [
  ...pair('simulated store', shape),
  // Not the target, but the hard case: all 16 processes on one register, 16 operations in flight on it.
  ...(process.argv.includes('--no-hot') ? [] : pair('one hot key', { ...shape, operations: Math.min(operations, 10_000), keys: 1 })),
]

const header = ['history', 'operations', 'keys', 'processes', 'result', 'failing set', 'parse s', 'check s', 'cpu s', 'peak RSS MB', 'CLI s', 'configurations']
const table: string[][] = []
try {
  for (const h of histories) {
    writeFileSync(h.file, JSON.stringify(h.events))
    process.stderr.write(`bench: ${h.name}: ${h.events.length.toLocaleString('en-US')} events\n`)
    const m: Measurement = JSON.parse(execFileSync(process.execPath, [self, '--measure', h.file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 }).trim())
    if (m.result !== h.expected) process.stderr.write(`warning: ${h.name} is ${m.result}, expected ${h.expected}\n`)
    const started = performance.now()
    const run = spawnSync(process.execPath, [cli, 'linearizable', h.file, '--model', 'kv', '--json', '--out', join(scratch, 'view.html')], { encoding: 'utf8' })
    const cliSeconds = (performance.now() - started) / 1000
    const cliResult = run.status === 0 || run.status === 1 ? JSON.parse(run.stdout).result : `exit ${run.status}`
    if (cliResult !== m.result) process.stderr.write(`warning: the CLI says ${cliResult}\n`)
    table.push([
      h.name,
      m.operations.toLocaleString('en-US'),
      String(m.keys),
      `${h.shape.processes} (${m.processes} ids)`,
      m.result,
      m.failingSet === null ? '' : `${m.failingSet} ops (${m.shrinkChecks} checks)`,
      m.parseSeconds.toFixed(2),
      m.checkSeconds.toFixed(2),
      m.cpuSeconds.toFixed(2),
      (m.peakRssBytes / 2 ** 20).toFixed(0),
      cliSeconds.toFixed(2),
      m.configurations.toLocaleString('en-US'),
    ])
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)))
const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |'
console.log(line(header))
console.log('|' + widths.map((w, i) => (i < 1 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|')
for (const row of table) console.log(line(row))
console.log(`(processes: 16 at a time; a crashed process comes back under a new id, as in Jepsen. seed ${seed})`)
