// A checkpoint of a breadth-first search (--checkpoint DIR), and its recovery (--recover DIR).
//
// DIR holds manifest.json, the parent log parents.bin (append-only: entries before the count
// a manifest records never change afterwards, so it is shared by successive checkpoints
// rather than copied), and per checkpoint numbered files: the visited table as it is in
// memory, the queue, the parent log's entries still in memory, and the spilled fingerprints
// (--disk; hard-linked, or copied across file systems). Files are fsynced before the manifest,
// which is written last through a temporary file renamed into place: until that rename the
// previous manifest, and the files it names, stay whole, so a crash mid-checkpoint recovers
// from the previous checkpoint. Only then are the previous checkpoint's files removed.

import { copyFileSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../errors.js'
import { ParentLog } from '../parents.js'
import { StateQueue } from '../queue.js'
import type { SearchTally } from '../search.js'
import { FingerprintSet } from '../stateset.js'
import { DurableWriter, readInto, sha256Of, syncFolder, writeTextDurably, type FileRecord } from './durable-files.js'
import { identityMismatch, type CheckIdentity } from './identity.js'
import { SortedRun } from './sorted-run.js'

export const CHECKPOINT_FORMAT = 'protocheck-bfs-checkpoint'
export const CHECKPOINT_FORMAT_VERSION = 1
const MANIFEST = 'manifest.json'
const PARENTS = 'parents.bin'
const NUMBERED = /^(visited|queue|log-tail|spilled)-(\d+)\.bin$/

interface Manifest {
  format: string
  formatVersion: number
  sequence: number
  writtenAt: string
  identity: CheckIdentity
  search: {
    distinctStates: number
    generatedStates: number
    depth: number
    levelEnd: number
    seconds: number
    coverage: number[]
    reached: boolean[]
    visitedInTable: number
    queued: number
    logFlushed: number
  }
  files: { visited: FileRecord; queue: FileRecord; logTail: FileRecord; spilled: FileRecord | null }
}

/** What a breadth-first search is made of, between two expansions (nothing pending). */
export interface BfsSnapshot {
  log: ParentLog
  table: FingerprintSet
  spilled: SortedRun | null
  queue: StateQueue
  tally: SearchTally
  depth: number
  levelEnd: number
}

/** A search rebuilt from a checkpoint. */
export interface RecoveredBfs {
  log: ParentLog
  table: FingerprintSet
  /** Spilled fingerprints (a copy in a folder of its own), or null. */
  spilled: { path: string; record: FileRecord } | null
  queue: StateQueue
  depth: number
  levelEnd: number
  generated: number
  coverage: number[]
  reached: boolean[]
  seconds: number
}

export class CheckpointWriter {
  private sequence: number

  constructor(readonly dir: string, private readonly identity: CheckIdentity, continuing: number | null) {
    this.sequence = continuing ?? 0
  }

  /** The parent log of a checkpointed search lives in DIR. */
  static logPath(dir: string) {
    return join(dir, PARENTS)
  }

  /** Refuse to start a fresh checkpointed run over an existing checkpoint (it would be lost). */
  static prepareFresh(dir: string) {
    if (existsSync(join(dir, MANIFEST))) {
      throw new InputError(`--checkpoint ${dir} holds a checkpoint already: continue it with --recover ${dir}, or remove it first`)
    }
    try {
      mkdirSync(dir, { recursive: true })
    } catch (e) {
      throw new InputError(`--checkpoint ${dir}: cannot create the folder (${(e as Error).message})`)
    }
  }

  write(s: BfsSnapshot) {
    const n = this.sequence + 1
    const name = (kind: string) => `${kind}-${n}.bin`
    const { flushed, parents, ordinals } = s.log.durable()

    const visited = new DurableWriter(join(this.dir, name('visited')))
    visited.write(s.table.words)
    const queue = new DurableWriter(join(this.dir, name('queue')))
    for (const segment of s.queue.segments()) queue.write(segment)
    const tail = new DurableWriter(join(this.dir, name('log-tail')))
    tail.write(parents)
    tail.write(ordinals)
    let spilled: FileRecord | null = null
    if (s.spilled) {
      const target = join(this.dir, name('spilled'))
      linkOrCopy(s.spilled.path, target)
      const fd = openSync(target, 'r')
      fsyncSync(fd)
      closeSync(fd)
      spilled = { ...s.spilled.record, name: name('spilled') }
    }
    const manifest: Manifest = {
      format: CHECKPOINT_FORMAT,
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      sequence: n,
      writtenAt: new Date().toISOString(),
      identity: this.identity,
      search: {
        distinctStates: s.log.size,
        generatedStates: s.tally.generated,
        depth: s.depth,
        levelEnd: s.levelEnd,
        seconds: s.tally.seconds,
        coverage: [...s.tally.actionCounts],
        reached: [...s.tally.reached],
        visitedInTable: s.table.size,
        queued: s.queue.length,
        logFlushed: flushed,
      },
      files: { visited: visited.finish(name('visited')), queue: queue.finish(name('queue')), logTail: tail.finish(name('log-tail')), spilled },
    }
    syncFolder(this.dir)
    writeTextDurably(join(this.dir, MANIFEST), JSON.stringify(manifest, null, 1) + '\n')
    this.sequence = n
    removeNumberedExcept(this.dir, n)
  }
}

/** After a check that reached its verdict, the checkpoint is of no more use: remove what
 * protocheck wrote in DIR (and DIR itself if that leaves it empty). */
export function removeCheckpoint(dir: string) {
  removeNumberedExcept(dir, -1)
  for (const file of [MANIFEST, `${MANIFEST}.tmp`, PARENTS]) rmSync(join(dir, file), { force: true })
  try {
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true })
  } catch {
    // Already gone, or not ours to remove.
  }
}

