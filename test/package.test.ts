// The package as a user gets it: `npm pack` of this repository, installed into a fresh project
// that models a protocol protocheck does not ship (Chang and Roberts' leader election on a ring,
// ported from tlaplus/Examples specifications/chang_roberts/ChangRoberts.tla), with its own
// driver and implementation. Everything runs through the installed binary and the public
// imports ('protocheck', 'protocheck/driver'), and the user's files are type-checked with
// strict TypeScript against the package's .d.ts files. Needs the npm registry (or its cache)
// for protocheck's dependencies; the repository's dist/ must be built.

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version

/** Every temporary folder made here, removed by test.after whatever happened. */
const temporary: string[] = []
const tempDir = (prefix: string, parent = tmpdir()) => {
  const dir = mkdtempSync(join(parent, prefix))
  temporary.push(dir)
  return dir
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

const env = { ...process.env, FORCE_COLOR: '0', PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` }

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Run {
  const r: SpawnSyncReturns<string> = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs })
  if (r.error) throw r.error
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const shown = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`

/** Parse stdout as the one JSON object --json prints. */
function json(r: Run): any {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`stdout is not one JSON object:\n${shown(r)}`)
  }
}

// ---- the user's project ----

const userModel = `// Chang and Roberts' leader election on a unidirectional ring, after tlaplus/Examples
// specifications/chang_roberts/ChangRoberts.tla (PlusCal, translated): variable for variable
// (msgs, pc, initiator, state) and action for action (n0, n1), with MCChangRoberts' ids
// Id[i] = i. Each initiator sends its id clockwise; a node that has lost forwards what it
// receives; a candidate forwards a smaller id and loses, drops a larger one, and wins on its
// own. For N = 3 TLC reports 137 distinct states, 227 generated, depth 10.

import { bool, defineModel, enumOf, int, mapOf, nodeId, protocol, range, record, setOf, wellTyped } from 'protocheck'

export default defineModel({
  name: 'chang-roberts',
  summary: 'Chang-Roberts leader election on a unidirectional ring (ChangRoberts.tla)',
  params: {
    n: { description: 'nodes on the ring (N)', default: 3, minimum: 1, maximum: 6 },
  },
  bugs: {
    'win-on-larger-id': 'a candidate that receives a larger id declares itself the winner instead of dropping it',
  },
  build({ n }, bug) {
    const Node = nodeId('node', n)
    const nodes = range(n)
    const Id = int(1, n)
    const id = (node: number) => node + 1
    const succ = (node: number) => (node + 1) % n
    const state = record({
      msgs: mapOf(Node, setOf(Id)),
      pc: mapOf(Node, enumOf('n0', 'n1', 'Done')),
      initiator: mapOf(Node, bool),
      state: mapOf(Node, enumOf('cand', 'lost', 'won')),
    })
    return protocol({
      state,
      actions: { n0: { self: Node }, n1: { self: Node, id: Id } },
      // initiator \\in [Node -> BOOLEAN]: every node an initiator first.
      init(emit) {
        for (let mask = (1 << n) - 1; mask >= 0; mask--) {
          emit((d) => {
            for (const v of nodes) {
              const initiator = (mask & (1 << v)) !== 0
              d.initiator.set(v, initiator)
              d.state.set(v, initiator ? 'cand' : 'lost')
              d.pc.set(v, 'n0')
            }
          })
        }
      },
      next(s, emit) {
        for (const self of nodes) {
          if (s.pc.get(self) === 'n0') {
            emit('n0', { self }, (d) => {
              if (s.initiator.get(self)) d.msgs.get(succ(self)).add(id(self))
              d.pc.set(self, 'n1')
            })
          }
          if (s.pc.get(self) !== 'n1') continue
          for (const m of s.msgs.get(self)) {
            emit('n1', { self, id: m }, (d) => {
              d.msgs.get(self).delete(m)
              if (s.state.get(self) === 'lost') {
                d.msgs.get(succ(self)).add(m)
              } else if (m < id(self)) {
                d.state.set(self, 'lost')
                d.msgs.get(succ(self)).add(m)
              } else if (m === id(self) || bug === 'win-on-larger-id') {
                d.state.set(self, 'won')
              }
            })
          }
        }
      },
      // Every node started and no message in flight: the election is over.
      terminal: (s) => nodes.every((v) => s.pc.get(v) === 'n1' && s.msgs.get(v).size === 0),
      always: {
        TypeOK: wellTyped,
        Correctness: (s) =>
          nodes.every(
            (v) =>
              s.state.get(v) !== 'won' ||
              (s.initiator.get(v) &&
                nodes.every((m) => m === v || (s.state.get(m) === 'lost' && (!s.initiator.get(m) || id(m) > id(v))))),
          ),
      },
      sometimes: {
        Elected: (s) => nodes.some((v) => s.state.get(v) === 'won'),
      },
    })
  },
})
`

