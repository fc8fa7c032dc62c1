// One benchmark configuration, measured in a process of its own (started by bench/run.ts),
// so that its peak RSS is its own. Prints one JSON line: the figures of the run.
//
// Usage: node dist/bench/measure.js '{"model":"two-phase-commit","params":{"rm":8},
//        "strategy":"bfs","workers":1,"fpMemMB":32}'
// `"strategy": "handwritten"` runs bench/handwritten-two-phase.ts instead of the checker.

import { checkAsync } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import { searchOptions } from '../checker/options.js'
import { loadModel } from '../api/load.js'
import { handwrittenTwoPhaseBfs } from './handwritten-two-phase.js'

export interface Configuration {
  model: string
  params: Record<string, number>
  strategy: string
  workers: number
  /** Visited-table size (--fp-mem), or undefined to let it grow. */
  fpMemMB?: number
  /** --symmetry: distinct states are then classes of states. */
  symmetry?: boolean
  /** The properties to check (default: every property the model declares but liveness). */
  properties?: string[]
}

export interface Measurement {
  result: string
  distinctStates: number
  generatedStates: number
  seconds: number
  cpuSeconds: number
  peakRssBytes: number
}

const configuration = JSON.parse(process.argv[2]) as Configuration
const cpuBefore = process.cpuUsage()
const fingerprintBytes = configuration.fpMemMB === undefined ? undefined : configuration.fpMemMB * 2 ** 20

let figures: Omit<Measurement, 'cpuSeconds' | 'peakRssBytes'>
if (configuration.strategy === 'handwritten') {
  const r = handwrittenTwoPhaseBfs(configuration.params.rm, fingerprintBytes && Math.floor((fingerprintBytes / 8) * 0.75))
  figures = { result: r.safe ? 'safe' : 'violation', ...r }
} else {
  const instance = Instance.create(await loadModel(configuration.model), configuration.params, undefined, configuration.properties)
  // Safety only (--no-liveness): the configurations TLC and Spin run beside these check
  // invariants, and a liveness property would make the search record its whole state graph
  // (bench/liveness.ts measures that cost on its own).
  const options = searchOptions(instance, { fingerprintMB: configuration.fpMemMB, workers: configuration.workers, symmetry: configuration.symmetry, liveness: false })
  const r = await checkAsync(instance, configuration.strategy, options)
  figures = { result: r.result, distinctStates: r.distinctStates, generatedStates: r.generatedStates, seconds: r.seconds }
}
const cpu = process.cpuUsage(cpuBefore)
const measurement: Measurement = {
  ...figures,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  // maxRSS is in kilobytes; it includes worker threads (one process).
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
}
process.stdout.write(JSON.stringify(measurement) + '\n')
