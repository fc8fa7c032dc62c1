// `protocheck check specs/` (a folder, or spec files): load every spec first, so that bad input
// stops the run before anything is checked; then check them one by one, printing a table row
// as each finishes (or the JSON array of reports), and write JUnit XML for CI.

import { basename, dirname, join } from 'node:path'
import { failureMessage, writeJunitFile } from './junit.js'
import { formatExpectation, loadSpec, runSpec, specFiles, type LoadedSpec, type SpecReport } from './specs.js'

export interface SpecRunOptions {
  json: boolean
  /** Write JUnit XML here. */
  junit?: string
  /** Write counterexamples here (default: next to the JUnit file). */
  outDir?: string
  /** Polled during each check; a reason stops the run after the spec being checked, which
   * ends `incomplete`; the rest are not run (exit 3). */
  interruption?: () => string | null
}

/** Exit 0 only if every verdict was the expected one, 1 otherwise, 3 if interrupted. */
export async function checkSpecs(targets: readonly string[], options: SpecRunOptions): Promise<number> {
  const loaded: LoadedSpec[] = []
  for (const file of specFiles(targets)) loaded.push(await loadSpec(file))
  // Counterexamples go in a folder of their own next to the JUnit file (out.xml -> out-traces/),
  // never loose beside it, where they could land among a repository's sources.
  const traceDir = options.outDir ?? (options.junit ? join(dirname(options.junit), `${basename(options.junit).replace(/\.xml$/, '')}-traces`) : undefined)
  const width = Math.max(4, ...loaded.map((l) => l.spec.name.length))
  const expectedWidth = Math.max(8, ...loaded.map((l) => formatExpectation(l.spec.expect).length))
  const row = (name: string, expected: string, got: string, distinct: string, seconds: string, status: string) =>
    `${name.padEnd(width)}  ${expected.padEnd(expectedWidth)}  ${got.padEnd(expectedWidth)}  ${distinct.padStart(11)}  ${seconds.padStart(8)}  ${status}`.trimEnd()
  const print = (line: string) => {
    if (!options.json) process.stdout.write(line + '\n')
  }
  print(row('spec', 'expected', 'got', 'distinct', 'seconds', ''))
  const reports: SpecReport[] = []
  let interrupted: string | null = null
  for (const l of loaded) {
    const r = await runSpec(l, traceDir, options.interruption)
    interrupted = options.interruption?.() ?? null
    reports.push(r)
    const status = (r.passed ? 'ok' : 'FAILED') + (r.replay?.reproduced ? ', reproduced in code' : '')
    print(row(r.spec, formatExpectation(r.expected), formatExpectation(r), r.distinctStates.toLocaleString('en-US'), r.seconds.toFixed(2), status))
    if (interrupted) break
  }
  const failed = reports.filter((r) => !r.passed)
  // The summary is printed even when the JUnit file cannot be written.
  let junitError: string | null = null
  if (options.junit) {
    try {
      writeJunitFile(options.junit, reports)
    } catch (e) {
      junitError = `cannot write the JUnit XML to ${options.junit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`
    }
  }
  if (options.json) {
    process.stdout.write(JSON.stringify(reports) + '\n')
  } else {
    print('')
    for (const r of failed) print(`FAILED ${r.spec} (${r.file}): ${failureMessage(r)}`)
    if (interrupted) print(`${interrupted}: ${loaded.length - reports.length} of ${loaded.length} specs not run`)
    print(`${reports.length} specs: ${reports.length - failed.length} as expected, ${failed.length} not`)
    if (options.junit && !junitError) print(`JUnit XML written to ${options.junit}`)
  }
  if (junitError) {
    process.stderr.write(`protocheck: ${junitError}\n`)
    return 2
  }
  if (interrupted) return 3
  return failed.length === 0 ? 0 : 1
}
