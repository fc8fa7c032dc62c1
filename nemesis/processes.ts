// The process-level faults every adapter shares: kill -9 and restart from the node's own
// storage, SIGSTOP and SIGCONT (alive, holding its sockets, answering nothing).

import type { ProcessCluster } from '../runtime/launcher.js'
import type { FaultKind } from './schedule.js'

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