const userNode = `// One ring node as a sans-IO core: start (an initiator sends its id to its successor) and
// receive an id (forward it, drop it, or win). Returns the next state and the messages to send.

import { refuse, type Transition } from 'protocheck/driver'

export interface NodeState {
  readonly self: number
  readonly id: number
  readonly initiator: boolean
  readonly started: boolean
  readonly state: 'cand' | 'lost' | 'won'
}

export type Event = { readonly type: 'Start' } | { readonly type: 'Receive'; readonly id: number }

export interface Config {
  readonly n: number
  readonly bug?: string
}

export const initialState = (self: number, initiator: boolean): NodeState => ({
  self,
  id: self + 1,
  initiator,
  started: false,
  state: initiator ? 'cand' : 'lost',
})

export function step(config: Config, s: NodeState, event: Event): Transition<NodeState, number, number> {
  const next = (s.self + 1) % config.n
  if (event.type === 'Start') {
    if (s.started) return refuse(\`node \${s.self} has started already\`)
    return { state: { ...s, started: true }, effects: s.initiator ? [{ to: next, message: s.id }] : [] }
  }
  if (!s.started) return refuse(\`node \${s.self} has not started\`)
  const forward = [{ to: next, message: event.id }]
  if (s.state === 'lost') return { state: s, effects: forward }
  if (event.id < s.id) return { state: { ...s, state: 'lost' }, effects: forward }
  if (event.id === s.id || config.bug === 'win-on-larger-id') return { state: { ...s, state: 'won' }, effects: [] }
  return { state: s, effects: [] }
}
`

const userDriver = `// Replays the model's steps on a ring of node cores: n0(self) starts a node, n1(self, id)
// delivers an id in flight to it. Every node of this implementation is an initiator.

import { isRefused, NotEnabledError, type Driver, type DriverFactory } from 'protocheck/driver'
import { initialState, step, type Config, type Event, type NodeState } from './node.js'

class Ring implements Driver {
  private readonly nodes: NodeState[]
  private readonly inFlight: Set<number>[]

  constructor(private readonly config: Config) {
    this.nodes = Array.from({ length: config.n }, (_, self) => initialState(self, true))
    this.inFlight = Array.from({ length: config.n }, () => new Set<number>())
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>): Promise<void> {
    const self = picks.self
    if (typeof self !== 'number' || !Number.isInteger(self) || self < 0 || self >= this.config.n) {
      throw new NotEnabledError(\`no node \${String(self)}\`)
    }
    if (action === 'n0') return this.deliver(self, { type: 'Start' })
    if (action === 'n1') {
      const id = picks.id
      if (typeof id !== 'number' || !this.inFlight[self].has(id)) throw new NotEnabledError(\`id \${String(id)} is not in flight to node \${self}\`)
      return this.deliver(self, { type: 'Receive', id })
    }
    throw new NotEnabledError(\`no action \${action}\`)
  }

  async observe() {
    return {
      msgs: this.inFlight.map((ids) => [...ids]),
      pc: this.nodes.map((node) => (node.started ? 'n1' : 'n0')),
      initiator: this.nodes.map((node) => node.initiator),
      state: this.nodes.map((node) => node.state),
    }
  }

  private deliver(self: number, event: Event) {
    const t = step(this.config, this.nodes[self], event)
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    if (event.type === 'Receive') this.inFlight[self].delete(event.id)
    this.nodes[self] = t.state
    for (const send of t.effects) this.inFlight[send.to].add(send.message)
  }
}

const driver: DriverFactory = {
  model: 'chang-roberts',
  start: async (params, bug) => new Ring({ n: params.n, bug }),
}

export default driver
`

const userTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: [],
  },
  include: ['ring/**/*.ts'],
}

const userScript = `import { check } from 'protocheck'

const { report } = await check('./ring/model.ts')
console.log(JSON.stringify(report))
`

const spec = (fields: object) => JSON.stringify({ $schema: '../node_modules/protocheck/suite/spec.schema.json', model: '../ring/model.ts', ...fields }, null, 2) + '\n'

// ---- the figures ----

/** TLC on MCChangRoberts.cfg (N = 3), as tlaplus/Examples' manifest records it. */
const TLC = { distinctStates: 137, generatedStates: 227, depth: 10 }
const BUG = 'win-on-larger-id'
/** init, n0(node1), n0(node3), n1(node1, 3): node1 wins on node3's larger id while node3 is a candidate. */
const BUG_TRACE_STATES = 4

// ---- the tests ----

let project = ''
let protocheck = ''
const cli = (args: readonly string[], cwd = project) => run(protocheck, args, cwd)

test.after(() => {
  for (const dir of temporary.reverse()) rmSync(dir, { recursive: true, force: true })
})

test('npm pack ships the templates, schemas and dist; the tarball installs into a fresh project', () => {
  const packDir = tempDir('protocheck-pack-')
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], repoRoot)
  assert.is(packed.code, 0, shown(packed))
  const [{ filename, files }] = json(packed) as [{ filename: string; files: { path: string }[] }]
  const paths = new Set(files.map((f) => f.path))
  for (const path of [
    'package.json', 'README.md', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/driver.js', 'dist/driver.d.ts',
    'dist/checker/typescript-hooks.js', 'dist/traces/show/viewer-page.js', 'suite/spec.schema.json', 'traces/itf.schema.json',
    'traces/show/viewer.css', 'templates/init/election/model.ts', 'templates/init/election/driver.ts', 'templates/init/election/node.ts',
    'templates/init/specs/election.json', 'templates/init/test/election.test.mjs', 'templates/init/tsconfig.json', 'templates/init/gitignore',
  ]) {
    assert.ok(paths.has(path), `the tarball has ${path}`)
  }
  assert.not.ok([...paths].some((p) => p.startsWith('dist/test/') || p.startsWith('dist/bench/')), 'no tests or benchmarks')

  project = tempDir('protocheck-user-')
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'ring-election', private: true, type: 'module' }, null, 2) + '\n')
  const installed = run('npm', ['install', join(packDir, filename), '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project, 300_000)
  assert.is(installed.code, 0, shown(installed))
  protocheck = join(project, 'node_modules', '.bin', 'protocheck')
  assert.ok(existsSync(protocheck), 'the protocheck binary is installed')
  assert.is(JSON.parse(readFileSync(join(project, 'node_modules', 'protocheck', 'package.json'), 'utf8')).version, version)

  mkdirSync(join(project, 'ring'))
  mkdirSync(join(project, 'specs'))
  writeFileSync(join(project, 'ring', 'model.ts'), userModel)
  writeFileSync(join(project, 'ring', 'node.ts'), userNode)
  writeFileSync(join(project, 'ring', 'driver.ts'), userDriver)
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(userTsconfig, null, 2) + '\n')
  writeFileSync(join(project, 'check.mjs'), userScript)
  writeFileSync(join(project, 'specs', 'chang-roberts.json'), spec({ params: { n: 3 }, expect: { result: 'safe' } }))
  writeFileSync(join(project, 'specs', `chang-roberts-${BUG}.json`), spec({ bug: BUG, expect: { result: 'violation', property: 'Correctness' } }))
})

