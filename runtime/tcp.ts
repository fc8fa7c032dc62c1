// Message-oriented TCP on 127.0.0.1: a server that hands each accepted connection to the
// node, connections that send and receive whole JSON messages (framing.ts), and a
// request/reply helper for clients. Every server tracks its sockets so that closing it
// leaves no connection and no listening port behind.

import { createServer, connect as connectSocket, type Server, type Socket } from 'node:net'
import { encodeFrame, FrameDecoder } from './framing.js'

export const LOOPBACK = '127.0.0.1'

/** One TCP connection carrying framed JSON messages. */
export class Connection {
  private readonly decoder = new FrameDecoder()
  private messageHandler: (message: unknown) => void = () => {}
  private closeHandlers: (() => void)[] = []
  private isClosed = false

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.on('data', (chunk) => {
      let messages: unknown[]
      try {
        messages = this.decoder.push(chunk)
      } catch {
        // A peer that breaks framing cannot be understood any more: drop the connection.
        this.close()
        return
      }
      for (const m of messages) this.messageHandler(m)
    })
    // Errors (reset by a killed peer, refused) end the connection; 'close' follows them.
    socket.on('error', () => {})
    socket.on('close', () => {
      this.isClosed = true
      for (const handler of this.closeHandlers) handler()
      this.closeHandlers = []
    })
  }

  /** Receive every message that arrives from now on (replaces an earlier handler). */
  onMessage(handler: (message: unknown) => void): this {
    this.messageHandler = handler
    return this
  }

  /** Called once when the connection ends, for whatever reason. */
  onClose(handler: () => void): this {
    if (this.isClosed) handler()
    else this.closeHandlers.push(handler)
    return this
  }

  /** Send one message; returns false if the connection is already closed (the message is lost,
   * as on a real network: protocols above must tolerate it). */
  send(message: unknown): boolean {
    if (this.isClosed || this.socket.destroyed) return false
    this.socket.write(encodeFrame(message))
    return true
  }

  get closed(): boolean {
    return this.isClosed
  }

  /** The peer's port, for logs. */
  get remotePort(): number | undefined {
    return this.socket.remotePort
  }

  close() {
    this.socket.destroy()
  }
}

export interface MessageServer {
  /** The port actually bound (the OS's choice when asked for port 0). */
  readonly port: number
  /** Stop listening and end every open connection; resolves when the port is released. */
  close(): Promise<void>
}

/** Listen on 127.0.0.1:`port` (0: let the OS choose) and hand each accepted connection to `onConnection`. */
export function listen(port: number, onConnection: (connection: Connection) => void): Promise<MessageServer> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    onConnection(new Connection(socket))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      server.off('error', reject)
      const address = server.address()
      if (address === null || typeof address === 'string') {
        reject(new Error('server has no TCP address'))
        return
      }
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}

/** Open a connection to 127.0.0.1:`port`; rejects if nothing listens there within `timeoutMs`. */
export function connect(port: number, timeoutMs = 2000): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket({ port, host: LOOPBACK })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`connecting to ${LOOPBACK}:${port} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.off('error', reject)
      resolve(new Connection(socket))
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** Send one message on a fresh connection and wait for the first reply; the connection is
 * closed either way. Rejects if the peer is down, hangs up, or does not answer in time. */
export async function request(port: number, message: unknown, timeoutMs = 2000): Promise<unknown> {
  const connection = await connect(port, timeoutMs)
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply from ${LOOPBACK}:${port} within ${timeoutMs} ms`)), timeoutMs)
      connection.onMessage((reply) => {
        clearTimeout(timer)
        resolve(reply)
      })
      connection.onClose(() => {
        clearTimeout(timer)
        reject(new Error(`${LOOPBACK}:${port} closed the connection without replying`))
      })
      connection.send(message)
    })
  } finally {
    connection.close()
  }
}

/** Is anything listening on 127.0.0.1:`port`? (For checking that shutdown released it.) */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectSocket({ port, host: LOOPBACK })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
