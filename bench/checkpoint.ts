// `node dist/bench/checkpoint.js [--rm N]`: what --checkpoint and --disk cost on two-phase
// commit (default rm=8, 1,745,408 states), each configuration in a process of its own so
// that its peak RSS is its own: seconds and CPU seconds against the plain in-memory search,
// peak RSS, peak disk use (the checkpoint folder, the spill folder), checkpoints written.
// The counts must be equal in every row (the script fails otherwise).
//
// The spill rows use a small --fp-mem so that the table spills many times: they show the
// cost per spill and per settled batch, not a realistic table size.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, type CheckOptions } from '../api/check.js'

interface Row {
  name: string
  options: CheckOptions
}

interface Figures {
  result: string
  distinctStates: number
  generatedStates: number
  seconds: number
  cpuSeconds: number
  peakRssMB: number
  peakDiskMB: number
  checkpoints: number
}

const at = process.argv.indexOf('--one')
if (at >= 0) {
  // Child: run one configuration, watching the folders it writes.
  const row = JSON.parse(process.argv[at + 1]) as Row
  const folders = [row.options.checkpoint, row.options.disk].filter((f): f is string => f !== undefined)
  let peakDisk = 0
  let checkpoints = 0
  const watch = setInterval(() => {
    peakDisk = Math.max(peakDisk, folders.reduce((sum, f) => sum + bytesIn(f), 0))
    const manifest = row.options.checkpoint && join(row.options.checkpoint, 'manifest.json')
    if (manifest && existsSync(manifest)) checkpoints = Math.max(checkpoints, JSON.parse(readFileSync(manifest, 'utf8')).sequence)
  }, 100)
  const cpu = process.cpuUsage()
  const { report } = await check('two-phase-commit', row.options)
  clearInterval(watch)
  const used = process.cpuUsage(cpu)
  const figures: Figures = {
    result: report.result,
    distinctStates: report.distinctStates,
    generatedStates: report.generatedStates,
    seconds: report.seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakDiskMB: Math.round(peakDisk / 2 ** 20),
    checkpoints,
  }
  process.stdout.write(JSON.stringify(figures) + '\n')
} else {
  const rmAt = process.argv.indexOf('--rm')
  const rm = rmAt >= 0 ? Number(process.argv[rmAt + 1]) : 8
  const scratch = mkdtempSync(join(tmpdir(), 'protocheck-bench-checkpoint-'))
  const params = { rm }
  const rows: Row[] = [
    { name: 'in memory', options: { params } },
    { name: '--checkpoint-every 1', options: { params, checkpoint: join(scratch, 'cp1'), checkpointEvery: 1 } },
    { name: '--checkpoint-every 5', options: { params, checkpoint: join(scratch, 'cp5'), checkpointEvery: 5 } },
    { name: '--disk, --fp-mem 4 (spills often)', options: { params, disk: join(scratch, 'disk4'), fingerprintMB: 4 } },
    { name: '--disk, --fp-mem 16', options: { params, disk: join(scratch, 'disk16'), fingerprintMB: 16 } },
  ]
  const script = fileURLToPath(import.meta.url)
  console.log(`two-phase-commit rm=${rm}, bfs, one worker; wall and CPU seconds, peak RSS, peak disk use`)
  console.log('configuration                        seconds  cpu s  vs memory  rss MB  disk MB  checkpoints  distinct')
  let baseline: Figures | null = null
  for (const row of rows) {
    const f = JSON.parse(execFileSync(process.execPath, [script, '--one', JSON.stringify(row)], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Figures
    baseline ??= f
    if (f.distinctStates !== baseline.distinctStates || f.generatedStates !== baseline.generatedStates || f.result !== baseline.result) {
      throw new Error(`${row.name}: ${f.result} ${f.distinctStates}/${f.generatedStates}, in memory ${baseline.result} ${baseline.distinctStates}/${baseline.generatedStates}`)
    }
    console.log(
      `${row.name.padEnd(36)} ${f.seconds.toFixed(1).padStart(7)} ${f.cpuSeconds.toFixed(1).padStart(6)} ${`${(f.cpuSeconds / baseline.cpuSeconds).toFixed(2)}x`.padStart(10)}` +
        ` ${String(f.peakRssMB).padStart(7)} ${String(f.peakDiskMB).padStart(8)} ${String(f.checkpoints).padStart(12)} ${f.distinctStates.toLocaleString('en-US').padStart(10)}`,
    )
  }
  rmSync(scratch, { recursive: true, force: true })
  console.log('"vs memory" compares CPU seconds (the machine may be shared). A finished check removes its checkpoint; the spill folder goes at exit.')
}

function bytesIn(path: string): number {
  if (!existsSync(path)) return 0
  const s = statSync(path)
  if (!s.isDirectory()) return s.size
  return readdirSync(path).reduce((sum, name) => sum + bytesIn(join(path, name)), 0)
}
