// A driver that is a process in any language, speaking JSON lines on its stdin and stdout
// (docs/driver-protocol.md; the schema is driver-protocol.schema.json beside this file).
// protocheck starts the command once per replay or conform run and makes one request at a
// time; every answer is checked against the schema, its id and the request it answers, and
// a driver that answers garbage, hangs past the timeout or dies fails the call, which the
// caller reports as a DriverError naming the step.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import { Instance } from '../checker/instance.js'
import type { Model } from '../checker/model.js'
import { SchemaError, valueToItf, type ItfValue } from '../checker/schema.js'
import { NotEnabledError, type Driver, type DriverFactory } from './driver.js'

export const DRIVER_PROTOCOL_VERSION = 1

const protocolSchema = JSON.parse(readFileSync(new URL('../../conformance/driver-protocol.schema.json', import.meta.url), 'utf8'))
/** Compiled on the first answer: most commands never start a driver process. */
let validResponse: ValidateFunction | undefined

export interface ProcessDriverOptions {
  /** The command, run by /bin/sh -c. */
  command: string
  /** Where it runs (default: the working directory). */
  cwd?: string
  /** How long to wait for each answer, in milliseconds (default 10000). */
  timeoutMs?: number
}

type Request = { method: 'start' | 'reset' | 'apply' | 'observe' | 'stop' } & Record<string, unknown>
type Response = { id: number; result: string } & Record<string, unknown>

/** The results each method may be answered with (besides `error`). */
const ANSWERS: Record<Request['method'], readonly string[]> = {
  start: ['started'],
  reset: ['ok'],
  apply: ['taken', 'refused'],
  observe: ['state'],
  stop: ['ok'],
}

/** A DriverFactory that runs `options.command` and speaks the driver protocol to it. */
export function processDriver(model: Model, options: ProcessDriverOptions): DriverFactory {
  return {
    model: model.name,
    async start(params, bug) {
      const instance = Instance.create(model, params, bug)
      const driver = new ProcessDriver(instance, options)
      await driver.begin()
      return driver
    },
  }
}

class ProcessDriver implements Driver {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly timeoutMs: number
  private nextId = 1
  private pending: { id: number; method: string; resolve: (r: Response) => void; reject: (e: Error) => void } | undefined
  /** Why the process can take no more requests, once it cannot. */
  private dead: string | undefined
  private buffered = ''
  private lastStderrLine = ''

