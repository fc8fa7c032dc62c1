// `npm run bench:compare [-- --pairs N] [--only raft,paxos,...] [--quick]`: protocheck against TLC and
// Spin on the same specs and state counts, one worker each, and two workers against one.
// Prints a markdown table of ratios (the README's).
//
// What it needs, skipped with a note where missing:
// - TLC: TLA2TOOLS_JAR, the path of tla2tools.jar (Java 17 on PATH), and TLA_SPECS_DIR, a
//   folder holding the public specs: raft.tla (github.com/ongardie/raft.tla), TwoPhase.tla
//   and TCommit.tla (tlaplus/Examples, specifications/transaction_commit), Paxos.tla,
//   Voting.tla and Consensus.tla (tlaplus/Examples, specifications/Paxos). They are copied into a temporary
//   folder next to a small model module and .cfg written here (constants, the same state
//   constraint as the protocheck model's `within`), and TLC runs there with one worker.
// - Spin and gcc (Debian: apt-get install -y spin) for two-phase commit (bench/promela).
//
// Each comparison runs its two sides in turn, --pairs times (default 1), each side in a
// fresh process, and reports the median of the pairwise ratios, so that a machine whose
// speed drifts during the run still compares like with like. TLC's time is its whole
// process (JVM start included), and so is protocheck's on that row (node start and model
// loading included); Spin's is pan's own search time, against protocheck's search time.
// A row whose distinct-state counts differ is marked: the comparison then means nothing.

import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Configuration } from './measure.js'
import { commandExists, measure, printTable, runSpin, spinAvailable, type Row } from './children.js'

const argument = (name: string) => {
  const at = process.argv.indexOf(name)
  return at >= 0 ? process.argv[at + 1] : undefined
}
const pairs = Math.max(1, Number(argument('--pairs') ?? 1))
const only = argument('--only')?.split(',')
// --quick: small configurations (seconds each), to check the set-up and the state counts.
const quick = process.argv.includes('--quick')

const jar = process.env.TLA2TOOLS_JAR
const specsDir = process.env.TLA_SPECS_DIR
const tlcAvailable = Boolean(jar && existsSync(jar) && specsDir && existsSync(specsDir) && commandExists('java'))

/** What TLC checks: the public spec files it needs, a model module and a configuration. */
interface TlcInput {
  specs: string[]
  module: string
  cfg: string
  /** Other modules written here when TLA_SPECS_DIR has none of that name (file -> text). */
  fallbacks?: Record<string, string>
}

const modelValues = (names: string[]) => names.map((n) => `  ${n} = ${n}`).join('\n')
const set = (prefix: string, n: number) => `{${Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`).join(', ')}}`

function raftTlc(servers: number, maxTerm: number, maxLogLength: number, maxMessages: number): TlcInput {
  return {
    specs: ['raft.tla'],
    // The protocheck model's `within`: terms, log lengths, messages in flight (copies counted).
    module: `---- MODULE BenchRaft ----
EXTENDS raft
CONSTANTS MaxTerm, MaxLogLength, MaxMessages
RECURSIVE CopiesIn(_)
CopiesIn(D) == IF D = {} THEN 0 ELSE LET m == CHOOSE x \\in D : TRUE IN messages[m] + CopiesIn(D \\ {m})
BenchConstraint == /\\ \\A i \\in Server : currentTerm[i] <= MaxTerm /\\ Len(log[i]) <= MaxLogLength
                   /\\ CopiesIn(DOMAIN messages) <= MaxMessages
====
`,
    cfg: `CONSTANTS
  Server = ${set('s', servers)}
  Value = {v1}
${modelValues(['Follower', 'Candidate', 'Leader', 'Nil', 'RequestVoteRequest', 'RequestVoteResponse', 'AppendEntriesRequest', 'AppendEntriesResponse'])}
  MaxTerm = ${maxTerm}
  MaxLogLength = ${maxLogLength}
  MaxMessages = ${maxMessages}
INIT Init
NEXT Next
CONSTRAINT BenchConstraint
`,
  }
}

function paxosTlc(acceptors: number, values: number, ballots: number): TlcInput {
  const acceptorNames = Array.from({ length: acceptors }, (_, i) => `a${i + 1}`)
  // Majorities, as the protocheck model's quorums.
  const quorums: string[] = []
  for (let mask = 0; mask < 1 << acceptors; mask++) {
    const members = acceptorNames.filter((_, i) => mask & (1 << i))
    if (members.length * 2 > acceptors) quorums.push(`{${members.join(', ')}}`)
  }
  return {
    specs: ['Paxos.tla', 'Voting.tla', 'Consensus.tla'],
    module: `---- MODULE BenchPaxos ----
