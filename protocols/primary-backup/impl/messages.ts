// What the nodes of the primary/backup service say to each other, as the model's messages
// have them. Servers are 0..n-1; NIL (-1) is "no server". A view is numbered and names its
// primary and backup; every message between servers names the view it belongs to, and a
// server takes it only while it holds that view in that role.

export type ServerId = number
export const NIL = -1

/** The same bug switches as protocols/primary-backup/model.ts, each flipping the same rule here. */
export type PrimaryBackupBug = 'ack-before-transfer' | 'local-reads' | undefined
export const BUGS: readonly Exclude<PrimaryBackupBug, undefined>[] = ['ack-before-transfer', 'local-reads']

export interface ViewInfo {
  readonly view: number
  readonly primary: ServerId
  readonly backup: ServerId
}

/** A client operation: a write of `value`, or a read (value 0). `seq` numbers the client's operations. */
export interface ClientRequest {
  readonly seq: number
  readonly op: 'write' | 'read'
  readonly value: number
}

/** A primary's answer: for a write, the value written; for a read, the value read. */
export interface ClientReply {
  readonly type: 'Reply'
  readonly seq: number
  readonly op: 'write' | 'read'
  readonly value: number
}

export type ServerMessage =
  | { readonly type: 'Transfer'; readonly view: number; readonly value: number; readonly seen: number }
  | { readonly type: 'TransferOk'; readonly view: number }
  | { readonly type: 'Forward'; readonly view: number; readonly seq: number; readonly op: 'write' | 'read'; readonly value: number }
  | { readonly type: 'ForwardOk'; readonly view: number; readonly seq: number }

/** A server's name in logs and traces: s1..sN for ids 0..N-1. */
export const serverName = (id: ServerId) => (id === NIL ? 'nobody' : `s${id + 1}`)
