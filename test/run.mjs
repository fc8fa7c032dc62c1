// Runs the uvu suites in dist/test and ends with the line CI reads: `N passed, N failed`.
// Usage: node test/run.mjs [pattern]   (pattern filters test files, e.g. `schema`)

import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

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

const pattern = process.argv[2] ? `(?:${process.argv[2]}).*\\.test\\.js$` : '\\.test\\.js$'
const child = spawn(process.execPath, ['node_modules/uvu/bin.js', 'dist/test', pattern], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
let output = ''
child.stdout.on('data', (chunk) => {
  output += chunk
  process.stdout.write(chunk)
})
child.on('close', (code) => {
  const text = output.replace(/\x1b\[[0-9;]*m/g, '')
  const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN)
  const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN)
  const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0)
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    // uvu died before its summary (a crash while loading a file): count nothing as passed.
    console.log(`0 passed, 1 failed`)
    process.exit(code || 1)
  }
  const failed = total - passed - skipped
  if (!existsSync(CHROMIUM)) console.log(chromiumHint)
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
  process.exit(failed > 0 || code !== 0 ? 1 : 0)
})
