// Outgoing links from a node to its peers: one TCP connection per peer, opened on the first
// message and opened again after the peer has gone (killed, restarted). Messages to a peer
// wait in order until its connection is up, so a node's core never deals with connecting;
// a peer that is down is retried every `retryMs` until the links are closed.

import { connect, type Connection } from './tcp.js'

interface Link<M> {
  connection?: Connection
  connecting: boolean
  waiting: M[]
}

export class PeerLinks<Peer, M> {
  private readonly links = new Map<Peer, Link<M>>()
  private closed = false

  /** `portOf` says where a peer listens; `frame` is what goes on the wire for a message. */
  constructor(
    private readonly portOf: (peer: Peer) => number,
    private readonly frame: (message: M) => unknown,
    private readonly retryMs = 50,
  ) {}

  send(to: Peer, message: M) {
    let link = this.links.get(to)
    if (!link) this.links.set(to, (link = { connecting: false, waiting: [] }))
    link.waiting.push(message)
    this.flush(to, link)
  }

  /** Close every connection; nothing is sent or retried afterwards. */
  close() {
    this.closed = true
    for (const link of this.links.values()) link.connection?.close()
  }

  private flush(to: Peer, link: Link<M>) {
    if (link.connection && !link.connection.closed) {
      for (const message of link.waiting.splice(0)) link.connection.send(this.frame(message))
      return
    }
    if (link.connecting || this.closed) return
    link.connecting = true
    connect(this.portOf(to), 1000).then(
      (connection) => {
        link.connecting = false
        link.connection = connection
        this.flush(to, link)
      },
      () => {
        link.connecting = false
        setTimeout(() => this.flush(to, link), this.retryMs)
      },
    )
  }
}
