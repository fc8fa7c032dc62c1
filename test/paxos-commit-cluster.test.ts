// The Paxos Commit runtime over TCP: `protocheck serve paxos-commit` starts three acceptor
// processes; resource managers and a leader (impl/transaction.ts) run a transaction against
// them. A transaction commits with one acceptor killed; an RM that never votes is aborted by
// the leader's ballot 1; acceptors that crash and restart keep their votes, so a second
// leader reaches the same outcome; malformed frames are refused and change nothing.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTransaction } from '../protocols/paxos-commit/impl/transaction.js'
import servable from '../protocols/paxos-commit/serve.js'
import { ProcessCluster } from '../runtime/launcher.js'
import { isListening, request } from '../runtime/tcp.js'
import { cliPath } from './helpers/cli.js'

const launch = (data: string) =>
  ProcessCluster.launch([0, 1, 2].map((i) => ({ name: servable.nodeName(i), script: servable.script, args: servable.args(i, data) })))

test('paxos-commit serve: both RMs prepare, a1 is killed, the transaction still commits on a2 and a3', async () => {
  const data = mkdtempSync(join(tmpdir(), 'protocheck-paxos-commit-serve-'))
  const server = spawn(process.execPath, [cliPath, 'serve', 'paxos-commit', '--nodes', '3', '--port', '0', '--data', data, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  server.stderr!.on('data', (c) => (stderr += c))
  const closed = new Promise<number | null>((resolve) => server.once('close', resolve))
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let text = ''
      server.stdout!.on('data', (c) => {
        text += c
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
      })
      server.once('close', () => reject(new Error(`serve exited: ${stderr}`)))
    })
    const nodes: { name: string; port: number; pid: number }[] = JSON.parse(line).nodes
    assert.equal(nodes.map((n) => n.name), ['a1', 'a2', 'a3'])
    process.kill(nodes[0].pid, 'SIGKILL')
    const r = await runTransaction({ ports: nodes.map((n) => n.port), rms: ['prepare', 'prepare'], timeoutMs: 1000 })
    assert.is(r.outcome, 'Commit')
    assert.equal(r.rmStates, ['committed', 'committed'])
    assert.equal(r.evidence, [
      { bal: 0, quorum: [1, 2], val: 'prepared' },
      { bal: 0, quorum: [1, 2], val: 'prepared' },
    ])
    // a2 persisted its vote in both instances before answering.
    const a2 = JSON.parse(readFileSync(join(data, 'a2.json'), 'utf8'))
    assert.equal(a2.instances, { 0: { mbal: 0, bal: 0, val: 'prepared' }, 1: { mbal: 0, bal: 0, val: 'prepared' } })
    server.kill('SIGTERM')
    assert.is(await closed, 0, stderr)
    for (const n of nodes) assert.is(await isListening(n.port), false, `${n.name} still listens`)
  } finally {
    server.kill('SIGKILL')
    rmSync(data, { recursive: true, force: true })
  }
})

test('paxos-commit cluster: a silent RM is aborted by the leader; after crashes a second leader finds the same outcome', async () => {
  const data = mkdtempSync(join(tmpdir(), 'protocheck-paxos-commit-'))
  const cluster = await launch(data)
  try {
    const ports = cluster.ports
    // rm2 crashes before voting: the leader's ballot 1 finds no vote in a majority and aborts it.
    const first = await runTransaction({ ports, rms: ['prepare', 'silent'], leaderBallots: [1] })
    assert.is(first.outcome, 'Abort')
    assert.equal(first.rmStates, ['aborted', 'aborted'])
    assert.equal(first.evidence[1], { bal: 1, quorum: [0, 1], val: 'aborted' })

    // a1 and a2 crash and restart, and a3 goes down for good. A second leader, with ballots of
    // its own and no RM to hear from, must learn rm1's "prepared" and rm2's "aborted" from the
    // votes a1 and a2 persisted: the same outcome.
    await cluster.kill(2)
    for (const i of [0, 1]) {
      await cluster.kill(i)
      await cluster.restart(i)
    }
    const second = await runTransaction({ ports, rms: ['silent', 'silent'], leaderBallots: [2], timeoutMs: 1000 })
    assert.is(second.outcome, 'Abort')
    assert.equal(second.evidence, [
      { bal: 2, quorum: [0, 1], val: 'prepared' },
      { bal: 2, quorum: [0, 1], val: 'aborted' },
    ])

    // Malformed frames and messages an acceptor does not take are refused; a1 is unchanged.
    for (const frame of [{ type: 'phase2a', ins: -1, bal: 0, val: 'prepared' }, { type: 'phase1a', ins: 0, bal: 0 }, 'hello', { type: 'Commit' }]) {
      assert.is(((await request(ports[0], frame)) as { type: string }).type, 'refused', JSON.stringify(frame))
    }
    assert.equal(await request(ports[0], { type: 'phase1a', ins: 0, bal: 1 }), { type: 'refused', reason: 'a1 has promised ballot 2 of instance rm1, not below 1' })
  } finally {
    await cluster.stop()
    for (const port of cluster.ports) assert.is(await isListening(port), false)
    rmSync(data, { recursive: true, force: true })
  }
})

test.run()
