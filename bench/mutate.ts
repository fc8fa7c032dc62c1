// `npm run mutate [-- --jobs N] [--protocol NAME]... [--target model|impl] [--only ID]...
// [--seeds 1,2] [--runs 200] [--timeout S] [--json]`: mutation testing of the shipped protocols. Each mutant (a plausible
// one-line mistake, bench/mutants/) is applied alone to a scratch copy of the build; a model
// mutant is judged by `check` on that protocol's shipped specs (killed: some verdict not as
// expected), an implementation mutant by `conform` (killed: some seed diverges). Prints the
// score per protocol for models and implementations, the overall score, and every survivor.
//
// A run that outlives --timeout is killed and counted as caught: CI would fail it too (this
// is said in the output for each such mutant). So is a model mutant that only a recorded path
// (a spec's trace or from) no longer fitting catches; those are listed apart. Equivalent
// mutants are listed with their reason in bench/mutants/equivalent.json, shown, and left out
// of the scores.

import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadMutants, type Mutant } from './mutate-mutants.js'
import { applyToSource, Workspace } from './mutate-workspace.js'

const projectRoot = fileURLToPath(new URL('../../', import.meta.url))

interface Options {
  jobs: number
  protocols: string[]
  only: string[]
  targets: Mutant['target'][]
  seeds: number[]
  runs: number
  timeoutSeconds: number
  json: boolean
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { jobs: 1, protocols: [], only: [], targets: ['model', 'impl'], seeds: [1, 2], runs: 200, timeoutSeconds: 600, json: false }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) usage(`${flag} needs a value`)
      return v
    }
    const positive = (v: string) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 1) usage(`${flag} takes a positive integer, not ${v}`)
      return n
    }
    if (flag === '--jobs') options.jobs = positive(value())
    else if (flag === '--protocol') options.protocols.push(value())
    else if (flag === '--only') options.only.push(value())
    else if (flag === '--target') {
      const target = value()
      if (target !== 'model' && target !== 'impl') usage(`--target is model or impl, not ${target}`)
      options.targets = [target]
    }
    else if (flag === '--seeds') options.seeds = value().split(',').map(positive)
    else if (flag === '--runs') options.runs = positive(value())
    else if (flag === '--timeout') options.timeoutSeconds = positive(value())
    else if (flag === '--json') options.json = true
    else usage(`unknown option ${flag}`)
  }
  return options
}

function usage(problem: string): never {
  process.stderr.write(`mutate: ${problem}\n`)
  process.exit(2)
}

interface Outcome extends Verdict {
  mutant: Mutant
  seconds: number
}

interface ChildResult {
  code: number | null
  stdout: string
  stderr: string
  timedOut: boolean
}

/** Children still running: killed if mutate itself is stopped, so none outlives it. */
const running = new Set<ReturnType<typeof spawn>>()

function runChild(args: readonly string[], timeoutSeconds: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    running.add(child)
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutSeconds * 1000)
    child.on('error', reject)
    child.on('close', (code) => {
      running.delete(child)
      clearTimeout(timer)
      resolve({ code, stdout, stderr, timedOut })
    })
  })
}

