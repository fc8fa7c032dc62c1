// One process of Lamport's mutual exclusion as a sans-IO core: a reducer from events to the
// next state and the messages to send. It keeps LamportMutex.tla's per-process variables:
// its clock, the timestamp of every process's pending request as it knows them (req; 0 for
// none, its own included), the processes that have acknowledged its own request (ack), and
// whether it is in the critical section. Channels are FIFO (the driver's queues, TCP in the
// node process), which the algorithm needs: an ack from q proves every earlier request of q
// has arrived.
//
// Events, one per action of the model:
//   Request             the process asks for the critical section: stamps its request with
//                       its clock and sends it to every other process
//   Enter               it enters, when every process has acknowledged and its request beats
//                       every other pending request it knows (timestamp, then process id)
//   Exit                it leaves and tells every other process (rel)
//   Receive(from, m)    a message from a peer: a request is recorded, moves the clock past its
//                       timestamp and is acknowledged; an ack is counted; a release clears
//                       the sender's request

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import { processName, type MutexBug, type MutexMessage, type ProcessId } from './messages.js'

export interface ProcessState {
  readonly id: ProcessId
  readonly clock: number
  /** req[q]: the timestamp of q's pending request as this process knows it; 0 for none. */
  readonly req: readonly number[]
  /** The processes that have acknowledged this process's pending request (itself included). */
  readonly ack: readonly ProcessId[]
  readonly inCritical: boolean
}

export type ProcessEvent =
  | { readonly type: 'Request' }
  | { readonly type: 'Enter' }
  | { readonly type: 'Exit' }
  | { readonly type: 'Receive'; readonly from: ProcessId; readonly message: MutexMessage }

export interface ProcessConfig {
  /** Number of processes, ids 0..processes-1. */
  readonly processes: number
  readonly bug?: MutexBug
}

export type ProcessTransition = Transition<ProcessState, ProcessId, MutexMessage>

export const initialProcess = (id: ProcessId, processes: number): ProcessState => ({
  id,
  clock: 1,
  req: Array.from({ length: processes }, () => 0),
  ack: [],
  inCritical: false,
})

const others = (config: ProcessConfig, self: ProcessId) => Array.from({ length: config.processes }, (_, q) => q).filter((q) => q !== self)

/** Does this process's request come before q's, as far as it knows? */
export function beats(config: ProcessConfig, state: ProcessState, q: ProcessId): boolean {
  const mine = state.req[state.id]
  const theirs = state.req[q]
  if (theirs === 0 || mine < theirs) return true
  if (config.bug === 'no-tie-break') return mine === theirs
  return mine === theirs && state.id < q
}

/** May this process enter the critical section now? (null if so, else why not) */
export function whyNotEnter(config: ProcessConfig, state: ProcessState): string | null {
  const name = processName(state.id)
  if (state.req[state.id] === 0) return `${name} has no pending request`
  const needed = config.bug === 'majority-acks' ? Math.floor(config.processes / 2) + 1 : config.processes
  if (state.ack.length < needed) return `${name} has ${state.ack.length} of the ${needed} acknowledgements it needs`
  const ahead = others(config, state.id).find((q) => !beats(config, state, q))
  if (ahead !== undefined) return `${processName(ahead)}'s request comes before ${name}'s`
  return null
}

export function stepProcess(config: ProcessConfig, state: ProcessState, event: ProcessEvent): ProcessTransition {
  const name = processName(state.id)
  switch (event.type) {
    case 'Request': {
      if (state.req[state.id] !== 0) return refuse(`${name} already has a pending request`)
      const stamp = state.clock
      return {
        state: produce(state, (d) => {
          d.req[state.id] = stamp
          d.ack = [state.id]
        }),
        effects: others(config, state.id).map((q) => ({ to: q, message: { type: 'req', clock: stamp } })),
      }
    }
    case 'Enter': {
      // Entering twice changes nothing in the spec (crit is a set), so an entered process
      // that still holds its request may "enter" again: taken, with no change.
      const why = whyNotEnter(config, state)
      if (why !== null) return refuse(why)
      return { state: state.inCritical ? state : produce(state, (d) => void (d.inCritical = true)), effects: [] }
    }
    case 'Exit': {
      if (!state.inCritical) return refuse(`${name} is not in the critical section`)
      return {
        state: produce(state, (d) => {
          d.inCritical = false
          d.req[state.id] = 0
          d.ack = []
        }),
        effects: others(config, state.id).map((q) => ({ to: q, message: { type: 'rel' } })),
      }
    }
    case 'Receive': {
      const { from, message } = event
      if (from === state.id || !(from >= 0 && from < config.processes)) return refuse(`${name} takes no message from ${from}`)
      switch (message.type) {
        case 'req':
          return {
            state: produce(state, (d) => {
              d.req[from] = message.clock
              if (config.bug !== 'no-clock-update') d.clock = Math.max(message.clock, state.clock) + 1
            }),
            // The bug: inside the critical section the ack is put off, and never sent.
            effects: config.bug === 'no-ack-in-critical-section' && state.inCritical ? [] : [{ to: from, message: { type: 'ack' } }],
          }
        case 'ack':
          return {
            state: state.ack.includes(from) ? state : produce(state, (d) => void d.ack.push(from)),
            effects: [],
          }
        case 'rel':
          return { state: produce(state, (d) => void (d.req[from] = 0)), effects: [] }
      }
    }
  }
}
