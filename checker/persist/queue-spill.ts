// The queue's chunks on disk (--disk): appended to files of CHUNKS_PER_FILE chunks each, read
// back in the order written; a file is deleted once its last chunk has been consumed, so the
// disk holds about the spilled part of the frontier, not every state ever queued.

import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { ChunkStore } from '../queue.js'

const CHUNKS_PER_FILE = 64

export class QueueSpill implements ChunkStore {
  private written = 0
  private writeFile: { index: number; fd: number } | null = null
  private readFile: { index: number; fd: number } | null = null

  constructor(private readonly folder: string) {}

  write(chunk: Uint32Array): number {
    const handle = this.written++
    const file = Math.floor(handle / CHUNKS_PER_FILE)
    if (this.writeFile?.index !== file) {
      if (this.writeFile) closeSync(this.writeFile.fd)
      this.writeFile = { index: file, fd: openSync(this.path(file), 'w') }
    }
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const position = (handle % CHUNKS_PER_FILE) * bytes.byteLength
    for (let at = 0; at < bytes.byteLength; ) at += writeSync(this.writeFile.fd, bytes, at, bytes.byteLength - at, position + at)
    return handle
  }

  read(handle: number, into: Uint32Array, consume: boolean) {
    const file = Math.floor(handle / CHUNKS_PER_FILE)
    const fd = this.readFile?.index === file ? this.readFile.fd : openSync(this.path(file), 'r')
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength)
    const position = (handle % CHUNKS_PER_FILE) * bytes.byteLength
    for (let at = 0; at < bytes.byteLength; ) {
      const read = readSync(fd, bytes, at, bytes.byteLength - at, position + at)
      if (read === 0) throw new Error(`queue spill: ${this.path(file)} ends early`)
      at += read
    }
    if (!consume) {
      if (fd !== this.readFile?.fd) closeSync(fd)
      return
    }
    if (this.readFile?.index !== file) {
      if (this.readFile) closeSync(this.readFile.fd)
      this.readFile = { index: file, fd }
    }
    const drained = handle === this.written - 1
    if (handle % CHUNKS_PER_FILE === CHUNKS_PER_FILE - 1 || drained) {
      // Its last chunk consumed (chunks are consumed in order): the file is done with. If
      // everything written was consumed, the next chunk starts a new file.
      if (drained) this.written = (file + 1) * CHUNKS_PER_FILE
      closeSync(fd)
      this.readFile = null
      if (this.writeFile?.index === file) {
        closeSync(this.writeFile.fd)
        this.writeFile = null
      }
      rmSync(this.path(file), { force: true })
    }
  }

  close() {
    for (const f of [this.readFile, this.writeFile]) if (f) closeSync(f.fd)
    this.readFile = this.writeFile = null
  }

  private path(file: number) {
    return join(this.folder, `queue-${file}.bin`)
  }
}
