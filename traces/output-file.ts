// Files the tools write for users (traces, JUnit, HTML views): checked before any work starts,
// so that a long search never ends in a path it cannot write; and written through a temporary
// file renamed into place, so that a reader sees the old file or the new one, never half of
// one, and a failed write leaves nothing behind.

import { accessSync, constants, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { InputError } from '../checker/errors.js'

/** Write `text` to `path` atomically; on failure the temporary file is removed and the error thrown. */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, text)
    renameSync(temporary, path)
  } catch (e) {
    rmSync(temporary, { force: true })
    throw e
  }
}

/** Throw an InputError naming `flag` unless `path` can be written: an existing file must be
 * writable, and its folder must exist and be writable (with `createFolders`, the nearest
 * existing ancestor must be, as the folders will be made). `asFolder`: the path is a folder. */
export function checkWritable(flag: string, path: string, { createFolders = false, asFolder = false } = {}): void {
  const why = problem(resolve(path), createFolders, asFolder)
  if (why) throw new InputError(`${flag} ${path}: cannot write there (${why})`)
}

function problem(path: string, createFolders: boolean, asFolder: boolean): string | null {
  if (existsSync(path)) {
    const isFolder = statSync(path).isDirectory()
    if (isFolder !== asFolder) return asFolder ? 'not a folder' : 'it is a folder'
    return writable(path) ? null : 'permission denied'
  }
  let folder = dirname(path)
  if (createFolders || asFolder) {
    while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder)
  } else if (!existsSync(folder)) {
    return `no folder ${folder}`
  }
  if (!statSync(folder).isDirectory()) return `${folder} is not a folder`
  return writable(folder) ? null : `${folder} is not writable`
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}
