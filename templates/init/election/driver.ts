// The driver: how `protocheck replay` and `protocheck conform` run the implementation (node.ts)
// step by step against the model. It keeps a cluster of node cores in memory and a network
// that records every message sent. `apply` turns one model action into one event for one node
// (Timeout(n): n's timer fires; GrantVote(voter, candidate): the voter receives the candidate's
// RequestVote; ReceiveVote(candidate, voter): the candidate receives the voter's Vote), and
// `observe` reports the cluster's state as the model's variables, so that protocheck can
// compare the two after every step. Every call returns a promise (a driver may talk to
// processes); this one keeps everything in memory. It is found because it sits beside model.ts.

import { isRefused, NIL, NotEnabledError, SentMessages, type Driver, type DriverFactory, type Transition } from 'protocheck/driver'
import { initialState, step, type Config, type Event, type Message, type NodeIndex, type NodeState } from './node.js'

class Cluster implements Driver {
  private readonly nodes: NodeState[]
  private readonly network = new SentMessages<NodeIndex, Message>()

  constructor(private readonly config: Config) {
    this.nodes = Array.from({ length: config.nodes }, (_, n) => initialState(n))
  }

  async apply(action: string, picks: Readonly<Record<string, unknown>>): Promise<void> {
    switch (action) {
      case 'Timeout': {
        const n = this.node(picks, 'n')
        return this.deliver(n, { type: 'Timeout' })
      }
      case 'GrantVote': {
        const voter = this.node(picks, 'voter')
        const candidate = this.node(picks, 'candidate')
        return this.deliver(voter, { type: 'Receive', message: this.sent(voter, { type: 'RequestVote', from: candidate }) })
      }
      case 'ReceiveVote': {
        const candidate = this.node(picks, 'candidate')
        const voter = this.node(picks, 'voter')
        return this.deliver(candidate, { type: 'Receive', message: this.sent(candidate, { type: 'Vote', from: voter, to: candidate }) })
      }
      default:
        throw new NotEnabledError(`the election has no action ${action}`)
    }
  }

  async observe() {
    return {
      role: this.nodes.map((node) => node.role),
      votedFor: this.nodes.map((node) => node.votedFor ?? NIL),
      votes: this.nodes.map((node) => node.votes),
      msgs: this.network.messages(),
    }
  }

  /** Hand one event to one node's core; a refusal is a step the code cannot take. */
  private deliver(n: NodeIndex, event: Event) {
    const t: Transition<NodeState, NodeIndex, Message> = step(this.config, this.nodes[n], event)
    if (isRefused(t)) throw new NotEnabledError(t.refused)
    this.nodes[n] = t.state
    this.network.record(t.effects)
  }

  /** A node can only receive a message that was sent to it. */
  private sent(to: NodeIndex, message: Message): Message {
    if (!this.network.wasSentTo(to, message)) throw new NotEnabledError(`no such ${message.type} was sent to node ${to}`)
    return message
  }

  private node(picks: Readonly<Record<string, unknown>>, name: string): NodeIndex {
    const n = picks[name]
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= this.config.nodes) {
      throw new NotEnabledError(`pick ${name}=${JSON.stringify(n)} is not a node of ${this.config.nodes}`)
    }
    return n
  }
}

const driver: DriverFactory = {
  model: 'election',
  start: async (params, bug) => new Cluster({ nodes: params.nodes, bug }),
}

export default driver
