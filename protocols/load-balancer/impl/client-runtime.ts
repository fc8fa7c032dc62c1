// A client over TCP: it runs the client core against the balancer's port, sending its request
// under its key and retrying each failure (a new attempt, same key) up to `retries` times.
// Also: asking the store how often each request ran.

import { isRefused } from '../../../conformance/transition.js'
import { request } from '../../../runtime/tcp.js'
import { initialClient, stepClient, type ClientEvent, type ClientState } from './client.js'
import type { ClientAnswer } from './messages.js'
import { parseClientAnswer, parseStoreStats } from './wire.js'

export interface SendOptions {
  /** The balancer's port on 127.0.0.1. */
  readonly port: number
  readonly key: string
  readonly retries: number
  /** How long the client waits for one attempt's answer (longer than the balancer's timeout). */
  readonly waitMs?: number
  /** Pause between a failure and the retry. */
  readonly pauseMs?: number
}

export interface Outcome {
  readonly state: ClientState
  /** Every answer and failure received, in order. */
  readonly answers: readonly ClientAnswer[]
}

export async function sendRequest(options: SendOptions): Promise<Outcome> {
  let state = initialClient(options.key)
  const answers: ClientAnswer[] = []
  let event: ClientEvent = { type: 'Request' }
  for (;;) {
    const sent = stepClient(state, event)
    if (isRefused(sent)) throw new Error(sent.refused)
    state = sent.state
    const [{ message }] = sent.effects
    let answer: ClientAnswer | null
    try {
      answer = parseClientAnswer(await request(options.port, message, options.waitMs ?? 5000))
    } catch (error) {
      answer = null
    }
    const attempt = state.tries - 1
    const received = answer ?? { type: 'Failed' as const, key: options.key, attempt, reason: 'no answer from the balancer' }
    answers.push(received)
    const t = stepClient(state, { type: 'Receive', message: received })
    if (isRefused(t)) throw new Error(t.refused)
    state = t.state
    if (state.status !== 'failed' || state.tries > options.retries) return { state, answers }
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 50))
    event = { type: 'Retry' }
  }
}

/** How many times the store saw each key's request completed (run). */
export async function completions(storePort: number): Promise<Readonly<Record<string, number>>> {
  const stats = parseStoreStats(await request(storePort, { type: 'Stats' }))
  if (stats === null) throw new Error('the store did not answer its stats')
  return stats.completions
}
