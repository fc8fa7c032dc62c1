// The cost of a liveness check: the same breadth-first check with and without the liveness
// properties selected, on the tlaplus/Examples ports of test/liveness-tlc/. Without, the
// search keeps fingerprints only; with, it records the state graph (a fingerprint-to-id
// table and every edge) and then searches it for fair cycles. Prints one line per model and
// the ratio of CPU times (TLC's users report about 3x, tlaplus#869).
//
// Usage: npm run build && node dist/bench/liveness.js [repetitions]

import { check } from '../checker/check.js'
import { Instance } from '../checker/instance.js'
import type { Model } from '../checker/model.js'
import { diningPhilosophers } from '../test/liveness-tlc/dining-philosophers.js'
import { ewd840 } from '../test/liveness-tlc/ewd840.js'
import { lamportMutex } from '../test/liveness-tlc/lamport-mutex.js'

const repetitions = Number(process.argv[2] ?? 3)

const cases: { name: string; model: Model; safety: string[]; liveness: string[] }[] = [
  { name: 'ewd840 N=6', model: ewd840(6), safety: ['TerminationDetection'], liveness: ['Liveness'] },
  { name: 'dining-philosophers NP=9', model: diningPhilosophers(9, true), safety: ['ExclusiveAccess'], liveness: Array.from({ length: 9 }, (_, p) => `NobodyStarves${p + 1}`) },
  { name: 'lamport-mutex N=3 maxClock=4', model: lamportMutex(3, 4, true), safety: ['Mutex'], liveness: ['Liveness1', 'Liveness2', 'Liveness3'] },
]

/** The best of `repetitions` runs' CPU seconds (the least disturbed by other processes). */
function cpuSeconds(model: Model, properties: string[]) {
  let best = Infinity
  let distinct = 0
  let result = ''
  for (let i = 0; i < repetitions; i++) {
    const instance = Instance.create(model, {}, undefined, properties)
    const before = process.cpuUsage()
    const r = check(instance, 'bfs', { checkDeadlock: false })
    const used = process.cpuUsage(before)
    best = Math.min(best, (used.user + used.system) / 1e6)
    distinct = r.distinctStates
    result = r.result
  }
  return { seconds: best, distinct, result }
}

for (const c of cases) {
  const without = cpuSeconds(c.model, c.safety)
  const withLiveness = cpuSeconds(c.model, [...c.safety, ...c.liveness])
  console.log(
    `${c.name}: ${without.distinct.toLocaleString('en-US')} distinct states; ` +
      `safety only ${without.seconds.toFixed(3)} s (${without.result}), ` +
      `with ${c.liveness.length} liveness properties ${withLiveness.seconds.toFixed(3)} s (${withLiveness.result}): ` +
      `${(withLiveness.seconds / without.seconds).toFixed(2)}x`,
  )
}
