// Runs the uvu suites in dist/test and ends with the line CI reads: `N passed, N failed`.
// Usage: node test/run.mjs [pattern]   (pattern filters test files, e.g. `schema`)
//
// Test files run in parallel lanes, one uvu process per file (PROTOCHECK_TEST_JOBS lanes,
// default: the number of cores). Much of the suite waits on real processes and TCP clusters,
// so lanes keep the cores busy. Each file's output is printed whole when it ends, so the
// output of files never interleaves.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'

// The viewer tests drive Debian's chromium. Install it where we can (root with apt-get), as
// CI does; where we cannot, say in one line what to install (the viewer tests then fail).
const CHROMIUM = '/usr/bin/chromium'
const chromiumHint = `${CHROMIUM} is missing, so the HTML viewer tests fail: install Debian's chromium (as root: apt-get install -y chromium)`
if (!existsSync(CHROMIUM) && process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
  console.log(`installing Debian's chromium for the HTML viewer tests (apt-get install -y chromium)`)
  const apt = { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }
  spawnSync('apt-get', ['update', '-qq'], apt)
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], apt)
}
if (!existsSync(CHROMIUM)) console.log(chromiumHint)

const DIR = 'dist/test'
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null
const jobs = Math.max(1, Number(process.env.PROTOCHECK_TEST_JOBS) || availableParallelism())
// The longest files start first, so that no lane is left with a long file at the end.
const longest = ['nemesis', 'budget', 'specs', 'python-driver', 'driver-cmd', 'raft-cluster', 'paxos-cluster', 'viewer', 'user-models']
const rank = (file) => {
  const i = longest.findIndex((name) => file.startsWith(name))
  return i < 0 ? longest.length : i
}
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.test.js') && (!filter || filter.test(f)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))

/** Run one test file in its own uvu process; its counts, or null if uvu died before its summary. */
function runFile(file) {
  return new Promise((resolve) => {
    const escaped = file.replace(/[.]/g, '\\.')
    const child = spawn(process.execPath, ['node_modules/uvu/bin.js', DIR, `^${escaped}$`], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => {
      process.stdout.write(`\n── ${file}\n${output}`)
      const text = output.replace(/\x1b\[[0-9;]*m/g, '')
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN)
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN)
      const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0)
      if (Number.isNaN(total) || Number.isNaN(passed)) resolve({ file, passed: 0, failed: 1, skipped: 0, crashed: true })
      else resolve({ file, passed, failed: total - passed - skipped + (code !== 0 && total === passed + skipped ? 1 : 0), skipped, crashed: false })
    })
  })
}

const queue = [...files]
const results = []
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) results.push(await runFile(file))
  }),
)

const sum = (key) => results.reduce((n, r) => n + r[key], 0)
const failedFiles = results.filter((r) => r.failed > 0).map((r) => (r.crashed ? `${r.file} (died before its summary)` : r.file))
if (!existsSync(CHROMIUM)) console.log(chromiumHint)
if (failedFiles.length) console.log(`\nfailing files: ${failedFiles.join(', ')}`)
const skipped = sum('skipped')
console.log(`${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failedFiles.length || files.length === 0 ? 1 : 0)
