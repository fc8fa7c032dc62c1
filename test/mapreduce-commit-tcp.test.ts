// mapreduce-commit over real TCP on 127.0.0.1: a coordinator process (hosting the file system)
// and worker processes. A worker killed in the middle of writing leaves its partial files in
// _temporary, the task is retried, and the committed job's output holds every task exactly once
// and complete; frames that are not the protocol's are dropped without harm. A worker killed
// after its rename, before its report, fails the job; the release-lost-committer coordinator
// lets a second attempt commit instead, and the output holds that task twice. `protocheck serve`
// runs the same processes to a committed job.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePorts, ProcessCluster } from '../runtime/launcher.js'
import { connect, isListening, request } from '../runtime/tcp.js'
import { SERVED_PARTS, SERVED_TASKS } from '../protocols/mapreduce-commit/serve.js'
import { startServe } from './helpers/serve.js'

const nodeScript = fileURLToPath(new URL('../protocols/mapreduce-commit/impl/node.js', import.meta.url))

interface Directory {
  at: string
  files: number
}
interface CoordinatorView {
  job: string
  failures: number
  tasks: { attempts: number; committer: number; done: boolean }[]
  dirs: Record<string, Directory>
}
interface WorkerView {
  status: string
  task: number
  attempt: number
  written: number
}

const inspect = <T>(port: number) => request(port, { type: 'Inspect' }, 1000).then((r) => r as T, () => null)

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const result = await probe()
    if (result !== undefined) return result
    await sleep(25)
  }
  throw new Error(`timed out waiting for ${what}`)
}

interface Setup {
  tasks: number
  workers: number
  parts: number
  writeMs: number
  pauseBeforeReport?: number
  speculate?: boolean
  bug?: string
}

async function launch(s: Setup) {
  const ports = await freePorts(s.workers + 1)
  const bug = s.bug ? ['--bug', s.bug] : []
  const cluster = await ProcessCluster.launch([
    { name: 'coordinator', script: nodeScript, port: ports[0], args: ['--role', 'coordinator', '--tasks', String(s.tasks), '--workers', String(s.workers), ...(s.speculate ? ['--speculate'] : []), ...bug] },
    ...Array.from({ length: s.workers }, (_, w) => ({
      name: `worker${w + 1}`,
      script: nodeScript,
      port: ports[w + 1],
      args: ['--role', 'worker', '--id', String(w), '--coordinator', String(ports[0]), '--parts', String(s.parts), '--write-ms', String(s.writeMs), '--pause-before-report', String(s.pauseBeforeReport ?? 0), ...bug],
    })),
  ])
  return { cluster, ports, coordinator: () => inspect<CoordinatorView>(ports[0]), worker: (w: number) => inspect<WorkerView>(ports[w + 1]) }
}

/** The attempts of task t whose files are in the output directory. */
const inOutput = (view: CoordinatorView, t: number) => Object.entries(view.dirs).filter(([key, d]) => key.startsWith(`${t}/`) && d.at === 'output')

test('over TCP: a worker killed mid-write; its partial files stay out of the output, which holds each task once', async () => {
  const { cluster, ports, coordinator, worker } = await launch({ tasks: 3, workers: 3, parts: 3, writeMs: 250, speculate: true })
  try {
    // Frames that are not the protocol's, or that an unregistered peer may not send, are dropped.
    const stranger = await connect(ports[0])
    for (const junk of [42, null, 'Launch', { type: 'CanCommit', worker: 'x' }, { type: 'TaskDone', worker: 0, task: 0, attempt: 0 }, { type: 'MergeCommitted' }, { type: 'Rename', task: 9, attempt: 0 }]) stranger.send(junk)
    const answer = new Promise((resolve) => stranger.onMessage(resolve))
    stranger.send({ type: 'Inspect' })
    const seen = (await answer) as CoordinatorView
    assert.is(seen.job, 'running')
    assert.ok(seen.tasks.every((t) => !t.done))
    stranger.close()

    // Kill a worker that has written the first of its three parts (the next comes 250 ms later).
    const victim = await until('a worker part-way through its attempt', async () => {
      for (let w = 0; w < 3; w++) {
        const v = await worker(w)
        if (v?.status === 'writing' && v.written === 1) return { w, ...v }
      }
      return undefined
    })
    await cluster.kill(victim.w + 1)

    const done = await until('the job to commit', async () => {
      const view = await coordinator()
      return view?.job === 'committed' ? view : undefined
    })
    assert.is(done.failures, 1)
    for (let t = 0; t < 3; t++) {
      const out = inOutput(done, t)
      assert.is(out.length, 1, `task${t + 1} in the output: ${JSON.stringify(out)}`)
      assert.is(out[0][1].files, 3)
    }
    const left = done.dirs[`${victim.task}/${victim.attempt}`]
    assert.is(left.at, 'temp', 'the lost attempt\'s directory stays in _temporary')
    assert.ok(left.files >= 1 && left.files < 3, `the lost attempt wrote ${left.files} parts`)
  } finally {
    await cluster.stop()
  }
  for (const port of ports) assert.is(await isListening(port), false)
})

/** Kill the worker that has renamed its output and not yet reported; return the job's end. */
async function loseTheCommitter(bug?: string) {
  const { cluster, ports, coordinator, worker } = await launch({ tasks: 1, workers: 2, parts: 1, writeMs: 20, pauseBeforeReport: 2000, bug })
  try {
    const committer = await until('a worker that renamed its output', async () => {
      for (let w = 0; w < 2; w++) if ((await worker(w))?.status === 'committed') return w
      return undefined
    })
    await cluster.kill(committer + 1)
    return await until('the job to end', async () => {
      const view = await coordinator()
      return view && view.job !== 'running' ? view : undefined
    })
  } finally {
    await cluster.stop()
    for (const port of ports) assert.is(await isListening(port), false)
  }
}

test('over TCP: the committer lost between rename and report fails the job; with release-lost-committer the task is in the output twice', async () => {
  const [correct, buggy] = await Promise.all([loseTheCommitter(), loseTheCommitter('release-lost-committer')])
  assert.is(correct.job, 'aborted')
  assert.is(correct.tasks[0].attempts, 1, 'no second attempt was launched')
  assert.is(buggy.job, 'committed')
  assert.equal(inOutput(buggy, 0).map(([key]) => key).sort(), ['0/0', '0/1'])
})

test('protocheck serve mapreduce-commit: a coordinator and two workers run the job to its commit; SIGTERM leaves nothing behind', async () => {
  const { nodes, stop } = await startServe(['mapreduce-commit', '--nodes', '3'])
  try {
    assert.equal(nodes.map((n) => n.name), ['coordinator', 'worker1', 'worker2'])
    const done = await until('the served job to commit', async () => {
      const view = await inspect<CoordinatorView>(nodes[0].port)
      return view?.job === 'committed' ? view : undefined
    })
    for (let t = 0; t < SERVED_TASKS; t++) {
      const out = inOutput(done, t)
      assert.is(out.length, 1)
      assert.is(out[0][1].files, SERVED_PARTS)
    }
  } finally {
    assert.is(await stop(), 0)
  }
  for (const n of nodes) assert.is(await isListening(n.port), false, `${n.name} still listens`)
})

test.run()
