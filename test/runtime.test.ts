// runtime/: framing survives any chunking, TCP carries whole messages, and node processes
// start on OS-chosen ports, crash, restart on the same port and stop leaving no port open.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { encodeFrame, FrameDecoder, FramingError, MAX_FRAME_BYTES } from '../runtime/framing.js'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { isListening, listen, request } from '../runtime/tcp.js'

const echoNode = fileURLToPath(new URL('../runtime/echo-node.js', import.meta.url))

test('framing: messages come out whole and in order however the stream is cut', () => {
  fc.assert(
    fc.property(fc.array(fc.jsonValue(), { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (messages, cuts) => {
      const stream = Buffer.concat(messages.map(encodeFrame))
      const decoder = new FrameDecoder()
      const out: unknown[] = []
      for (let at = 0, i = 0; at < stream.length; i++) {
        const size = cuts[i % cuts.length]
        out.push(...decoder.push(stream.subarray(at, at + size)))
        at += size
      }
      assert.equal(out, JSON.parse(JSON.stringify(messages)))
      assert.is(decoder.buffered, 0)
    }),
    { numRuns: 200 },
  )
})

test('framing: an oversized length or a body that is not JSON is refused', () => {
  const huge = Buffer.alloc(4)
  huge.writeUInt32BE(MAX_FRAME_BYTES + 1)
  assert.throws(() => new FrameDecoder().push(huge), (e: unknown) => e instanceof FramingError)
  const garbage = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{{{')])
  assert.throws(() => new FrameDecoder().push(garbage), (e: unknown) => e instanceof FramingError && /not JSON/.test(e.message))
})

test('tcp: request/reply on an OS-chosen port; closing releases the port', async () => {
  const server = await listen(0, (c) => c.onMessage((m) => c.send({ got: m })))
  assert.ok(server.port > 0)
  assert.equal(await request(server.port, { n: 1 }), { got: { n: 1 } })
  await server.close()
  assert.is(await isListening(server.port), false)
  await request(server.port, {}).then(
    () => assert.unreachable('a closed port answered'),
    (e: Error) => assert.match(e.message, /ECONNREFUSED/),
  )
})

test('launcher: start, crash, restart on the same port, stop with nothing left behind', async () => {
  const cluster = await ProcessCluster.launch([{ script: echoNode }, { script: echoNode }, { script: echoNode }])
  try {
    const ports = cluster.ports
    assert.is(new Set(ports).size, 3)
    const replies = (await Promise.all(ports.map((p) => request(p, 'hi')))) as { echo: string; pid: number }[]
    assert.equal(replies.map((r) => r.echo), ['hi', 'hi', 'hi'])
    assert.equal(replies.map((r) => r.pid), cluster.nodes.map((n) => n.pid))

    const crashedPid = cluster.nodes[1].pid!
    await cluster.kill(1)
    assert.is(cluster.nodes[1].running, false)
    assert.is(await isListening(ports[1]), false)
    assert.ok(!processAlive(crashedPid))
    assert.equal(await request(ports[0], 'still up'), { echo: 'still up', pid: cluster.nodes[0].pid })

    assert.is(await cluster.restart(1), ports[1])
    const again = (await request(ports[1], 'back')) as { pid: number }
    assert.is.not(again.pid, crashedPid)
  } finally {
    const pids = cluster.nodes.map((n) => n.pid!)
    await cluster.stop()
    for (const port of cluster.ports) assert.is(await isListening(port), false, `port ${port} still open`)
    for (const pid of pids) assert.ok(!processAlive(pid), `process ${pid} still alive`)
  }
})

test('launcher: a node that cannot bind its port fails to start with its error', async () => {
  const [port] = await freePorts(1)
  const blocker = await listen(port, () => {})
  try {
    await ProcessCluster.launch([{ script: echoNode, port }]).then(
      () => assert.unreachable('started on a taken port'),
      (e: Error) => assert.match(e.message, /exited before listening.*EADDRINUSE/),
    )
  } finally {
    await blocker.close()
  }
})

test('launcher: nodes stop by themselves when the process that launched them is killed with SIGKILL', async () => {
  // A launcher of its own, so that it can die without taking this test with it.
  const script = `import { ProcessCluster } from ${JSON.stringify(new URL('../runtime/launcher.js', import.meta.url).href)}
const cluster = await ProcessCluster.launch([{ script: ${JSON.stringify(echoNode)} }, { script: ${JSON.stringify(echoNode)} }])
console.log(JSON.stringify({ ports: cluster.ports, pids: cluster.nodes.map((n) => n.pid) }))`
  const launcher = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const started = await new Promise<{ ports: number[]; pids: number[] }>((resolve, reject) => {
    let text = ''
    launcher.stdout!.on('data', (d) => {
      text += d
      if (text.includes('\n')) resolve(JSON.parse(text))
    })
    launcher.once('close', () => reject(new Error(`launcher exited: ${text}`)))
  })
  for (const port of started.ports) assert.ok(await isListening(port))
  launcher.kill('SIGKILL')
  const deadline = Date.now() + 15_000
  while (started.pids.some(processAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  for (const pid of started.pids) assert.ok(!processAlive(pid), `node ${pid} outlived its launcher`)
  for (const port of started.ports) assert.is(await isListening(port), false)
})

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test.run()
