// Writing files so that a crash (kill -9, power loss) leaves either the old content or the
// new, never a mix: data is written, fsynced, then renamed into place, and the folder is
// fsynced so that the rename itself survives. Every file also gets a SHA-256, so that a
// checkpoint damaged after it was written is refused instead of recovered wrongly.

import { createHash, type Hash } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

/** What a checkpoint records of a file it wrote. */
export interface FileRecord {
  name: string
  bytes: number
  sha256: string
}

/** Writes one file piece by piece, hashing as it goes; `finish` fsyncs and closes it. */
export class DurableWriter {
  private readonly fd: number
  private readonly hash: Hash = createHash('sha256')
  private bytes = 0

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w')
  }

  write(view: ArrayBufferView) {
    let bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    this.hash.update(bytes)
    this.bytes += bytes.byteLength
    while (bytes.byteLength > 0) {
      const written = writeSync(this.fd, bytes, 0, Math.min(bytes.byteLength, WRITE_BYTES))
      bytes = bytes.subarray(written)
    }
  }

  finish(name: string): FileRecord {
    fsyncSync(this.fd)
    closeSync(this.fd)
    return { name, bytes: this.bytes, sha256: this.hash.digest('hex') }
  }
}

/** Write `text` to `path` through a fsynced temporary file renamed into place. */
export function writeTextDurably(path: string, text: string) {
  const writer = new DurableWriter(`${path}.tmp`)
  writer.write(Buffer.from(text, 'utf8'))
  writer.finish(path)
  renameSync(`${path}.tmp`, path)
  syncFolder(dirname(path))
}

/** Make the folder's entries (new names, renames) durable. */
export function syncFolder(folder: string) {
  const fd = openSync(folder, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The SHA-256 of a file's first `bytes` bytes, read in pieces. */
export function sha256Of(path: string, bytes: number): string {
  const hash = createHash('sha256')
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(bytes, 1)))
    for (let at = 0; at < bytes; ) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, bytes - at), at)
      if (read === 0) break
      hash.update(buffer.subarray(0, read))
      at += read
    }
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}

/** Read a whole file into a typed array's memory (`into` must be exactly the file's size). */
export function readInto(path: string, into: ArrayBufferView) {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength)
  const fd = openSync(path, 'r')
  try {
    for (let at = 0; at < bytes.byteLength; ) {
      const read = readSync(fd, bytes, at, Math.min(bytes.byteLength - at, READ_BYTES), at)
      if (read === 0) throw new Error(`${path} ends after ${at} bytes`)
      at += read
    }
  } finally {
    closeSync(fd)
  }
}

/** writeSync and readSync take at most 2 GB at a time; pieces keep the hashing incremental too. */
const WRITE_BYTES = 1 << 26
const READ_BYTES = 1 << 24
