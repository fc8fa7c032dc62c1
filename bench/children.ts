// Running what a benchmark compares, each in a process of its own (so each peak RSS and each
// wall time is its own): protocheck configurations through bench/measure.ts, Spin through
// bench/promela/run-spin.sh. Shared by bench/run.ts and bench/compare.ts.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Configuration, Measurement } from './measure.js'

const measureScript = fileURLToPath(new URL('./measure.js', import.meta.url))
const spinScript = fileURLToPath(new URL('../../bench/promela/run-spin.sh', import.meta.url))

export interface Row {
  configuration: Configuration
  measurement: Measurement | null
  /** Wall seconds of the whole child process (start-up and model loading included). */
  processSeconds: number
  error?: string
}

export function measure(configuration: Configuration): Row {
  const started = process.hrtime.bigint()
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9
  try {
    const out = execFileSync(process.execPath, [measureScript, JSON.stringify(configuration)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    })
    return { configuration, measurement: JSON.parse(out.trim().split('\n').at(-1)!), processSeconds: elapsed() }
  } catch (e) {
    return { configuration, measurement: null, processSeconds: elapsed(), error: (e as Error).message.split('\n')[0] }
  }
}

export interface SpinRun {
  storedStates: number
  seconds: number
  memoryMB: number
}

export function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export const spinAvailable = existsSync(spinScript) && commandExists('spin') && commandExists('gcc')

/** One Spin run of two-phase commit with `rm` resource managers; null where spin is missing or failed. */
export function runSpin(rm: number): SpinRun | null {
  if (!spinAvailable) return null
  try {
    return JSON.parse(execFileSync('bash', [spinScript, String(rm)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))
  } catch (e) {
    process.stderr.write(`spin rm=${rm} failed: ${(e as Error).message.split('\n')[0]}\n`)
    return null
  }
}

/** Print rows as a markdown table: the first `leftColumns` left-aligned, the rest right-aligned. */
export function printTable(header: string[], rows: string[][], leftColumns: number) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |'
  console.log(line(header))
  console.log('|' + widths.map((w, i) => (i < leftColumns ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|')
  for (const row of rows) console.log(line(row))
}
