// Run the built CLI as a user would, capturing its output and exit code.

import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const cliPath = fileURLToPath(new URL('../../cli.js', import.meta.url))

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export function runCli(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** Run with --json and parse stdout, which must be exactly one JSON object. */
export function runCliJson(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): { code: number; report: any; stderr: string } {
  const r = runCli([...args, '--json'], options)
  let report
  try {
    report = JSON.parse(r.stdout)
  } catch {
    throw new Error(`stdout is not one JSON object (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
  return { code: r.code, report, stderr: r.stderr }
}
