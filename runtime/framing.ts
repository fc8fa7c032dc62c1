// Length-prefixed JSON framing for TCP streams: each frame is a 4-byte big-endian byte count
// followed by that many bytes of UTF-8 JSON. TCP delivers a byte stream, not messages, so a
// reader must reassemble frames split across chunks and split chunks holding several frames.

/** Larger frames are refused: a corrupt length prefix must not make a node allocate gigabytes. */
export const MAX_FRAME_BYTES = 1 << 24

const HEADER_BYTES = 4

export class FramingError extends Error {}

/** One message as a frame ready to write to a socket. */
export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8')
  if (body.length > MAX_FRAME_BYTES) throw new FramingError(`message of ${body.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte frame limit`)
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length)
  frame.writeUInt32BE(body.length, 0)
  body.copy(frame, HEADER_BYTES)
  return frame
}

/** Reassembles frames from the chunks a socket delivers, in order. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0)

  /** Feed one chunk; returns every message it completes (possibly none). Throws FramingError on
   * an oversized length or a body that is not JSON: the stream cannot be resynchronised then. */
  push(chunk: Buffer): unknown[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const messages: unknown[] = []
    while (this.pending.length >= HEADER_BYTES) {
      const length = this.pending.readUInt32BE(0)
      if (length > MAX_FRAME_BYTES) throw new FramingError(`frame length ${length} exceeds the ${MAX_FRAME_BYTES}-byte limit`)
      if (this.pending.length < HEADER_BYTES + length) break
      const body = this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length).toString('utf8')
      this.pending = this.pending.subarray(HEADER_BYTES + length)
      try {
        messages.push(JSON.parse(body))
      } catch {
        throw new FramingError(`frame of ${length} bytes is not JSON`)
      }
    }
    return messages
  }

  /** Bytes received but not yet part of a complete frame (a peer that closes mid-frame). */
  get buffered(): number {
    return this.pending.length
  }
}
