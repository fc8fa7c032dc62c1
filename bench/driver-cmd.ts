// Conformance throughput across a process boundary: `conform` on two-phase commit with the
// in-process TypeScript driver (protocols/two-phase-commit/driver.ts) and with the Python
// implementation behind the JSON-lines driver protocol (`--driver-cmd`,
// examples/two-phase-commit-python/driver.py), same model, params, seed and walks. Prints walks
// per second and steps per second for each, and the ratio: what one JSON round trip per
// request costs against a function call.
//
// Usage: npm run build && node dist/bench/driver-cmd.js [--rm 3] [--runs 200] [--seed 1]
//        [--depth 50] [--repeat 3] [--python python3]
// Each driver runs --repeat times; the fastest run counts (the others were slowed by
// whatever else the machine was doing). Seconds are wall-clock; `protocheck CPU s` is this
// process's CPU time (model walks, packing and comparing observations, and for the process
// driver JSON and schema checks of every answer), not the Python process's. Both drivers
// check refusals, as conform does by default.

import { fileURLToPath } from 'node:url'
import { conform } from '../api/replay.js'
import { loadDriver, loadModel } from '../api/load.js'
import type { Driver, DriverFactory } from '../conformance/driver.js'
import { twoPhaseCommitDriver } from '../protocols/two-phase-commit/driver.js'

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback
}

const rm = Number(option('rm', '3'))
const runs = Number(option('runs', '200'))
const seed = Number(option('seed', '1'))
const maxSteps = Number(option('depth', '50'))
const repeat = Number(option('repeat', '3'))
const python = option('python', 'python3')
const driverPy = fileURLToPath(new URL('../../examples/two-phase-commit-python/driver.py', import.meta.url))
const command = `${python} ${JSON.stringify(driverPy)}`

interface Measured {
  name: string
  seconds: number
  walks: number
  steps: number
  /** Driver calls (start, reset, apply, observe, stop): one JSON round trip each over a process. */
  calls: number
  /** CPU seconds of this (protocheck's) process; the Python process's own are not counted. */
  cpuSeconds: number
}

/** `factory`, counting every call made on the drivers it starts. */
function counted(factory: DriverFactory, counter: { calls: number }): DriverFactory {
  return {
    model: factory.model,
    async start(params, bug) {
      counter.calls++
      const driver = await factory.start(params, bug)
      const count = <A extends unknown[], R>(call: ((...args: A) => Promise<R>) | undefined) =>
        call && ((...args: A) => (counter.calls++, call.apply(driver, args)))
      const wrapped: Driver = { apply: count(driver.apply)!, observe: count(driver.observe)!, reset: count(driver.reset), stop: count(driver.stop) }
      return wrapped
    },
  }
}

async function measure(name: string, factory: DriverFactory): Promise<Measured> {
  let best: Measured | undefined
  for (let i = 0; i < repeat; i++) {
    const counter = { calls: 0 }
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    const r = await conform(model, { params: { rm }, driver: counted(factory, counter), runs, seed, maxSteps })
    const seconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    const cpuSeconds = (cpu.user + cpu.system) / 1e6
    if (r.result !== 'agree') throw new Error(`${name}: conform ${r.result}, expected agree`)
    process.stderr.write(`bench: ${name} run ${i + 1}/${repeat}: ${r.runs} walks, ${r.stepsCompared} steps, ${counter.calls} driver calls in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU here)\n`)
    if (!best || seconds < best.seconds) best = { name, seconds, walks: r.runs, steps: r.stepsCompared, calls: counter.calls, cpuSeconds }
  }
  return best!
}

const model = await loadModel('two-phase-commit')
const inProcess = await measure('TypeScript, in process', twoPhaseCommitDriver)
const overProcess = await measure(`Python, --driver-cmd "${python} driver.py"`, await loadDriver(model, { command }))
if (inProcess.steps !== overProcess.steps) {
  throw new Error(`the two drivers compared different walks (${inProcess.steps} and ${overProcess.steps} steps)`)
}

const rows = [inProcess, overProcess].map((m) => [
  m.name,
  m.walks.toLocaleString('en-US'),
  m.steps.toLocaleString('en-US'),
  m.seconds.toFixed(2),
  m.cpuSeconds.toFixed(2),
  Math.round(m.walks / m.seconds).toLocaleString('en-US'),
  Math.round(m.steps / m.seconds).toLocaleString('en-US'),
  m.calls.toLocaleString('en-US'),
  Math.round(m.calls / m.seconds).toLocaleString('en-US'),
])
const header = ['driver', 'walks', 'steps', 'seconds', 'protocheck CPU s', 'walks/s', 'steps/s', 'driver calls', 'calls/s']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |'
console.log(`conform two-phase-commit rm=${rm}, ${runs} walks of up to ${maxSteps} steps, seed ${seed}, refusals checked; fastest of ${repeat}`)
console.log(line(header))
console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|')
for (const row of rows) console.log(line(row))
console.log(`TypeScript in process / Python over JSON lines: ${(overProcess.seconds / inProcess.seconds).toFixed(1)}x the walks and steps per second`)
