// `protocheck init`: the starter project it writes, its refusal to overwrite anything, and the
// whole loop its printed next steps promise, run through this repository's CLI with the
// project's `protocheck` import resolved to this repository (a node_modules symlink).

import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli, type CliRun } from './helpers/cli.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version

const temporary: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'protocheck-init-'))
  temporary.push(dir)
  return dir
}
test.after(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

const shown = (r: CliRun) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
const json = (r: CliRun) => {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`stdout is not one JSON object:\n${shown(r)}`)
  }
}

/** Every file under `dir` (node_modules left out), relative, sorted. */
function filesUnder(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules')
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, join(under, e.name)) : [join(under, e.name)]))
    .sort()
}

const starterFiles = [
  '.gitignore',
  'election/driver.ts',
  'election/model.ts',
  'election/node.ts',
  'package.json',
  'specs/election-vote-twice.json',
  'specs/election.json',
  'test/election.test.mjs',
  'tsconfig.json',
]

const nextSteps = [
  'npx protocheck check specs/',
  'npx protocheck check ./election/model.ts --bug vote-twice --out cex.itf.json',
  'npx protocheck show cex.itf.json',
  'npx protocheck replay cex.itf.json',
  'npx protocheck conform ./election/model.ts',
]

/** The indented lines after `next steps:`. */
const stepsOf = (stdout: string) => {
  const after = stdout.split('\nnext steps:\n')[1] ?? ''
  return after.split('\n\n')[0].split('\n').map((line) => line.trim())
}

/** The election's figures with 3 nodes: every state, and one per renaming of the nodes. */
const ELECTION = { distinctStates: 41, generatedStates: 67, depth: 5, symmetryClasses: 10 }
/** Two timeouts, node3 votes for both candidates, both count its vote: 7 states. */
const VOTE_TWICE = { distinctStates: 60, traceStates: 7 }