EXTENDS Paxos
CONSTANTS ${acceptorNames.join(', ')}, ${Array.from({ length: values }, (_, i) => `v${i + 1}`).join(', ')}
BenchAcceptor == ${set('a', acceptors)}
BenchValue == ${set('v', values)}
BenchQuorum == {${quorums.join(', ')}}
BenchBallot == 0..${ballots - 1}
====
`,
    // Voting.tla and Consensus.tla import modules of the proof system's library for the facts
    // their proofs cite, which TLC does not read: where TLA_SPECS_DIR lacks them, stand-ins
    // define those names.
    fallbacks: {
      'TLAPS.tla': '---- MODULE TLAPS ----\nPTL == TRUE\nExpandENABLED == TRUE\n====\n',
      'FiniteSetTheorems.tla': '---- MODULE FiniteSetTheorems ----\nFS_EmptySet == TRUE\nFS_Singleton == TRUE\n====\n',
    },
    cfg: `CONSTANTS
${modelValues([...acceptorNames, ...Array.from({ length: values }, (_, i) => `v${i + 1}`), 'None'])}
  Acceptor <- BenchAcceptor
  Value <- BenchValue
  Quorum <- BenchQuorum
  Ballot <- BenchBallot
  Ballot <-[Voting] BenchBallot
INIT Init
NEXT Next
INVARIANT TypeOK
`,
  }
}

function twoPhaseTlc(rm: number): TlcInput {
  return {
    specs: ['TwoPhase.tla', 'TCommit.tla'],
    module: `---- MODULE BenchTwoPhase ----
EXTENDS TwoPhase
BenchConsistent == TC!TCConsistent
====
`,
    cfg: `CONSTANT RM = ${set('r', rm)}
