// The yardstick for the generated views: two-phase commit's successor function written by
// hand as bit operations on the packed words, run by a copy of the BFS loop over the same
// fingerprint, visited table, frontier and parent log, with the same counting, self-loop
// skip and checks (TypeOK on codes, TCConsistent, the two `sometimes`). Whatever the
// checker spends beyond this is the price of the model contract (views, drafts, emit).
//
// Layout (3 words): word 0 holds rmState (2 bits per RM: working 0, prepared 1,
// committed 2, aborted 3) and tmState (2 bits at 2*rm: init 0, committed 1, aborted 2);
// word 1 is tmPrepared (bit r); word 2 is msgs (bit r: Prepared(r), bit rm: Commit,
// bit rm+1: Abort).

import { fingerprint, fingerprintOut } from '../checker/fingerprint.js'
import { ParentLog } from '../checker/parents.js'
import { StateQueue } from '../checker/queue.js'
import { FingerprintSet } from '../checker/stateset.js'

export interface HandwrittenResult {
  distinctStates: number
  generatedStates: number
  seconds: number
  safe: boolean
}

export function handwrittenTwoPhaseBfs(rm: number, expectedStates?: number): HandwrittenResult {
  const started = performance.now()
  const WORDS = 3
  const TM = 2 * rm
  const COMMIT = 1 << rm
  const ABORT = 1 << (rm + 1)
  const all = rm === 32 ? 0xffffffff : (1 << rm) - 1
  const seen = new FingerprintSet(expectedStates)
  const log = new ParentLog()
  const queue = new StateQueue(WORDS)
  const current = new Uint32Array(WORDS)
  const next = new Uint32Array(WORDS)
  let generated = 0
  let broken = false
  let allCommitted = false
  let allAborted = false
  let parent = -1
  let ordinal = 0

  const rmStates = (w0: number, wanted: number) => {
    let n = 0
    for (let r = 0; r < rm; r++) if (((w0 >>> (2 * r)) & 3) === wanted) n++
    return n
  }
  const typeOk = (w: Uint32Array) =>
    ((w[0] >>> TM) & 3) < 3 && w[0] >>> (TM + 2) === 0 && (w[1] & ~all) === 0 && (w[2] & ~(all | COMMIT | ABORT)) === 0

  const emit = () => {
    generated++
    const o = ordinal++
    if (parent >= 0 && next[0] === current[0] && next[1] === current[1] && next[2] === current[2]) return
    fingerprint(next, 0, WORDS)
    if (!seen.add(fingerprintOut[0], fingerprintOut[1])) return
    queue.push(next, log.add(parent, o))
    const committed = rmStates(next[0], 2)
    const aborted = rmStates(next[0], 3)
    if (committed === rm) allCommitted = true
    if (aborted === rm) allAborted = true
    if (!typeOk(next) || (committed > 0 && aborted > 0)) broken = true
  }

  const set = (word0: number, word1: number, word2: number) => {
    next[0] = word0
    next[1] = word1
    next[2] = word2
    emit()
  }

  next.fill(0)
  ordinal = 0
  emit()
  while (!broken && queue.length > 0) {
    const { chunk, offset, id } = queue.shift()
    current[0] = chunk[offset]
    current[1] = chunk[offset + 1]
    current[2] = chunk[offset + 2]
    parent = id
    ordinal = 0
    const [w0, w1, w2] = current
    const tm = (w0 >>> TM) & 3
    if (tm === 0 && w1 === all) set((w0 & ~(3 << TM)) | (1 << TM), w1, w2 | COMMIT)
    if (tm === 0) set((w0 & ~(3 << TM)) | (2 << TM), w1, w2 | ABORT)
    for (let r = 0; r < rm; r++) {
      const bit = 1 << r
      if (tm === 0 && (w2 & bit) !== 0) set(w0, w1 | bit, w2)
      const s = (w0 >>> (2 * r)) & 3
      const clear = w0 & ~(3 << (2 * r))
      if (s === 0) set(clear | (1 << (2 * r)), w1, w2 | bit)
      if (s === 0) set(clear | (3 << (2 * r)), w1, w2)
      if ((w2 & COMMIT) !== 0) set(clear | (2 << (2 * r)), w1, w2)
      if ((w2 & ABORT) !== 0) set(clear | (3 << (2 * r)), w1, w2)
    }
  }
  return {
    distinctStates: log.size,
    generatedStates: generated,
    seconds: (performance.now() - started) / 1000,
    safe: !broken && allCommitted && allAborted,
  }
}