/** The shipped specs of a protocol: every spec file whose model is it. */
function specsOf(protocol: string): string[] {
  const folder = join(projectRoot, 'specs')
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json') && JSON.parse(readFileSync(join(folder, f), 'utf8')).model === protocol)
    .sort()
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? ''

/** A spec that pins a recorded path (`trace` re-checked, or `from`): a mutant that changes the
 * model along that path fails it as bad input, whatever the properties say. */
const pinsPath = (file: string) => {
  const spec = JSON.parse(readFileSync(file, 'utf8')) as { trace?: string; from?: string }
  return spec.trace !== undefined || spec.from !== undefined
}

interface Verdict {
  killed: boolean
  /** What caught it (the specs not as expected, the seed that diverged, a timeout), or why it lived. */
  detail: string
  /** Caught only because a recorded path no longer fits the mutated model: no verdict of the
   * specs that search (they all passed) would have caught it. */
  byPathOnly?: boolean
}

/** `check` on these spec files: killed, and by what. */
async function judgeSpecs(ws: Workspace, specs: readonly string[], options: Options): Promise<Verdict> {
  const r = await runChild([ws.cli, 'check', ...specs, '--json'], options.timeoutSeconds)
  if (r.timedOut) return { killed: true, detail: `timeout: check specs/ ran past ${options.timeoutSeconds} s` }
  if (r.code === 0) return { killed: false, detail: `${specs.length} specs as expected` }
  if (r.code === 1) {
    const failed = (JSON.parse(r.stdout) as { spec: string; passed: boolean; result: string; property: string | null }[]).filter((s) => !s.passed)
    return { killed: true, detail: failed.map((s) => `${s.spec}: ${s.result}${s.property ? ` of ${s.property}` : ''}`).join('; ') }
  }
  return { killed: true, detail: `check exit ${r.code}: ${lastLine(r.stderr)}` }
}

/** Judge the copy as it is now (mutated or not): killed, and by what. */
async function judge(ws: Workspace, { target, protocol, conformConfigs }: Pick<Mutant, 'target' | 'protocol' | 'conformConfigs'>, options: Options): Promise<Verdict> {
  if (target === 'model') {
    const specs = specsOf(protocol).map((f) => join(ws.root, 'specs', f))
    const verdict = await judgeSpecs(ws, specs, options)
    // Every spec is loaded (and a recorded path re-checked) before any is searched, so a path
    // that no longer fits hides what the other specs find: judge them again without it.
    if (!verdict.detail.startsWith('check exit 2') || !/: \/(trace|from) /.test(verdict.detail)) return verdict
    const searching = specs.filter((f) => !pinsPath(f))
    const rest = await judgeSpecs(ws, searching, options)
    if (rest.killed) return { killed: true, detail: `${rest.detail} (and a recorded path no longer fits)` }
    return { killed: true, byPathOnly: true, detail: `only a recorded path no longer fits: ${verdict.detail.replace(/^check exit 2: /, '')}` }
  }
  for (const config of conformConfigs) {
    const params = Object.entries(config.params).flatMap(([k, v]) => ['--param', `${k}=${v}`])
    if (config.from) params.push('--from', join(ws.root, config.from))
    const where = Object.entries(config.params).map(([k, v]) => ` ${k}=${v}`).join('') + (config.from ? ` --from ${config.from}` : '')
    for (const seed of options.seeds) {
      // Only the verdict counts here: no shrinking, and the walk goes to the job's folder.
      const out = join(ws.root, `conform-${seed}.itf.json`)
      const r = await runChild([ws.cli, 'conform', protocol, ...params, '--runs', String(options.runs), '--seed', String(seed), '--no-shrink', '--out', out, '--json'], options.timeoutSeconds)
      rmSync(out, { force: true })
      if (r.timedOut) return { killed: true, detail: `timeout: conform${where} --seed ${seed} ran past ${options.timeoutSeconds} s` }
      if (r.code === 0) continue
      if (r.code === 1) return { killed: true, detail: `conform${where} --seed ${seed} diverged` }
      return { killed: true, detail: `conform${where} --seed ${seed} exit ${r.code}: ${lastLine(r.stderr)}` }
    }
  }
  return { killed: false, detail: `conform agreed on ${conformConfigs.length} configuration(s), seeds ${options.seeds.join(',')} (${options.runs} walks each)` }
}

async function main() {
  const options = parseOptions(process.argv.slice(2))
  let mutants = loadMutants(projectRoot)
  if (options.protocols.length > 0) mutants = mutants.filter((m) => options.protocols.includes(m.protocol))
  mutants = mutants.filter((m) => options.targets.includes(m.target))
  if (options.only.length > 0) mutants = mutants.filter((m) => options.only.includes(m.id))
  if (mutants.length === 0) usage('no mutant selected')
  // Every mutant must still apply to today's source before anything runs.
  for (const m of mutants) {
    try {
      applyToSource(readFileSync(join(projectRoot, m.file), 'utf8'), m)
    } catch (e) {
      usage((e as Error).message)
    }
  }
  const progress = (line: string) => process.stderr.write(line + '\n')

  const scratch = mkdtempSync(join(tmpdir(), 'protocheck-mutate-'))
  const cleanUp = () => {
    for (const child of running) child.kill('SIGKILL')
    rmSync(scratch, { recursive: true, force: true })
  }
  process.on('exit', cleanUp)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))
  const workspaces = Array.from({ length: Math.min(options.jobs, mutants.length) }, (_, k) => new Workspace(projectRoot, join(scratch, `job-${k + 1}`)))

  // The unmutated protocols must pass their own judges, or no mutant's verdict means anything.
  const baselines = mutants.filter((m, i) => mutants.findIndex((o) => o.target === m.target && o.protocol === m.protocol) === i)
  await pool(baselines, workspaces, async (first, ws) => {
    const verdict = await judge(ws, first, options)
    if (verdict.killed) {
      process.stderr.write(`mutate: the unmutated ${first.protocol} ${first.target} fails its judge (${verdict.detail}): fix that first\n`)
      process.exit(1)
    }
  })

  const outcomes: Outcome[] = []
  await pool(mutants, workspaces, async (mutant, ws) => {
    const started = performance.now()
    const restore = await ws.apply(mutant)
    try {
      const verdict = await judge(ws, mutant, options)
      const outcome = { mutant, ...verdict, seconds: (performance.now() - started) / 1000 }
      outcomes.push(outcome)
      progress(`${outcome.killed ? 'killed  ' : 'SURVIVED'} ${mutant.id} (${outcome.seconds.toFixed(1)} s): ${outcome.detail}`)
    } finally {
      restore()
    }
  })
  outcomes.sort((a, b) => mutants.indexOf(a.mutant) - mutants.indexOf(b.mutant))
  const summary = summarize(outcomes)
  if (options.json) process.stdout.write(JSON.stringify(summary) + '\n')
  else printSummary(summary)
}

