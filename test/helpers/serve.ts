// `protocheck serve <model> --json` as a user runs it: the node processes it started, and a
// SIGTERM that must stop them all and exit 0.

import { spawn, type ChildProcess } from 'node:child_process'
import { cliPath } from './cli.js'

export interface Served {
  /** The nodes serve printed, in order. */
  nodes: { name: string; port: number }[]
  /** SIGTERM to serve; resolves with its exit code once it has closed. */
  stop(): Promise<number | null>
}

export async function startServe(args: string[]): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [cliPath, 'serve', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  const stop = () => {
    child.kill('SIGTERM')
    return exited
  }
  try {
    return { nodes: JSON.parse(await firstLine(child)).nodes, stop }
  } catch (e) {
    await stop()
    throw e
  }
}

/** The first line a process prints on stdout (serve prints its nodes once they listen). */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer) => {
      text += chunk
      const end = text.indexOf('\n')
      if (end >= 0) {
        child.stdout!.off('data', onData)
        resolve(text.slice(0, end))
      }
    }
    child.stdout!.on('data', onData)
    child.once('close', () => reject(new Error(`exited before printing a line: ${text}`)))
  })
}

/** Is process `pid` still running? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