test('the user model and driver type-check under strict TypeScript against the installed .d.ts files', () => {
  const r = run(process.execPath, [tsc, '-p', project], project)
  assert.is(r.code, 0, shown(r))
  assert.is(r.stdout + r.stderr, '')
})

test('check, bfs: TLC\'s figures for ChangRoberts N=3 (137 distinct, 227 generated, depth 10)', () => {
  const r = cli(['check', './ring/model.ts', '--json'])
  assert.is(r.code, 0, shown(r))
  const report = json(r)
  assert.is(report.model, 'chang-roberts')
  assert.is(report.result, 'safe')
  assert.equal({ distinctStates: report.distinctStates, generatedStates: report.generatedStates, depth: report.depth }, TLC)
})

test('check, dfs and 2 workers: the same states', () => {
  const dfs = cli(['check', './ring/model.ts', '--strategy', 'dfs', '--json'])
  assert.is(dfs.code, 0, shown(dfs))
  assert.is(json(dfs).result, 'safe')
  assert.is(json(dfs).distinctStates, TLC.distinctStates)
  const workers = cli(['check', './ring/model.ts', '--workers', '2', '--json'])
  assert.is(workers.code, 0, shown(workers))
  const report = json(workers)
  assert.is(report.result, 'safe')
  assert.equal({ distinctStates: report.distinctStates, generatedStates: report.generatedStates, depth: report.depth }, TLC)
})

test('check --symmetry: refused for a model that declares no symmetric roles (one line, exit 2)', () => {
  const r = cli(['check', './ring/model.ts', '--symmetry'])
  assert.is(r.code, 2, shown(r))
  assert.is(r.stdout, '')
  assert.is(r.stderr, 'protocheck: --symmetry: chang-roberts declares no symmetric roles\n')
})

test('check --bug: the violation of Correctness, its shortest trace written', () => {
  const r = cli(['check', './ring/model.ts', '--bug', BUG, '--out', 'cex.itf.json', '--json'])
  assert.is(r.code, 1, shown(r))
  const report = json(r)
  assert.is(report.result, 'violation')
  assert.is(report.property, 'Correctness')
  assert.is(report.traceLength, BUG_TRACE_STATES)
  assert.is(report.traceFile, 'cex.itf.json')
  const trace = JSON.parse(readFileSync(join(project, 'cex.itf.json'), 'utf8'))
  assert.is(trace.states.length, BUG_TRACE_STATES)
  assert.is(trace['#meta'].model, 'chang-roberts')
  assert.is(trace['#meta'].property, 'Correctness')
})

test('simulate --bug with a seed finds the violation, and its reproduce line runs as printed', () => {
  const r = cli(['simulate', './ring/model.ts', '--bug', BUG, '--seed', '1', '--json'])
  assert.is(r.code, 1, shown(r))
  const report = json(r)
  assert.is(report.result, 'violation')
  assert.is(report.property, 'Correctness')
  assert.is(report.traceLength, BUG_TRACE_STATES)
  // The printed command must name the model as the user did (a module path), not by its name.
  const [command, ...args] = (report.reproduce as string).split(' ')
  assert.is(command, 'protocheck')
  const again = cli(args)
  assert.is(again.code, 1, `${report.reproduce}\n${shown(again)}`)
  assert.match(again.stdout, /result: violation of Correctness/)
})