  constructor(private readonly instance: Instance, private readonly options: ProcessDriverOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000
    // Its own process group, so that a shell and everything it started are killed together.
    this.child = spawn('/bin/sh', ['-c', options.command], { cwd: options.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    running.add(this.child)
    this.child.stdout.setEncoding('utf8')
    this.child.stdout.on('data', (chunk: string) => this.received(chunk))
    this.child.stderr.setEncoding('utf8')
    this.child.stderr.on('data', (chunk: string) => {
      process.stderr.write(chunk)
      const lines = chunk.split('\n').filter((l) => l.trim() !== '')
      if (lines.length) this.lastStderrLine = lines.at(-1)!.trim()
    })
    this.child.stdin.on('error', () => {}) // a dead reader: reported through 'exit'
    this.child.on('error', (e) => this.fail(`could not run '${options.command}': ${e.message}`))
    this.child.on('exit', (code, signal) => {
      running.delete(this.child)
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
      this.fail(`the driver process ${how}${this.lastStderrLine ? ` (its last words: ${this.lastStderrLine})` : ''}`)
    })
  }

  async begin(): Promise<void> {
    const { schema, protocol, config, model } = this.instance
    const actions = Object.fromEntries(Object.entries(protocol.actions).map(([name, picks]) => [name, Object.keys(picks)]))
    const answer = await this.request({
      method: 'start',
      protocol: 'protocheck-driver',
      version: DRIVER_PROTOCOL_VERSION,
      model: model.name,
      params: config.params,
      bug: config.bug ?? null,
      variables: schema.variables,
      actions,
    })
    if (answer.version !== DRIVER_PROTOCOL_VERSION) {
      this.kill()
      throw new Error(`the driver speaks version ${answer.version} of the driver protocol; protocheck speaks ${DRIVER_PROTOCOL_VERSION}`)
    }
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>): Promise<void> {
    const types = this.instance.protocol.actions[action] ?? {}
    const itfPicks: Record<string, ItfValue> = {}
    for (const [name, value] of Object.entries(picks)) itfPicks[name] = types[name] ? valueToItf(types[name], value) : (value as ItfValue)
    const answer = await this.request({ method: 'apply', action, picks: itfPicks })
    if (answer.result === 'refused') throw new NotEnabledError(String(answer.reason))
  }

  async observe(): Promise<Record<string, unknown>> {
    const state = (await this.request({ method: 'observe' })).state as Record<string, unknown>
    const missing = this.instance.schema.variables.filter((v) => !(v in state))
    if (missing.length) throw new Error(`observe answered a state without ${missing.join(', ')}`)
    try {
      return this.instance.schema.fromItf(state, 'observed state') as unknown as Record<string, unknown>
    } catch (e) {
      if (e instanceof SchemaError) throw new Error(`observe answered a state that does not fit the model: ${e.message}`)
      throw e
    }
  }

  async reset(): Promise<void> {
    await this.request({ method: 'reset' })
  }

  async stop(): Promise<void> {
    if (this.dead) return
    try {
      await this.request({ method: 'stop' })
      this.child.stdin.end()
      if (this.child.exitCode === null && this.child.signalCode === null) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000)
        this.child.once('exit', () => (clearTimeout(timer), resolve()))
      })
    } finally {
      this.kill()
    }
  }

  private request(request: Request): Promise<Response> {
    if (this.dead) return Promise.reject(new Error(this.dead))
    const id = this.nextId++
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined
        this.kill()
        reject(new Error(`no answer to ${request.method} within ${this.timeoutMs} ms`))
      }, this.timeoutMs)
      this.pending = {
        id,
        method: request.method,
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      }
      this.child.stdin.write(JSON.stringify({ id, ...request }) + '\n')
    })
  }

  private received(chunk: string) {
    this.buffered += chunk
    let newline: number
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline).trim()
      this.buffered = this.buffered.slice(newline + 1)
      if (line !== '') this.answered(line)
    }
  }

  private answered(line: string) {
    const pending = this.pending
    this.pending = undefined
    const shown = line.length > 200 ? `${line.slice(0, 200)}...` : line
    const garbage = (why: string) => {
      this.kill()
      const error = new Error(`${why}: ${shown}`)
      if (pending) pending.reject(error)
      else this.dead ??= error.message
    }
    if (!pending) return garbage('the driver wrote a line when no request was waiting')
    let answer: unknown
    try {
      answer = JSON.parse(line)
    } catch {
      return garbage(`the driver answered ${pending.method} with a line that is not JSON`)
    }
    validResponse ??= new Ajv({ allowUnionTypes: true, strict: false }).addSchema(protocolSchema, 'driver-protocol').compile({ $ref: 'driver-protocol#/definitions/response' })
    if (!validResponse(answer)) {
      const e = validResponse.errors?.[0]
      return garbage(`the driver's answer to ${pending.method} does not fit the driver protocol (${e ? `${e.instancePath || 'top level'} ${e.message}` : 'invalid'})`)
    }
    const response = answer as Response
    if (response.id !== pending.id) return garbage(`the driver answered request ${response.id}, but request ${pending.id} (${pending.method}) was waiting`)
    if (response.result === 'error') return pending.reject(new Error(`the driver answered error: ${response.message}`))
    if (!ANSWERS[pending.method as Request['method']].includes(response.result)) {
      return garbage(`the driver answered ${pending.method} with result '${response.result}'`)
    }
    pending.resolve(response)
  }

  private fail(reason: string) {
    this.dead ??= reason
    const pending = this.pending
    this.pending = undefined
    pending?.reject(new Error(reason))
  }

  private kill() {
    this.dead ??= 'the driver process was stopped'
    killGroup(this.child)
  }
}

/** Driver processes still running: killed when protocheck exits, however it exits. */
const running = new Set<ChildProcessWithoutNullStreams>()
process.on('exit', () => {
  for (const child of running) killGroup(child)
})

function killGroup(child: ChildProcessWithoutNullStreams) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}
