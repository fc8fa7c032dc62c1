// The load balancer over real TCP on 127.0.0.1. Through `protocheck serve load-balancer`: a
// balancer, the idempotency store and two backends; clients' requests are answered, a backend
// is killed and the rest are still answered (a request sent to it before the health check
// noticed fails back and its retry goes elsewhere), every request ran exactly once, and
// stopping leaves nothing behind. With slow backends and a short balancer timeout, a retry
// meets its first attempt still running: the store's claim turns it away and the request runs
// once; backends built with --bug unclaimed-key run it twice, the counterexample that
// `protocheck check load-balancer --bug unclaimed-key` finds.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { completions, sendRequest } from '../protocols/load-balancer/impl/client-runtime.js'
import { ProcessCluster } from '../runtime/launcher.js'
import { isListening } from '../runtime/tcp.js'
import { cliPath } from './helpers/cli.js'
import { alive, firstLine } from './helpers/serve.js'

const script = (name: string) => fileURLToPath(new URL(`../protocols/load-balancer/impl/${name}.js`, import.meta.url))

test('serve load-balancer: requests answered before and after a backend is killed, each run once; clean shutdown', async () => {
  const server = spawn(process.execPath, [cliPath, 'serve', 'load-balancer', '--nodes', '4', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  server.stderr!.on('data', (c) => (stderr += c))
  const exited = new Promise<number | null>((resolve) => server.once('close', resolve))
  let nodes: { name: string; port: number; pid: number }[] = []
  try {
    nodes = JSON.parse(await firstLine(server)).nodes
    assert.equal(nodes.map((n) => n.name), ['lb', 'store', 'backend1', 'backend2'])
    const [lb, store] = nodes.map((n) => n.port)
    const send = (key: string) => sendRequest({ port: lb, key, retries: 10 })

    const before = await Promise.all(['a', 'b', 'c', 'd'].map(send))
    for (const r of before) assert.is(r.state.status, 'answered', JSON.stringify(r.answers))

    process.kill(nodes[2].pid, 'SIGKILL')
    const after = await Promise.all(['e', 'f', 'g', 'h'].map(send))
    for (const r of after) assert.is(r.state.status, 'answered', JSON.stringify(r.answers))

    // Every key's request ran exactly once, retries or not.
    assert.equal(await completions(store), { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1 })
    // A second request under a key already done is answered with the stored result, not run again.
    assert.is((await send('a')).state.status, 'answered')
    assert.is((await completions(store)).a, 1)
  } finally {
    server.kill('SIGTERM')
    assert.is(await exited, 0, stderr)
    assert.match(stderr, /backend1 exited \(SIGKILL\)/)
    for (const n of nodes) {
      assert.is(await isListening(n.port), false, `port ${n.port} of ${n.name} is still open`)
      assert.ok(!alive(n.pid), `${n.name} (pid ${n.pid}) is still running`)
    }
  }
})

/** Slow backends (400 ms a request) behind a balancer that times out after 150 ms: the first
 * attempt times out while it runs, and the client's retries go round the backends. Returns how
 * many times the request ran once everything has finished. */
async function retriedWhileRunning(bug?: string): Promise<{ answered: boolean; runs: number }> {
  const bugArgs = bug ? ['--bug', bug] : []
  const store = await ProcessCluster.launch([{ name: 'store', script: script('store-node') }])
  const [storePort] = store.ports
  const backend = (id: number) => ({ name: `backend${id + 1}`, script: script('backend-node'), args: ['--id', String(id), '--store', String(storePort), '--work-ms', '400', ...bugArgs] })
  const backends = await ProcessCluster.launch([backend(0), backend(1)])
  const balancer = await ProcessCluster.launch([
    { name: 'lb', script: script('balancer-node'), args: ['--backends', backends.ports.join(','), '--timeout-ms', '150', '--health-ms', '100'] },
  ])
  try {
    const outcome = await sendRequest({ port: balancer.ports[0], key: 'pay-42', retries: 30, pauseMs: 50 })
    // Let every attempt still running finish.
    await sleep(900)
    return { answered: outcome.state.status === 'answered', runs: (await completions(storePort))['pay-42'] ?? 0 }
  } finally {
    await balancer.stop()
    await backends.stop()
    await store.stop()
  }
}

test('over TCP: a retry that meets its first attempt still running is turned away by the key\'s claim; the request runs once', async () => {
  assert.equal(await retriedWhileRunning(), { answered: true, runs: 1 })
})

test('over TCP with --bug unclaimed-key: the retry runs beside the first attempt, and the request runs twice', async () => {
  const { answered, runs } = await retriedWhileRunning('unclaimed-key')
  assert.ok(answered)
  assert.ok(runs >= 2, `ran ${runs} times`)
})

test('the node processes drop malformed frames and keep serving', async () => {
  const { request } = await import('../runtime/tcp.js')
  const store = await ProcessCluster.launch([{ name: 'store', script: script('store-node') }])
  const backends = await ProcessCluster.launch([{ name: 'backend1', script: script('backend-node'), args: ['--id', '0', '--store', String(store.ports[0]), '--work-ms', '1'] }])
  const balancer = await ProcessCluster.launch([{ name: 'lb', script: script('balancer-node'), args: ['--backends', String(backends.ports[0])] }])
  try {
    for (const [port, junk] of [
      [balancer.ports[0], { type: 'Request', key: 7, attempt: 0 }],
      [backends.ports[0], { type: 'Work', key: '', attempt: -1 }],
      [store.ports[0], { type: 'Claim', key: 'x' }],
    ] as const) {
      const answer = await request(port, junk, 200).then(
        (reply) => reply,
        () => 'no answer',
      )
      assert.is(answer, 'no answer', `${JSON.stringify(junk)} was answered`)
    }
    const r = await sendRequest({ port: balancer.ports[0], key: 'ok', retries: 3 })
    assert.is(r.state.status, 'answered')
  } finally {
    await balancer.stop()
    await backends.stop()
    await store.stop()
  }
})

test.run()