/** Run `work` on every item, at most one at a time per workspace. */
async function pool<T>(items: readonly T[], workspaces: readonly Workspace[], work: (item: T, ws: Workspace) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    workspaces.map(async (ws) => {
      while (next < items.length) await work(items[next++], ws)
    }),
  )
}

interface Score {
  killed: number
  /** Non-equivalent mutants. */
  mutants: number
  equivalent: number
}

const score = (outcomes: readonly Outcome[]): Score => {
  const live = outcomes.filter((o) => !o.mutant.equivalent)
  return { killed: live.filter((o) => o.killed).length, mutants: live.length, equivalent: outcomes.length - live.length }
}

function summarize(outcomes: readonly Outcome[]) {
  const protocols = [...new Set(outcomes.map((o) => o.mutant.protocol))]
  const of = (protocol: string | null, target: Mutant['target']) => score(outcomes.filter((o) => (protocol === null || o.mutant.protocol === protocol) && o.mutant.target === target))
  return {
    protocols: protocols.map((protocol) => ({ protocol, model: of(protocol, 'model'), impl: of(protocol, 'impl') })),
    overall: { model: of(null, 'model'), impl: of(null, 'impl') },
    survivors: outcomes.filter((o) => !o.killed && !o.mutant.equivalent).map((o) => ({ id: o.mutant.id, kind: o.mutant.kind, description: o.mutant.description })),
    equivalent: outcomes.filter((o) => o.mutant.equivalent).map((o) => ({ id: o.mutant.id, killed: o.killed, reason: o.mutant.equivalent })),
    timeouts: outcomes.filter((o) => o.detail.startsWith('timeout')).map((o) => ({ id: o.mutant.id, detail: o.detail })),
    byPathOnly: outcomes.filter((o) => o.byPathOnly && !o.mutant.equivalent).map((o) => ({ id: o.mutant.id, detail: o.detail })),
  }
}

const percent = (s: Score) => (s.mutants === 0 ? '-' : `${Math.round((100 * s.killed) / s.mutants)}%`)
const cell = (s: Score) => (s.mutants === 0 && s.equivalent === 0 ? '-' : `${s.killed}/${s.mutants} ${percent(s)}${s.equivalent ? ` (+${s.equivalent} equiv.)` : ''}`)

function printSummary(summary: ReturnType<typeof summarize>): void {
  const rows = [...summary.protocols.map((p) => [p.protocol, cell(p.model), cell(p.impl)]), ['overall', cell(summary.overall.model), cell(summary.overall.impl)]]
  const header = ['protocol', 'model (check specs/)', 'implementation (conform)']
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)))
  const line = (r: string[]) => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd()
  console.log(line(header))
  for (const r of rows) console.log(line(r))
  console.log('')
  console.log(summary.survivors.length === 0 ? 'no survivors' : `${summary.survivors.length} survivors:`)
  for (const s of summary.survivors) console.log(`  ${s.id} [${s.kind}]: ${s.description}`)
  if (summary.timeouts.length > 0) {
    console.log('caught by a timeout (counted as killed):')
    for (const t of summary.timeouts) console.log(`  ${t.id}: ${t.detail}`)
  }
  if (summary.byPathOnly.length > 0) {
    console.log('caught only because a recorded path (a spec\'s trace or from) no longer fits the mutated model (counted as caught):')
    for (const p of summary.byPathOnly) console.log(`  ${p.id}: ${p.detail}`)
  }
  if (summary.equivalent.length > 0) {
    console.log('equivalent (not scored):')
    for (const e of summary.equivalent) console.log(`  ${e.id}: ${e.reason}${e.killed ? ' (yet killed: check the reason)' : ''}`)
  }
}

await main()
