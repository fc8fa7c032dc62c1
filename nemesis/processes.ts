// The process-level faults every adapter shares: kill -9 and restart from the node's own
// storage, SIGSTOP and SIGCONT (alive, holding its sockets, answering nothing).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ProcessCluster } from '../runtime/launcher.js'
import type { FaultKind } from './schedule.js'

/** Start a cluster whose nodes keep their storage in a fresh temporary folder: `start` gets
 * the folder, and the folder is removed if starting fails (once started, the cluster's stop()
 * removes it). */
export async function startInScratchFolder<T>(system: string, start: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `protocheck-${system}-nemesis-`))
  try {
    return await start(dir)
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}

export async function inflictOnProcess(processes: ProcessCluster, kind: FaultKind, node: number): Promise<void> {
  if (kind === 'kill') await processes.kill(node)
  else if (kind === 'pause') signal(processes, node, 'SIGSTOP')
  else throw new Error(`${kind} is not a process fault`)
}

export async function undoOnProcess(processes: ProcessCluster, kind: FaultKind, node: number): Promise<void> {
  if (kind === 'kill') await processes.restart(node)
  else if (kind === 'pause') signal(processes, node, 'SIGCONT')
  else throw new Error(`${kind} is not a process fault`)
}

/** Thaw every node, so that stop() can end them. */
export function resumeAll(processes: ProcessCluster) {
  processes.nodes.forEach((_, node) => signal(processes, node, 'SIGCONT'))
}

function signal(processes: ProcessCluster, node: number, name: NodeJS.Signals) {
  const pid = processes.nodes[node]?.pid
  if (pid === undefined) return
  try {
    process.kill(pid, name)
  } catch {
    // already gone: nothing to pause or resume
  }
}
