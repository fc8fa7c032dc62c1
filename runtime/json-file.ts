// A process's "disk": one JSON file per server, the state every runtime must find again
// after a kill. A write replaces the file atomically and durably (a temporary file, fsync,
// rename), so a server killed mid-write restarts from the old state or the new one, never a
// torn file.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'

/** The file's value, or undefined if there is no file yet (a server's first start). */
export function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}

/** Replace the file's contents with `text` (JSON, as the servers write it). */
export function writeFileDurably(path: string, text: string) {
  const temporary = `${path}.tmp`
  const fd = openSync(temporary, 'w')
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
}
