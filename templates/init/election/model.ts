// The model: one term of majority-vote leader election, written with protocheck's model API.
// Every node starts as a follower; a follower whose election timer fires becomes a candidate,
// votes for itself and asks everyone else for their vote; a node grants its one vote to the
// first candidate that asks; a candidate that collects a majority of votes becomes leader.
// `protocheck check` explores every reachable state and checks OneLeader in each of them; the
// `vote-twice` bug switch changes one rule (a node forgets it has voted) and breaks it. Change
// the rules, add a property, run `npx protocheck check specs/` again: that is the whole loop.

// NIL: the value of a node id declared with nodeIdOrNil that names no node (a vote not yet cast).
import { defineModel, enumOf, mapOf, NIL, nodeId, nodeIdOrNil, protocol, range, record, setOf, union, wellTyped } from 'protocheck'

export default defineModel({
  name: 'election',
  summary: 'One term of majority-vote leader election: each node votes once, a majority makes a leader',
  // Integer params, set with --param nodes=4 (or "params" in a spec file).
  params: {
    nodes: { description: 'number of nodes', default: 3, minimum: 2, maximum: 5 },
  },
  // Bug switches, set with --bug NAME: each changes one rule, in the model and in the code.
  bugs: {
    'vote-twice': 'a node grants its vote to every candidate that asks, not only to the first',
  },

  build({ nodes }, bug) {
    const Node = nodeId('node', nodes)
    const everyone = range(nodes)
    const Message = union('type', {
      RequestVote: { from: Node },
      Vote: { from: Node, to: Node },
    })
    // The state: one record of typed variables. The checker stores each state packed in a few
    // 32-bit words, and the types below are also what `show` and `replay` print and compare.
    const state = record({
      role: mapOf(Node, enumOf('follower', 'candidate', 'leader')),
      votedFor: mapOf(Node, nodeIdOrNil('node', nodes)),
      votes: mapOf(Node, setOf(Node)),
      // Every message ever sent; a message can be delivered any number of times (and never lost).
      msgs: setOf(Message),
    })
    const isMajority = (count: number) => 2 * count > nodes

    return protocol({
      state,
      // Each action with the types of its picks: what the trace shows as Timeout(n=node1).
      actions: {
        Timeout: { n: Node },
        GrantVote: { voter: Node, candidate: Node },
        ReceiveVote: { candidate: Node, voter: Node },
      },

      init(emit) {
        emit((d) => {
          for (const n of everyone) {
            d.role.set(n, 'follower')
            d.votedFor.set(n, NIL)
          }
        })
      },

      // Every enabled step of state `s`: its action, its picks, and how the next state differs.
      next(s, emit) {
        for (const n of everyone) {
          if (s.role.get(n) === 'follower' && s.votedFor.get(n) === NIL) {
            emit('Timeout', { n }, (d) => {
              d.role.set(n, 'candidate')
              d.votedFor.set(n, n)
              d.votes.get(n).add(n)
              d.msgs.add({ type: 'RequestVote', from: n })
            })
          }
        }
        for (const voter of everyone) {
          for (const candidate of everyone) {
            if (voter === candidate || !s.msgs.has({ type: 'RequestVote', from: candidate })) continue
            // A follower votes once (a candidate has voted for itself); the bug lets it vote again.
            const votedFor = s.votedFor.get(voter)
            const mayVote = bug === 'vote-twice' ? votedFor !== candidate : votedFor === NIL
            if (s.role.get(voter) === 'follower' && mayVote) {
              emit('GrantVote', { voter, candidate }, (d) => {
                d.votedFor.set(voter, candidate)
                d.msgs.add({ type: 'Vote', from: voter, to: candidate })
              })
            }
          }
        }
        for (const candidate of everyone) {
          if (s.role.get(candidate) !== 'candidate') continue
          for (const voter of everyone) {
            if (s.votes.get(candidate).has(voter) || !s.msgs.has({ type: 'Vote', from: voter, to: candidate })) continue
            emit('ReceiveVote', { candidate, voter }, (d) => {
              d.votes.get(candidate).add(voter)
              if (isMajority(s.votes.get(candidate).size + 1)) d.role.set(candidate, 'leader')
            })
          }
        }
      },

      // The term is over once every node has voted: no step is left then, and that is a proper
      // end (a split vote included), not a deadlock.
      terminal: (s) => everyone.every((n) => s.votedFor.get(n) !== NIL),

      // Nodes are interchangeable: `--symmetry` checks one state per renaming of their ids.
      symmetric: ['node'],

      // Invariants: true in every reachable state, or `check` prints the shortest path to one
      // where it is false.
      always: {
        TypeOK: wellTyped,
        OneLeader: (s) => s.role.count((role) => role === 'leader') <= 1,
      },
      // Reachability: each must hold in some reachable state, which catches a model that is
      // safe only because nothing ever happens.
      sometimes: {
        Elected: (s) => s.role.some((role) => role === 'leader'),
      },
    })
  },
})
