// `protocheck nemesis paxos`: 3 acceptor processes (impl/acceptor-node.ts, state on disk) and
// 4 proposer clients (impl/client.ts) racing on fresh keys (each client's n-th operation is
// on key n, so clients that keep pace propose on the same key at once), each key its own Paxos instance: a
// write-once register. propose(v) returns the chosen value: in the register, v's own value
// back is a compare-and-set from nothing to v (values are unique, so nothing else could have
// set it), another value w is a read of w (the register held w); with no answer it is an
// indeterminate cas. learn() is a read (null: nothing chosen). The history is checked against
// the kv model (cas and read per key); at the end each key is read once more, into the history,
// so two values chosen for one key show even if no client saw both. Faults: kill -9 and
// restart of an acceptor (its promises and votes come back from disk), pause, and a partition
// in which half the clients cannot reach one acceptor and the other half another, so that
// rival proposers work with different majorities.

import { rmSync } from 'node:fs'
import { clientLoops, type HistoryRecorder } from '../../nemesis/client.js'
import { inflictOnProcess, resumeAll, startInScratchFolder, undoOnProcess } from '../../nemesis/processes.js'
import type { NemesisCluster, NemesisSystem } from '../../nemesis/system.js'
import { ProcessCluster } from '../../runtime/launcher.js'
import { learn, NoQuorumError, propose, type BallotOptions } from './impl/client.js'
import servable from './serve.js'

const ACCEPTORS = 3
const CLIENTS = 4
/** Rounds a client tries before its operation is indeterminate (a propose) or failed (a read). */
const ROUNDS = 8
const ROUND_TIMEOUT_MS = 300

export default {
  summary: '3 acceptors, 4 proposers racing on fresh keys (a write-once register each); two values chosen for one key is a violation',
  model: 'kv',
  faults: [
    { kind: 'kill', target: 'any' },
    { kind: 'pause', target: 'any' },
    { kind: 'partition', target: 'any' },
  ],
  bugs: ['vote-below-promise'],
  start: (options) =>
    startInScratchFolder('paxos', async (dir) => {
      const processes = await ProcessCluster.launch(
        Array.from({ length: ACCEPTORS }, (_, i) => ({
          name: servable.nodeName(i),
          script: servable.script,
          args: [...servable.args(i, dir), ...(options.bug ? ['--bug', options.bug] : [])],
        })),
      )
      return new PaxosTarget(processes, dir)
    }),
} satisfies NemesisSystem

class PaxosTarget implements NemesisCluster {
  readonly nodeNames = Array.from({ length: ACCEPTORS }, (_, i) => servable.nodeName(i))
  /** Per client, the acceptors it cannot reach (a partition). */
  private readonly cutOff: Set<number>[] = Array.from({ length: CLIENTS }, () => new Set())
  private readonly keys = new Set<string>()
  private history: HistoryRecorder | undefined

  constructor(private readonly processes: ProcessCluster, private readonly dir: string) {}

  async ready() {
    return true
  }

  async resolve(_target: string, next: () => number) {
    return Math.floor(next() * ACCEPTORS)
  }

  async inflict(kind: string, node: number) {
    if (kind !== 'partition') return inflictOnProcess(this.processes, kind as 'kill' | 'pause', node)
    this.cutOff.forEach((blocked, client) => blocked.add((node + (client % 2)) % ACCEPTORS))
  }

  async undo(kind: string, node: number) {
    if (kind !== 'partition') return undoOnProcess(this.processes, kind as 'kill' | 'pause', node)
    for (const blocked of this.cutOff) blocked.clear()
  }

  private ballots(client: number, key: string): BallotOptions {
    const ports = this.processes.ports.map((port, a) => (this.cutOff[client].has(a) ? null : port))
    return { ports, key, proposerId: client, maxRounds: ROUNDS, timeoutMs: ROUND_TIMEOUT_MS }
  }

  async runClients(history: HistoryRecorder, deadline: number, next: () => number) {
    this.history = history
    await clientLoops(CLIENTS, deadline, async (client, process, n) => {
      const key = `k${n}`
      this.keys.add(key)
      if (next() < 0.7) {
        const value = `p${process}-${n}`
        return history.operation(process, 'cas', key, [null, value], async () => {
          try {
            const chosen = (await propose({ ...this.ballots(client, key), value })).value
            return chosen === value ? { status: 'ok' } : { status: 'ok', value: chosen, as: { f: 'read', value: null } }
          } catch (e) {
            if (e instanceof NoQuorumError) return { status: 'info' }
            throw e
          }
        })
      }
      return this.read(history, process, client, key)
    })
  }

  private read(history: HistoryRecorder, process: number | string, client: number, key: string) {
    return history.operation(process, 'read', key, null, async () => {
      try {
        return { status: 'ok', value: (await learn(this.ballots(client, key)))?.value ?? null }
      } catch (e) {
        // A read that learned nothing changed nothing it reports (it may have proposed a
        // value already forced, which changes no register).
        if (e instanceof NoQuorumError) return { status: 'fail' }
        throw e
      }
    })
  }

  /** Read every key once more, into the history: the chosen values must agree with it. */
  async finalCheck() {
    const unread: string[] = []
    for (const key of this.keys) {
      if ((await this.read(this.history!, 'final', 0, key)).status !== 'ok') unread.push(key)
    }
    return unread.length ? [`${unread.length} keys could not be read once every fault was undone: ${unread.join(', ')}`] : []
  }

  async stop() {
    resumeAll(this.processes)
    await this.processes.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
