// clock-sync over real TCP on 127.0.0.1: the time server and three clients as processes
// (started as `protocheck serve clock-sync` starts them, with serve.ts's arguments), clocks in
// milliseconds from the real clock. Client 1 boots 300 ms ahead and slews back, client 2
// boots 300 ms behind and steps forward, client 3 boots 300 ms ahead with --bug step-back and
// steps back. The first estimates are within half the round trip (plus 2 ms of rounding) of
// the injected offsets; only the buggy client's clock ever reads less than it has shown. A
// malformed frame is dropped without harm. `protocheck serve clock-sync` starts and stops the
// same processes. Nothing is left running.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { connect, isListening, request } from '../runtime/tcp.js'
import servable, { bootOffsetMs } from '../protocols/clock-sync/serve.js'
import { withinBound } from '../protocols/clock-sync/model.js'
import { cliPath } from './helpers/cli.js'

interface ClientStatus {
  clock: number
  slew: number
  hlc: { l: number; c: number }
  estimate: { offset2: number; delay: number } | null
  first: { offset2: number; delay: number } | null
  exchanges: number
  highest: number
  ranBack: number
}

/** Rounding to whole milliseconds, in two processes: the drift bound of the real clocks here. */
const DRIFT_MS = 2

test('clock-sync processes: estimates within δ/2 of the injected offsets; slewing never runs a clock back, the step-back bug does', async () => {
  const data = mkdtempSync(join(tmpdir(), 'protocheck-clock-sync-'))
  const nodes = [0, 1, 2, 3]
  const ports = await freePorts(nodes.length)
  const cluster = await ProcessCluster.launch(
    nodes.map((i) => ({
      name: servable.nodeName(i),
      script: servable.script,
      args: [...servable.args(i, data, ports), ...(i === 3 ? ['--bug', 'step-back'] : [])],
      port: ports[i],
    })),
  )
  try {
    assert.equal([1, 2, 3].map(bootOffsetMs), [300, -300, 600])
    // A malformed frame and a frame of the wrong kind reach the server: dropped, server alive.
    const garbage = await connect(ports[0])
    garbage.send({ type: 'request', client: 'x', t1: 1 })
    garbage.send({ type: 'response', client: 0, t1: 0, t2: 0, t3: 0, hlc: { l: 0, c: 0 } })
    garbage.send(42)
    garbage.close()
    const status = (i: number) => request(ports[i], { type: 'status' }) as Promise<ClientStatus>
    // Wait (no deadline but the test runner's) until every client has finished two exchanges.
    let statuses: ClientStatus[] = []
    for (;;) {
      statuses = await Promise.all([1, 2, 3].map(status))
      if (statuses.every((s) => s.exchanges >= 2)) break
      await sleep(50)
    }
    // The server survived the garbage and answers.
    const server = (await request(ports[0], { type: 'status' })) as { type: string; clock: number }
    assert.is(server.type, 'status')

    const [ahead, behind, stepper] = statuses
    // The first exchange measured the offset injected at boot (server minus client: -300 ms
    // for a client booted 300 ms ahead), within half the round trip plus the rounding.
    for (const [s, booted] of [[ahead, 300], [behind, -300], [stepper, 600]] as const) {
      assert.ok(s.first, 'no estimate')
      assert.ok(withinBound(s.first.offset2, -2 * booted, s.first.delay, DRIFT_MS), `estimate ${s.first.offset2 / 2} ms (delay ${s.first.delay} ms) for a clock booted ${booted} ms off`)
    }
    // Slewing back: the clock never read less than it had shown. Stepping forward is fine.
    assert.is(ahead.ranBack, 0, `client1 ran back ${ahead.ranBack} ms`)
    assert.ok(ahead.first!.offset2 < 0, 'client1 had nothing to slew')
    assert.is(behind.ranBack, 0)
    assert.ok(behind.first!.offset2 > 0, 'client2 had nothing to step forward')
    // The bug: at its first response the clock stepped back by the whole estimate (about the
    // 600 ms it was ahead).
    assert.ok(stepper.ranBack >= -Math.trunc(stepper.first!.offset2 / 2), `client3 ran back only ${stepper.ranBack} ms`)
    assert.ok(stepper.ranBack > 300)
  } finally {
    await cluster.stop()
    for (const port of cluster.ports) assert.is(await isListening(port), false, `port ${port} still open`)
    rmSync(data, { recursive: true, force: true })
  }
})

test('protocheck serve clock-sync: a server and two clients that synchronise; SIGTERM stops them all', async () => {
  const server = spawn(process.execPath, [cliPath, 'serve', 'clock-sync', '--nodes', '3', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  server.stderr!.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => server.once('close', resolve))
  let nodes: { name: string; port: number }[] = []
  try {
    nodes = JSON.parse(await new Promise<string>((resolve, reject) => {
      let text = ''
      server.stdout!.on('data', (chunk) => {
        text += chunk
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
      })
      server.once('close', () => reject(new Error(`serve exited: ${stderr}`)))
    })).nodes
    assert.equal(nodes.map((n) => n.name), ['server', 'client1', 'client2'])
    for (;;) {
      const statuses = (await Promise.all(nodes.slice(1).map((n) => request(n.port, { type: 'status' })))) as ClientStatus[]
      if (statuses.every((s) => s.exchanges >= 1)) {
        // Booted 300 ms ahead and 300 ms behind: the first estimates say so.
        assert.ok(statuses[0].first!.offset2 < 0 && statuses[1].first!.offset2 > 0)
        break
      }
      await sleep(50)
    }
  } finally {
    server.kill('SIGTERM')
    assert.is(await exited, 0, stderr)
    for (const n of nodes) assert.is(await isListening(n.port), false, `${n.name} still listens`)
  }
})

test.run()