test('init writes the starter into a new folder and prints next steps that start with cd', () => {
  const cwd = tempDir()
  const r = runCli(['init', 'my protocol'], { cwd })
  assert.is(r.code, 0, shown(r))
  assert.is(r.stderr, '')
  const dir = join(cwd, 'my protocol')
  assert.equal(filesUnder(dir), starterFiles)
  assert.equal(stepsOf(r.stdout), [`cd 'my protocol'`, 'npm install', ...nextSteps, 'npm test'])
  for (const file of starterFiles) assert.ok(r.stdout.includes(`  ${file}`), `the summary lists ${file}`)
  assert.equal(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')), {
    name: 'my-protocol',
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { check: 'protocheck check specs/', test: 'node --test' },
    devDependencies: { protocheck: `^${version}` },
  })
  // The templates are copied as they are (gitignore gains its dot).
  const templates = join(repoRoot, 'templates', 'init')
  assert.is(readFileSync(join(dir, 'election', 'model.ts'), 'utf8'), readFileSync(join(templates, 'election', 'model.ts'), 'utf8'))
  assert.is(readFileSync(join(dir, '.gitignore'), 'utf8'), readFileSync(join(templates, 'gitignore'), 'utf8'))
  // Each file says what it is in its first lines.
  for (const file of starterFiles.filter((f) => f !== 'package.json')) {
    const head = readFileSync(join(dir, file), 'utf8').slice(0, 400)
    assert.ok(/^(\/\/|#) \S/.test(head) || /"description": "/.test(head), `${file} opens with what it is`)
  }
})

test('init refuses a second time: one line naming the file that exists, exit 2, nothing changed', () => {
  const cwd = tempDir()
  assert.is(runCli(['init', 'p'], { cwd }).code, 0)
  writeFileSync(join(cwd, 'p', 'election', 'model.ts'), '// mine\n')
  const again = runCli(['init', 'p'], { cwd })
  assert.is(again.code, 2, shown(again))
  assert.is(again.stdout, '')
  assert.is(again.stderr, 'protocheck: p/election/driver.ts exists; init never overwrites a file (give another folder: protocheck init my-protocol)\n')
  assert.is(readFileSync(join(cwd, 'p', 'election', 'model.ts'), 'utf8'), '// mine\n')
})

test('init refuses before writing anything: one existing file leaves the folder as it was', () => {
  const cwd = tempDir()
  mkdirSync(join(cwd, 'specs'))
  writeFileSync(join(cwd, 'specs', 'election.json'), '{}\n')
  const r = runCli(['init'], { cwd })
  assert.is(r.code, 2, shown(r))
  assert.is(r.stderr, 'protocheck: specs/election.json exists; init never overwrites a file (give another folder: protocheck init my-protocol)\n')
  assert.equal(filesUnder(cwd), ['specs/election.json'])
  assert.is(readFileSync(join(cwd, 'specs', 'election.json'), 'utf8'), '{}\n')
})

test('init keeps an existing package.json and .gitignore, and says how to add protocheck instead', () => {
  const cwd = tempDir()
  writeFileSync(join(cwd, 'package.json'), '{ "name": "theirs" }\n')
  writeFileSync(join(cwd, '.gitignore'), 'dist/\n')
  const r = runCli(['init', '.'], { cwd })
  assert.is(r.code, 0, shown(r))
  assert.equal(filesUnder(cwd), starterFiles)
  assert.is(readFileSync(join(cwd, 'package.json'), 'utf8'), '{ "name": "theirs" }\n')
  assert.is(readFileSync(join(cwd, '.gitignore'), 'utf8'), 'dist/\n')
  assert.match(r.stdout, /kept as they were: \.gitignore, package\.json/)
  assert.equal(stepsOf(r.stdout), [`npm install --save-dev protocheck@^${version}`, ...nextSteps, 'node --test test/election.test.mjs'])
})

test('init refuses a target that is a file', () => {
  const cwd = tempDir()
  writeFileSync(join(cwd, 'f'), '')
  const r = runCli(['init', 'f'], { cwd })
  assert.is(r.code, 2, shown(r))
  assert.is(r.stderr, 'protocheck: f exists and is not a folder\n')
})

test('the starter, as its next steps say: specs pass, the bug is found, replayed and the code conforms', () => {
  const dir = tempDir()
  const r = runCli(['init'], { cwd: dir })
  assert.is(r.code, 0, shown(r))
  const steps = stepsOf(r.stdout)
  assert.equal(steps, ['npm install', ...nextSteps, 'npm test'])
  // `npm install` stands in as a link to this repository.
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(repoRoot, join(dir, 'node_modules', 'protocheck'), 'dir')

  // Every `npx protocheck ...` step, exactly as printed, through this repository's CLI.
  const [specs, bug, show, replay, conform] = steps
    .filter((s) => s.startsWith('npx protocheck '))
    .map((s) => runCli(s.split(' ').slice(2), { cwd: dir }))
  assert.is(specs.code, 0, shown(specs))
  assert.match(specs.stdout, /election-vote-twice +violation of OneLeader +violation of OneLeader +60 +[\d.]+ +ok/)
  assert.match(specs.stdout, /election +safe +safe +41 +[\d.]+ +ok/)
  assert.match(specs.stdout, /2 specs: 2 as expected, 0 not/)
  assert.is(bug.code, 1, shown(bug))
  assert.match(bug.stdout, /OneLeader is violated in state 6/)
  assert.match(bug.stdout, /trace written to cex\.itf\.json \(7 states\)/)
  assert.ok(existsSync(join(dir, 'cex.itf.json')))
  assert.is(show.code, 0, shown(show))
  assert.match(show.stdout, /4 GrantVote\(voter=node3, candidate=node2\)/)
  assert.is(replay.code, 0, shown(replay))
  assert.match(replay.stdout, /the implementation followed all 6 steps\nOneLeader on the implementation's final state: reproduced\n$/)
  assert.is(conform.code, 0, shown(conform))
  assert.match(conform.stdout, /^agree: the implementation followed all 100 walks/)

  // The figures, pinned.
  const full = json(runCli(['check', './election/model.ts', '--json'], { cwd: dir }))
  assert.equal([full.result, full.distinctStates, full.generatedStates, full.depth], ['safe', ELECTION.distinctStates, ELECTION.generatedStates, ELECTION.depth])
  const dfs = json(runCli(['check', './election/model.ts', '--strategy', 'dfs', '--json'], { cwd: dir }))
  assert.equal([dfs.result, dfs.distinctStates], ['safe', ELECTION.distinctStates])
  const classes = json(runCli(['check', './election/model.ts', '--symmetry', '--json'], { cwd: dir }))
  assert.equal([classes.result, classes.distinctStates], ['safe', ELECTION.symmetryClasses])
  const buggy = json(runCli(['check', './election/model.ts', '--bug', 'vote-twice', '--json'], { cwd: dir }))
  assert.equal([buggy.result, buggy.property, buggy.distinctStates, buggy.traceLength], ['violation', 'OneLeader', VOTE_TWICE.distinctStates, VOTE_TWICE.traceStates])
  const replayed = json(runCli(['replay', 'cex.itf.json', '--json'], { cwd: dir }))
  assert.equal(replayed, { model: 'election', steps: VOTE_TWICE.traceStates - 1, divergence: null, property: 'OneLeader', reproduced: true })
  const conformed = json(runCli(['conform', './election/model.ts', '--bug', 'vote-twice', '--runs', '50', '--seed', '1', '--json'], { cwd: dir }))
  assert.is(conformed.result, 'agree')

  // `npm test` runs `node --test`: the starter's own tests, through the programmatic API.
  const tested = spawnSync(process.execPath, ['--test'], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  assert.is(tested.status, 0, `${tested.stdout}\n${tested.stderr}`)
  assert.match(tested.stdout, /# pass 3\n# fail 0\n/)

  // The model, driver and implementation type-check under strict TypeScript (the starter's tsconfig).
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  assert.is(tsc.status, 0, `${tsc.stdout}\n${tsc.stderr}`)
})

test.run()