/** Read and verify the checkpoint in `dir` for the check `identity`. Every problem (none
 * there, damaged, another check's) is one InputError. `spillFolder`: where spilled
 * fingerprints are copied (the recovered search changes them), or null without --disk. */
export function readCheckpoint(dir: string, identity: CheckIdentity, stateWords: number, spillFolder: string | null): { recovered: RecoveredBfs; sequence: number } {
  try {
    return readVerified(dir, identity, stateWords, spillFolder)
  } catch (e) {
    if (e instanceof InputError) throw e
    // A manifest edited by hand, or fields of the wrong type: damaged all the same.
    throw new InputError(`--recover ${dir}: the checkpoint is damaged (${(e as Error).message})`)
  }
}

function readVerified(dir: string, identity: CheckIdentity, stateWords: number, spillFolder: string | null): { recovered: RecoveredBfs; sequence: number } {
  const where = `--recover ${dir}`
  const manifestPath = join(dir, MANIFEST)
  if (!existsSync(manifestPath)) throw new InputError(`${where}: no checkpoint there (no ${MANIFEST})`)
  let m: Manifest
  try {
    m = JSON.parse(readFileSync(manifestPath, 'utf8'))
  } catch (e) {
    throw new InputError(`${where}: ${MANIFEST} is damaged (${(e as Error).message})`)
  }
  if (m?.format !== CHECKPOINT_FORMAT) throw new InputError(`${where}: ${MANIFEST} is not a protocheck checkpoint`)
  if (m.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new InputError(`${where}: checkpoint format ${m.formatVersion}, this protocheck reads format ${CHECKPOINT_FORMAT_VERSION}`)
  }
  const mismatch = identityMismatch(m.identity, identity)
  if (mismatch) throw new InputError(`${where}: the checkpoint is of another check: ${mismatch}`)
  const { search, files } = m
  for (const record of [files.visited, files.queue, files.logTail, ...(files.spilled ? [files.spilled] : [])]) verify(dir, record, where)
  if (files.spilled && !spillFolder) {
    throw new InputError(`${where}: the checkpoint's visited set spilled to disk; recover it with --disk DIR (and --memory)`)
  }
  const logPath = join(dir, PARENTS)
  const logBytes = existsSync(logPath) ? statSync(logPath).size : 0
  if (logBytes < search.logFlushed * 6) throw new InputError(`${where}: ${PARENTS} is damaged (${logBytes} bytes, expected at least ${search.logFlushed * 6})`)

  const table = new Int32Array(files.visited.bytes / 4)
  readInto(join(dir, files.visited.name), table)
  const queueWords = new Uint32Array(files.queue.bytes / 4)
  readInto(join(dir, files.queue.name), queueWords)
  if (queueWords.length !== search.queued * (stateWords + 1)) throw new InputError(`${where}: the queue file does not hold ${search.queued} states`)
  const queue = new StateQueue(stateWords)
  queue.pushEntries(queueWords)
  const tailEntries = files.logTail.bytes / 6
  const tailBytes = new Uint8Array(files.logTail.bytes)
  readInto(join(dir, files.logTail.name), tailBytes)
  const tail = {
    parents: new Int32Array(tailBytes.buffer.slice(0, tailEntries * 4)),
    ordinals: new Uint16Array(tailBytes.buffer.slice(tailEntries * 4)),
  }
  if (search.logFlushed + tailEntries !== search.distinctStates) throw new InputError(`${where}: the parent log does not hold ${search.distinctStates} states`)
  let spilled: RecoveredBfs['spilled'] = null
  if (files.spilled && spillFolder) {
    const path = join(spillFolder, 'visited-recovered.bin')
    linkOrCopy(join(dir, files.spilled.name), path)
    spilled = { path, record: { ...files.spilled, name: path } }
  }
  let recoveredTable: FingerprintSet
  try {
    recoveredTable = FingerprintSet.fromWords(table, search.visitedInTable)
  } catch (e) {
    throw new InputError(`${where}: the visited table is damaged (${(e as Error).message})`)
  }
  return {
    sequence: m.sequence,
    recovered: {
      log: ParentLog.resumed(logPath, search.logFlushed, tail),
      table: recoveredTable,
      spilled,
      queue,
      depth: search.depth,
      levelEnd: search.levelEnd,
      generated: search.generatedStates,
      coverage: search.coverage,
      reached: search.reached,
      seconds: search.seconds,
    },
  }
}

function verify(dir: string, record: FileRecord, where: string) {
  const path = join(dir, record.name)
  if (!existsSync(path)) throw new InputError(`${where}: ${record.name} is missing`)
  const bytes = statSync(path).size
  if (bytes !== record.bytes) throw new InputError(`${where}: ${record.name} is damaged (${bytes} bytes, expected ${record.bytes})`)
  if (sha256Of(path, bytes) !== record.sha256) throw new InputError(`${where}: ${record.name} is damaged (its SHA-256 differs from the manifest's)`)
}

function removeNumberedExcept(dir: string, keep: number) {
  for (const file of readdirSync(dir)) {
    const m = NUMBERED.exec(file)
    if (m && Number(m[2]) !== keep) rmSync(join(dir, file), { force: true })
  }
}

/** A hard link shares the file's blocks (it is never written again); across file systems, a copy. */
function linkOrCopy(from: string, to: string) {
  rmSync(to, { force: true })
  try {
    linkSync(from, to)
  } catch {
    copyFileSync(from, to)
  }
}
