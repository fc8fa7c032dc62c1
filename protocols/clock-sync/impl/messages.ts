// The messages of the NTP-style exchange, each carrying its sender's hybrid logical clock.
// A request carries the client's transmit time t1; the response echoes t1 (NTP's origin
// timestamp, which lets the client match it to its request) and adds the server's receive
// time t2 and transmit time t3. Clock values are ticks (the driver's) or milliseconds (the
// node processes'); the cores do not care which.

import type { Hlc } from './hlc.js'

export type ClientId = number

export interface TimeRequest {
  readonly type: 'request'
  readonly client: ClientId
  readonly t1: number
  readonly hlc: Hlc
}

export interface TimeResponse {
  readonly type: 'response'
  readonly client: ClientId
  readonly t1: number
  readonly t2: number
  readonly t3: number
  readonly hlc: Hlc
}

export type ClockSyncMessage = TimeRequest | TimeResponse

/** Clients send to the server; the server answers a client. */
export type Address = 'server' | { readonly client: ClientId }

/** The same bug switches as protocols/clock-sync/model.ts, each flipping the same rule here. */
export type ClockSyncBug = 'step-back' | 'ignore-delay' | 'hlc-no-max' | undefined
