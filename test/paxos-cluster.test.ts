// The Paxos runtime end to end: `protocheck serve paxos` starts three acceptor processes on
// OS-chosen ports, two clients propose competing values while an acceptor is killed, and every
// client (a late one too) learns the same single value; with a majority down no value is
// learned; stopping the server leaves no process and no port behind.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { propose } from '../protocols/paxos/impl/client.js'
import { ProcessCluster } from '../runtime/launcher.js'
import { isListening } from '../runtime/tcp.js'
import servable from '../protocols/paxos/serve.js'
import { cliPath } from './helpers/cli.js'
import { alive, firstLine } from './helpers/serve.js'

interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Run the CLI without blocking the test, killing it if it outlives `timeoutMs`. */
function cli(args: string[], timeoutMs = 60_000): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (c) => (stdout += c))
  child.stderr!.on('data', (c) => (stderr += c))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const done = new Promise<Finished>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
  return { child, done }
}

test('paxos cluster: competing proposals, an acceptor killed, one value learned by all; clean shutdown', async () => {
  const data = mkdtempSync(join(tmpdir(), 'protocheck-paxos-cluster-'))
  const server = cli(['serve', 'paxos', '--nodes', '3', '--port', '0', '--data', data, '--json'])
  let nodes: { name: string; port: number; pid: number }[] = []
  try {
    nodes = JSON.parse(await firstLine(server.child)).nodes
    assert.is(nodes.length, 3)
    assert.is(new Set(nodes.map((n) => n.port)).size, 3)
    const ports = nodes.map((n) => n.port).join(',')
    const propose = (value: string, id: number, extra: string[] = []) => cli(['paxos-propose', '--ports', ports, '--value', value, '--id', String(id), '--json', ...extra]).done

    const apple = propose('apple', 1)
    const banana = propose('banana', 2)
    process.kill(nodes[0].pid, 'SIGKILL')
    const learned = await Promise.all([apple, banana])
    for (const r of learned) assert.is(r.code, 0, r.stderr)
    const [a, b] = learned.map((r) => JSON.parse(r.stdout))
    assert.ok(['apple', 'banana'].includes(a.value), a.value)
    assert.is(b.value, a.value, 'two clients learned different values')
    assert.is.not(a.ballot, b.ballot)

    // A late client with a1 still down learns the same value, not its own.
    const late = await propose('cherry', 3)
    assert.is(late.code, 0, late.stderr)
    assert.is(JSON.parse(late.stdout).value, a.value)
    // The surviving acceptors persisted their vote for it.
    for (const name of ['a2', 'a3']) assert.is(JSON.parse(readFileSync(join(data, `${name}.json`), 'utf8')).maxVal, a.value)

    // With a majority down, nothing can be learned.
    process.kill(nodes[1].pid, 'SIGKILL')
    const stuck = await propose('durian', 4, ['--rounds', '2'])
    assert.is(stuck.code, 1)
    assert.match(stuck.stderr, /no value learned after 2 rounds/)
  } finally {
    server.child.kill('SIGTERM')
    const stopped = await server.done
    assert.is(stopped.code, 0, stopped.stderr)
    assert.match(stopped.stderr, /a1 exited \(SIGKILL\)/)
    for (const n of nodes) {
      assert.is(await isListening(n.port), false, `port ${n.port} of ${n.name} is still open`)
      assert.ok(!alive(n.pid), `${n.name} (pid ${n.pid}) is still running`)
    }
    assert.ok(existsSync(data), 'serve removed a --data directory it did not create')
    rmSync(data, { recursive: true, force: true })
  }
})

test('paxos cluster: an acceptor that crashes and restarts keeps its vote, so a later quorum cannot choose another value', async () => {
  const data = mkdtempSync(join(tmpdir(), 'protocheck-paxos-restart-'))
  const cluster = await ProcessCluster.launch(
    [0, 1, 2].map((i) => ({ name: servable.nodeName(i), script: servable.script, args: servable.args(i, data) })),
  )
  try {
    const ports = cluster.ports
    // a3 is down while apple is chosen by a1 and a2.
    await cluster.kill(2)
    assert.equal(await propose({ ports, value: 'apple', proposerId: 1 }), { value: 'apple', ballot: 1, rounds: 1 })
    // a3 comes back without a vote; a1 crashes and restarts; a2 goes down for good.
    assert.is(await cluster.restart(2), ports[2])
    assert.is(await cluster.restart(0), ports[0])
    await cluster.kill(1)
    // The only quorum left is {a1, a3}: only a1's persisted vote stands between banana and a
    // second chosen value.
    const late = await propose({ ports, value: 'banana', proposerId: 2 })
    assert.is(late.value, 'apple')
  } finally {
    await cluster.stop()
    for (const port of cluster.ports) assert.is(await isListening(port), false)
    rmSync(data, { recursive: true, force: true })
  }
})

test('serve and paxos-propose: bad input is one line, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['serve', 'two-phase-commit'], /has no node processes to serve/],
    [['serve', 'paxos', '--nodes', '0'], /--nodes needs a whole number >= 1/],
    [['paxos-propose', '--value', 'x', '--id', '1'], /name the acceptors with --ports/],
    [['paxos-propose', '--ports', '1,x', '--value', 'x', '--id', '1'], /--ports needs comma-separated port numbers/],
    [['paxos-propose', '--ports', '1', '--value', 'x', '--id', '1000'], /--id must be below 1000/],
  ]
  for (const [args, message] of cases) {
    const r = await cli(args).done
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, message)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
})

test.run()
