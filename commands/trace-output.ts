// Writing a command's trace without losing its verdict: the caller prints the verdict first,
// then the one line this returns (if the write failed), and exits 2.

import { writeTraceFile, type ItfTrace } from '../traces/itf.js'

/** Write `trace` to `path`; the failure as one line, or null when it was written. */
export function tryWriteTrace(path: string, trace: ItfTrace): string | null {
  try {
    writeTraceFile(path, trace)
    return null
  } catch (e) {
    return `cannot write the trace to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`
  }
}
