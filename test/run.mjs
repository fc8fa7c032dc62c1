// Runs the uvu suites in dist/test and ends with the line CI reads: `N passed, N failed`.
// Usage: node test/run.mjs [pattern]   (pattern filters test files, e.g. `schema`)

import { spawn } from 'node:child_process'

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
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
  process.exit(failed > 0 || code !== 0 ? 1 : 0)
})
