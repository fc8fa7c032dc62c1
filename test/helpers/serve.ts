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
    const line = await new Promise<string>((resolve, reject) => {
      let text = ''
      child.stdout!.on('data', (chunk) => {
        text += chunk
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
      })
      child.once('close', () => reject(new Error(`serve exited before it was ready: ${text}`)))
    })
    return { nodes: JSON.parse(line).nodes, stop }
  } catch (e) {
    await stop()
    throw e
  }
}
