// Trace validation of real runs: the Raft key-value store as three TCP server processes, each
// logging the events its core takes; a run with client writes, a leader killed with SIGKILL and
// restarted from its storage, and a follower partitioned away and healed. Its merged log is
// explained by raft.tla (conforms). The same run of servers built with vote-not-persisted is
// rejected at the restart of the killed leader, whose vote for itself is gone. A copy of the
// good log with one event removed is rejected at the first event that needed it.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { validate } from '../api/validate.js'
import { parseEventLog, type LoggedEvent } from '../conformance/event-log.js'
import { RaftKvCluster } from '../protocols/raft/impl/cluster.js'
import { request } from '../runtime/tcp.js'
import { cliPath, runCliJson } from './helpers/cli.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

interface Run {
  log: string
  killed: number
}

/** A real run; `partition` adds the partition phase. The log is read once every server stopped. */
async function run(options: { bug?: string; partition: boolean }): Promise<Run> {
  const cluster = await RaftKvCluster.start(3, { logEvents: true, bug: options.bug })
  const deadline = Date.now() + 40_000
  const put = async (id: string) => assert.ok(await cluster.put(id, 'k', id, deadline), `put ${id} was not acknowledged`)
  let killed = -1
  try {
    killed = await until('a leader', deadline, () => cluster.leader())
    for (let k = 0; k < 3; k++) await put(`calm-${k}`)
    await cluster.kill(killed)
    await until('a new leader', deadline, async () => {
      const l = await cluster.leader()
      return l !== undefined && l !== killed ? l : undefined
    })
    await put('crash-0')
    await cluster.restart(killed)
    if (options.partition) {
      const leader = await until('a leader', deadline, () => cluster.leader())
      await cluster.partition((leader + 1) % 3)
      for (let k = 0; k < 2; k++) await put(`partition-${k}`)
      await sleep(400)
      await cluster.heal()
      await put('healed-0')
    }
    await sleep(300)
  } finally {
    await cluster.stop()
  }
  return { log: cluster.eventLog(), killed }
}

const dir = mkdtempSync(join(tmpdir(), 'validate-raft-'))
const server = (i: number) => `server${i + 1}`
const count = (events: LoggedEvent[], action: string) => events.filter((e) => e.action === action).length

test('a real run with a kill -9, a restart and a partition conforms to raft.tla; a log missing one event does not', async () => {
  const { log, killed } = await run({ partition: true })
  const parsed = parseEventLog(log)
  const { events } = parsed
  assert.ok(count(events, 'Restart') === 1 && events.find((e) => e.action === 'Restart')!.node === server(killed), 'the killed leader\'s restart is logged')
  assert.ok(count(events, 'ClientRequest') >= 6, `only ${count(events, 'ClientRequest')} client requests`)
  assert.ok(count(events, 'BecomeLeader') >= 2, 'two elections at least')
  assert.ok(count(events, 'DropMessage') >= 1, 'the partition dropped messages')
  assert.is(parsed.header.params!.history, 0)

  const { report } = await validate('raft', parsed)
  assert.is(report.result, 'conforms', JSON.stringify(report.unexplained))
  assert.is(report.explained, events.length)

  // The CLI on the same log, as a user runs it.
  const file = join(dir, 'run.ndjson')
  writeFileSync(file, log)
  const cli = runCliJson(['validate', 'raft', '--log', file, '--out', join(dir, 'run.itf.json')])
  assert.is(cli.code, 0, cli.stderr)
  assert.is(cli.report.result, 'conforms')
  assert.is(cli.report.events, events.length)

  // Remove the first election's BecomeLeader: the new leader's next event (its no-op
  // ClientRequest) is the first that no behaviour explains.
  const lines = log.trimEnd().split('\n')
  const elected = events.findIndex((e) => e.action === 'BecomeLeader')
  const leader = events[elected].node
  const mutated = parseEventLog([...lines.slice(0, elected + 1), ...lines.slice(elected + 2)].join('\n'))
  const next = mutated.events.findIndex((e, k) => k >= elected && e.node === leader)
  const rejected = (await validate('raft', mutated)).report
  assert.is(rejected.result, 'rejected')
  assert.is(rejected.unexplained!.index, next)
  assert.is(rejected.unexplained!.line, next + 2)
  assert.is(rejected.unexplained!.action, 'ClientRequest')
  assert.is(rejected.explained, next)
})

test('servers built with vote-not-persisted: the log is rejected at the killed leader\'s restart', async () => {
  const { log, killed } = await run({ bug: 'vote-not-persisted', partition: false })
  const parsed = parseEventLog(log)
  assert.is(parsed.header.bug, 'vote-not-persisted')
  const restart = parsed.events.findIndex((e) => e.action === 'Restart')
  assert.ok(restart > 0, 'the restart is logged')
  const { report } = await validate('raft', parsed)
  assert.is(report.result, 'rejected')
  assert.is(report.explained, restart)
  assert.equal(
    { index: report.unexplained!.index, line: report.unexplained!.line, action: report.unexplained!.action, node: report.unexplained!.node },
    { index: restart, line: restart + 2, action: 'Restart', node: server(killed) },
  )
  // The leader had voted for itself in its term; restarted, it remembers no vote.
  assert.match(report.unexplained!.reason, new RegExp(`votedFor\\["${server(killed)}"\\]: observed "Nil", the model has "${server(killed)}"`))
})

test('serve raft --log-events: the merged log of the served cluster conforms', async () => {
  const file = join(dir, 'served.ndjson')
  const child = spawn(process.execPath, [cliPath, 'serve', 'raft', '--log-events', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  try {
    const first = await new Promise<string>((resolve, reject) => {
      let text = ''
      child.stdout!.on('data', (chunk) => {
        text += chunk
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
      })
      child.once('close', () => reject(new Error(`serve exited: ${text}`)))
    })
    const ports = (JSON.parse(first).nodes as { port: number }[]).map((n) => n.port)
    const deadline = Date.now() + 20_000
    for (let k = 0; k < 2; ) {
      assert.ok(Date.now() < deadline, 'no leader took the puts')
      for (const port of ports) {
        const answer = (await request(port, { kind: 'put', id: `served-${k}`, key: 'k', value: String(k) }, 1500).catch(() => undefined)) as { ok?: boolean } | undefined
        if (answer?.ok) {
          k++
          break
        }
      }
      await sleep(50)
    }
  } finally {
    child.kill('SIGINT')
  }
  assert.is(await closed, 0)
  assert.ok(existsSync(file), 'serve wrote the merged log')
  const parsed = parseEventLog(readFileSync(file, 'utf8'))
  assert.ok(count(parsed.events, 'ClientRequest') >= 3, 'a no-op and two puts')
  const cli = runCliJson(['validate', 'raft', '--log', file])
  assert.is(cli.code, 0, cli.stderr)
  assert.is(cli.report.result, 'conforms')
  assert.is(cli.report.traceFile, null)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
