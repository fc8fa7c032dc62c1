// A driver process for tests: serves a built-in protocol's in-process driver over the JSON-lines
// driver protocol, so that --driver-cmd can be tested against an implementation known to agree.
// MISBEHAVE=<kind>@<n> makes the n-th request (counting from 1) go wrong in one way:
//   garbage   answer a line that is not JSON        silent   never answer
//   die       exit with code 3                       wrong-id answer with another id
//   error     answer result 'error'                  version  answer start with version 2
//   bad-state observe answers a variable of the wrong type
// Usage: node json-lines-driver.js <built-in model name>

import { createInterface } from 'node:readline'
import { Instance } from '../../checker/instance.js'
import { valueFromItf } from '../../checker/schema.js'
import { NotEnabledError, type Driver, type DriverFactory } from '../../conformance/driver.js'
import { loadDriver, loadModel } from '../../api/load.js'

const [kind, at] = (process.env.MISBEHAVE ?? '').split('@')
const model = await loadModel(process.argv[2])
const factory: DriverFactory = await loadDriver(model)
let instance: Instance | undefined
let driver: Driver | undefined
let params: Record<string, number> = {}
let bug: string | undefined
let count = 0

const answer = (line: unknown) => process.stdout.write((typeof line === 'string' ? line : JSON.stringify(line)) + '\n')

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line)
  const { id, method } = request
  count++
  if (count === Number(at)) {
    if (kind === 'garbage') { answer('this is not json'); continue }
    if (kind === 'silent') continue
    if (kind === 'die') process.exit(3)
    if (kind === 'wrong-id') { answer({ id: id + 7, result: method === 'observe' ? 'state' : 'ok', state: {} }); continue }
    if (kind === 'error') { answer({ id, result: 'error', message: 'the cluster is on fire' }); continue }
    if (kind === 'version') { answer({ id, result: 'started', version: 2 }); continue }
  }
  try {
    if (method === 'start') {
      params = request.params
      bug = request.bug ?? undefined
      instance = Instance.create(model, params, bug)
      driver = await factory.start(params, bug)
      answer({ id, result: 'started', version: 1 })
    } else if (method === 'reset') {
      await driver!.stop?.()
      driver = await factory.start(params, bug)
      answer({ id, result: 'ok' })
    } else if (method === 'apply') {
      const types = instance!.protocol.actions[request.action] ?? {}
      const picks = Object.fromEntries(Object.entries(request.picks).map(([k, v]) => [k, types[k] ? valueFromItf(types[k], v, `pick ${k}`) : v]))
      try {
        await driver!.apply(request.action, picks)
        answer({ id, result: 'taken' })
      } catch (e) {
        if (!(e instanceof NotEnabledError)) throw e
        answer({ id, result: 'refused', reason: e.message })
      }
    } else if (method === 'observe') {
      const state = instance!.schema.toItf((await driver!.observe()) as never)
      if (kind === 'bad-state' && count >= Number(at)) state[instance!.schema.variables[0]] = { '#set': [{ nonsense: true }] }
      answer({ id, result: 'state', state })
    } else if (method === 'stop') {
      answer({ id, result: 'ok' })
      process.exit(0)
    }
  } catch (e) {
    answer({ id, result: 'error', message: (e as Error).message })
  }
}