INIT TPInit
NEXT TPNext
INVARIANT TPTypeOK BenchConsistent
`,
  }
}

interface TlcRun {
  distinctStates: number
  seconds: number
}

/** One TLC run, one worker, in a fresh temporary folder; null (with a note) if it failed. */
function runTlc(input: TlcInput): TlcRun | null {
  const dir = mkdtempSync(join(tmpdir(), 'protocheck-tlc-'))
  try {
    for (const spec of input.specs) copyFileSync(join(specsDir!, spec), join(dir, spec))
    for (const [file, text] of Object.entries(input.fallbacks ?? {})) {
      if (existsSync(join(specsDir!, file))) copyFileSync(join(specsDir!, file), join(dir, file))
      else writeFileSync(join(dir, file), text)
    }
    const name = /MODULE (\w+)/.exec(input.module)![1]
    writeFileSync(join(dir, `${name}.tla`), input.module)
    writeFileSync(join(dir, `${name}.cfg`), input.cfg)
    const started = process.hrtime.bigint()
    const out = execFileSync('java', ['-XX:+UseParallelGC', '-cp', jar!, 'tlc2.TLC', '-workers', '1', '-deadlock', '-metadir', join(dir, 'states'), name], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    })
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const distinct = /states generated, ([\d,]+) distinct states found, 0 states left on queue/.exec(out)
    if (!distinct) throw new Error(`no state count in TLC's output: ${out.split('\n').slice(-5).join(' / ')}`)
    return { distinctStates: Number(distinct[1].replace(/,/g, '')), seconds }
  } catch (e) {
    const err = e as Error & { stdout?: string }
    process.stderr.write(`TLC failed: ${err.message.split('\n')[0]} ${err.stdout?.split('\n').slice(-6).join(' / ') ?? ''}\n`)
    return null
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const configuration = (model: string, params: Record<string, number>, workers = 1, fpMemMB?: number): Configuration => ({ model, params, strategy: 'bfs', workers, fpMemMB })
/** The same work on both sides: protocheck checks what TLC's configuration checks (raft.tla's
 * has no invariant, so TypeOK, which costs protocheck a canonical-words test; Paxos: TypeOK;
 * TwoPhase: TypeOK and TCConsistent), not the model's other properties. */
const asTlc = (c: Configuration, properties: string[]): Configuration => ({ ...c, properties })
const describe = (c: Configuration) => `${c.model} ${Object.entries(c.params).map(([k, v]) => `${k}=${v}`).join(' ')}`
const count = (n: number) => n.toLocaleString('en-US')

const header = ['comparison', 'distinct states', 'protocheck s', 'other s', 'other / protocheck', 'target']
const rows: string[][] = []
const notes: string[] = []

/** Run `ours` and `theirs` in turn `pairs` times; a row with the median ratio theirs / ours. */
function compare(label: string, target: string, ours: () => Row, theirs: () => { seconds: number; distinctStates: number } | null, oursSeconds: (r: Row) => number) {
  if (only && !only.some((o) => label.includes(o))) return
  process.stderr.write(`bench: ${label}\n`)
  const ratios: number[] = []
  const ourTimes: number[] = []
  const theirTimes: number[] = []
  let distinct = ''
  for (let p = 0; p < pairs; p++) {
    const mine = ours()
    const other = theirs()
    if (!mine.measurement || !other) {
      rows.push([label, '', '', '', mine.measurement ? 'other side failed' : `failed: ${mine.error}`, target])
      return
    }
    if (mine.measurement.distinctStates !== other.distinctStates) {
      distinct = `${count(mine.measurement.distinctStates)} vs ${count(other.distinctStates)} (differ!)`
    } else distinct ||= count(other.distinctStates)
    ourTimes.push(oursSeconds(mine))
    theirTimes.push(other.seconds)
    ratios.push(other.seconds / oursSeconds(mine))
  }
  rows.push([label, distinct, median(ourTimes).toFixed(2), median(theirTimes).toFixed(2), `${median(ratios).toFixed(2)}x`, target])
  // A full run takes long: each row is shown as soon as it is measured.
  process.stderr.write(`bench: ${rows.at(-1)!.join(' | ')}\n`)
}

const processTime = (r: Row) => r.processSeconds
const searchTime = (r: Row) => r.measurement!.seconds
const asRun = (r: Row) => (r.measurement ? { seconds: r.measurement.seconds, distinctStates: r.measurement.distinctStates } : null)

const tlcComparisons: [string, Configuration, TlcInput, string][] = quick ? [
  ['raft 2 servers maxLogLength=1 maxMessages=1', asTlc(configuration('raft', { servers: 2, values: 1, maxTerm: 2, maxLogLength: 1, maxMessages: 1 }), ['TypeOK']), raftTlc(2, 2, 1, 1), ''],
  ['paxos acceptors=3 values=2 ballots 0..1', asTlc(configuration('paxos', { acceptors: 3, values: 2, ballots: 2 }), ['TypeOK']), paxosTlc(3, 2, 2), ''],
  ['two-phase-commit rm=5', asTlc(configuration('two-phase-commit', { rm: 5 }), ['TypeOK', 'TCConsistent']), twoPhaseTlc(5), ''],
] : [
  ['raft 2 servers maxLogLength=2 maxMessages=2', asTlc(configuration('raft', { servers: 2, values: 1, maxTerm: 2, maxLogLength: 2, maxMessages: 2 }), ['TypeOK']), raftTlc(2, 2, 2, 2), '>= 10x'],
  ['raft 3 servers maxTerm=2 maxLogLength=0', asTlc(configuration('raft', { servers: 3, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 1 }), ['TypeOK']), raftTlc(3, 2, 0, 1), '>= 10x'],
  ['paxos acceptors=3 values=2 ballots 0..2', asTlc(configuration('paxos', { acceptors: 3, values: 2, ballots: 3 }), ['TypeOK']), paxosTlc(3, 2, 3), '>= 30x'],
  ['two-phase-commit rm=8', asTlc(configuration('two-phase-commit', { rm: 8 }), ['TypeOK', 'TCConsistent']), twoPhaseTlc(8), ''],
]
for (const [label, ours, tlc, target] of tlcComparisons) {
  if (!tlcAvailable) continue
  compare(`TLC / protocheck: ${label}`, target, () => measure(ours), () => runTlc(tlc), processTime)
}
if (!tlcAvailable) notes.push('TLC skipped: set TLA2TOOLS_JAR (tla2tools.jar) and TLA_SPECS_DIR (raft.tla, TwoPhase.tla, TCommit.tla, Paxos.tla, Voting.tla, Consensus.tla), with java on PATH')

if (quick) {
  // Spin's comparison needs a size worth timing.
} else if (spinAvailable) {
  compare('Spin / protocheck: two-phase-commit rm=8 (search time)', '>= 1.25x', () => measure(configuration('two-phase-commit', { rm: 8 })), () => {
    const s = runSpin(8)
    return s && { seconds: s.seconds, distinctStates: s.storedStates }
  }, searchTime)
} else notes.push('Spin skipped: install spin and gcc (Debian: apt-get install -y spin)')

const workerComparisons: [string, Configuration][] = [
  ['raft 3 servers maxTerm=2 maxLogLength=0', configuration('raft', { servers: 3, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 1 })],
  ['two-phase-commit rm=9', configuration('two-phase-commit', { rm: 9 }, 1, 128)],
]
for (const [label, one] of quick ? [] : workerComparisons) {
  const two = { ...one, workers: 2 }
  compare(`1 worker / 2 workers: ${label} (search time)`, '>= 1.8x', () => measure(two), () => asRun(measure(one)), searchTime)
}

printTable(header, rows, 1)
if (pairs > 1) console.log(`(median of ${pairs} pairs each)`)
for (const note of notes) console.log(`(${note})`)