test('check specs/: spec files that name the model file relative to themselves', () => {
  const r = cli(['check', 'specs/'])
  assert.is(r.code, 0, shown(r))
  assert.match(r.stdout, /chang-roberts-win-on-larger-id +violation of Correctness +violation of Correctness +\d+ +[\d.]+ +ok/)
  assert.match(r.stdout, /chang-roberts +safe +safe +137 +[\d.]+ +ok/)
  assert.match(r.stdout, /2 specs: 2 as expected, 0 not/)
  // From elsewhere too: the model path is relative to the spec file, not to the working directory.
  const fromRing = cli(['check', '../specs/chang-roberts.json', '--json'], join(project, 'ring'))
  assert.is(fromRing.code, 0, shown(fromRing))
  assert.is(json(fromRing)[0].distinctStates, TLC.distinctStates)
})

test('show --html: the viewer page is written with the trace\'s states', () => {
  const r = cli(['show', 'cex.itf.json', '--html', 'cex.html'])
  assert.is(r.code, 0, shown(r))
  assert.is(r.stdout, `wrote the HTML viewer of cex.itf.json (${BUG_TRACE_STATES} states) to cex.html\n`)
  const html = readFileSync(join(project, 'cex.html'), 'utf8')
  assert.match(html, /^<!doctype html>/)
  assert.ok(html.includes('n1(self=node1, id=3)'), 'the page names the winning step')
  assert.ok(html.includes('Correctness'), 'the page names the violated property')
  assert.ok(html.includes('"won"'), 'the page holds the states')
  const text = cli(['show', 'cex.itf.json'])
  assert.is(text.code, 0, shown(text))
  assert.match(text.stdout, /3 n1\(self=node1, id=3\)\n\s+msgs\[node1\]: \{3\} -> \{\}\n\s+state\[node1\]: cand -> won/)
})

test('replay: the user\'s implementation reproduces the violation', () => {
  const r = cli(['replay', 'cex.itf.json', '--json'])
  assert.is(r.code, 0, shown(r))
  assert.equal(json(r), { model: 'chang-roberts', steps: BUG_TRACE_STATES - 1, divergence: null, property: 'Correctness', reproduced: true })
})

test('conform: the user\'s implementation follows 50 random walks of the model, with and without the bug', () => {
  const r = cli(['conform', './ring/model.ts', '--runs', '50', '--seed', '1', '--json'])
  assert.is(r.code, 0, shown(r))
  const { depth, ...report } = json(r)
  assert.equal(report, { model: 'chang-roberts', runs: 50, seed: 1, result: 'agree', traceFile: null })
  assert.ok(depth.max > 0 && depth.mean > 0, JSON.stringify(depth))
  const buggy = cli(['conform', './ring/model.ts', '--bug', BUG, '--runs', '50', '--seed', '1', '--json'])
  assert.is(buggy.code, 0, shown(buggy))
  assert.is(json(buggy).result, 'agree')
})

test('the programmatic API: a script imports check from protocheck', () => {
  const r = run(process.execPath, ['check.mjs'], project)
  assert.is(r.code, 0, shown(r))
  const report = json(r)
  assert.is(report.result, 'safe')
  assert.is(report.distinctStates, TLC.distinctStates)
})

test('init inside the installed project: its printed `check specs/` step passes, and its model is symmetric', () => {
  const starter = tempDir('starter-', project)
  const r = cli(['init'], starter)
  assert.is(r.code, 0, shown(r))
  const steps = r.stdout.split('\n').filter((line) => line.startsWith('  npx protocheck '))
  const checkSpecs = steps.find((line) => line.trim() === 'npx protocheck check specs/')
  assert.ok(checkSpecs, r.stdout)
  const checked = cli(checkSpecs!.trim().split(' ').slice(2), starter)
  assert.is(checked.code, 0, shown(checked))
  assert.match(checked.stdout, /2 specs: 2 as expected, 0 not/)
  const full = json(cli(['check', './election/model.ts', '--json'], starter))
  const symmetric = json(cli(['check', './election/model.ts', '--symmetry', '--json'], starter))
  assert.equal([full.result, full.distinctStates, symmetric.result, symmetric.distinctStates], ['safe', 41, 'safe', 10])
})

test.run()
