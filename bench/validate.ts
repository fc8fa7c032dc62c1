// `npm run build && node dist/bench/validate.js [--source real|model] [--events N] [--log FILE]`:
// trace validation speed (events validated per second) on a Raft log of at least N events
// (default 10,000).
//
//   --source real   (default) a real run: three Raft server processes on 127.0.0.1, each
//                   logging its events (serve raft --log-events does the same), under a steady
//                   client load with a fault every few seconds (the leader killed with SIGKILL
//                   and restarted, or a follower partitioned away and healed), until the
//                   servers have logged N events; the merged log is then validated.
//   --source model  a random walk of raft itself (history=0), logged as a conforming
//                   implementation would log it (picks without mlog, observed variables).
//   --log FILE      validate this log instead (and keep the generated log there if it is new).
//
// Prints the log's size, the params its header chose, and for validate: the search's seconds
// and events/s, the frontier's largest size, and the time with the ITF trace built.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { validate } from '../api/validate.js'
import { loadModel } from '../api/load.js'
import { Instance } from '../checker/instance.js'
import { parseEventLog } from '../conformance/event-log.js'
import { validateLog } from '../conformance/validate.js'
import { RaftKvCluster, eventLogFile } from '../protocols/raft/impl/cluster.js'
import { walkLog } from '../test/helpers/event-logs.js'

const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? process.argv[at + 1] : undefined
}
const source = option('source') ?? 'real'
const wanted = Number(option('events') ?? 10_000)
const logFile = option('log')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function realRun(): Promise<string> {
  const cluster = await RaftKvCluster.start(3, { logEvents: true })
  const started = Date.now()
  const logged = () => cluster.ports.reduce((n, _, id) => {
    const f = eventLogFile(cluster.dir, id)
    return n + (existsSync(f) ? readFileSync(f, 'utf8').split('\n').length - 1 : 0)
  }, 0)
  let running = true
  let acknowledged = 0
  const clients = Array.from({ length: 3 }, async (_, c) => {
    for (let k = 0; running; k++) {
      if (await cluster.put(`c${c}-${k}`, `key${c}`, String(k), Date.now() + 5000)) acknowledged++
    }
  })
  let faults = 0
  try {
    while (logged() < wanted) {
      await sleep(1500)
      const leader = await cluster.leader()
      if (leader === undefined) continue
      if (faults % 2 === 0) {
        await cluster.kill(leader)
        await sleep(600)
        await cluster.restart(leader)
      } else {
        await cluster.partition((leader + 1) % 3)
        await sleep(600)
        await cluster.heal()
      }
      faults++
      process.stderr.write(`\rreal run: ${logged()} events logged, ${faults} faults, ${acknowledged} puts acknowledged, ${((Date.now() - started) / 1000).toFixed(0)} s`)
    }
  } finally {
    running = false
    await cluster.stop()
    await Promise.all(clients)
  }
  process.stderr.write(`\nreal run: ${((Date.now() - started) / 1000).toFixed(1)} s, ${faults} faults (kills and partitions, alternating), ${acknowledged} puts acknowledged\n`)
  return cluster.eventLog()
}

async function modelRun(): Promise<string> {
  const model = await loadModel('raft')
  const instance = Instance.create(model, { servers: 3, values: 1, maxTerm: 1000, maxLogLength: 60, maxMessages: 20, history: 0 })
  const observe = (s: Record<string, any>, picks: Record<string, any>) => {
    const i = (picks.i ?? picks.m?.mdest) as number
    const at = (v: unknown) => ({ '#map': [[`server${i + 1}`, v]] })
    return { currentTerm: at(s.currentTerm[i]), state: at(s.state[i]), votedFor: at(s.votedFor[i] < 0 ? 'Nil' : `server${s.votedFor[i] + 1}`), commitIndex: at(s.commitIndex[i]) }
  }
  const weights = { DuplicateMessage: 0, DropMessage: 0.2, Restart: 0.02, Timeout: 0.05, ClientRequest: 0.1 }
  return walkLog(instance, { steps: wanted, seed: 1, weights, observe, omitFields: ['mlog'] }).text
}

let text: string
let described = source === 'model' ? 'a random walk of the model' : 'a real run of 3 Raft servers'
if (logFile && existsSync(logFile)) {
  text = readFileSync(logFile, 'utf8')
  described = `the log ${logFile}`
} else {
  text = source === 'model' ? await modelRun() : await realRun()
  if (logFile) writeFileSync(logFile, text)
}

const parseStarted = performance.now()
const log = parseEventLog(text)
const parseSeconds = (performance.now() - parseStarted) / 1000
const model = await loadModel('raft')
const instance = Instance.create(model, log.header.params ?? {})
const cpu = process.cpuUsage()
const search = validateLog(instance, log)
const used = process.cpuUsage(cpu)
const cpuSeconds = (used.user + used.system) / 1e6
const fullStarted = performance.now()
const full = await validate(model, log)
const traceLength = full.trace.states.length
const fullSeconds = (performance.now() - fullStarted) / 1000
const counts = new Map<string, number>()
for (const e of log.events) counts.set(e.action, (counts.get(e.action) ?? 0) + 1)

console.log(`log: ${log.events.length.toLocaleString('en-US')} events, ${(Buffer.byteLength(text) / 2 ** 20).toFixed(1)} MB (${described})`)
console.log(`actions: ${[...counts].sort((a, b) => b[1] - a[1]).map(([a, n]) => `${a} ${n}`).join(', ')}`)
console.log(`model: ${instance.describe()} (${instance.words} words a state)`)
console.log(`parse + schema check: ${parseSeconds.toFixed(2)} s`)
console.log(`validate: ${search.result}, ${search.explained.toLocaleString('en-US')} events explained in ${search.seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU: ${Math.round(search.eventsPerSecond).toLocaleString('en-US')} events/s (${Math.round(search.explained / cpuSeconds).toLocaleString('en-US')} per CPU second), frontier at most ${search.maxFrontier}`)
console.log(`validate() with the ITF trace of ${traceLength.toLocaleString('en-US')} states built: ${full.report.result} in ${fullSeconds.toFixed(2)} s wall (${Math.round(log.events.length / fullSeconds).toLocaleString('en-US')} events/s)`)
