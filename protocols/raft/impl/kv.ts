// The replicated key-value store: the state machine that committed Raft entries drive. A put
// is applied once even if its command was proposed twice (a client's retry), by its id.
// An entry with an empty key is a leader's no-op.

export interface PutCommand {
  readonly id: string
  readonly key: string
  readonly value: string
}

export class KvStore {
  private readonly values = new Map<string, string>()
  private readonly appliedIds = new Set<string>()

  apply(command: PutCommand) {
    if (this.appliedIds.has(command.id)) return
    this.appliedIds.add(command.id)
    // A new leader's no-op (empty key) writes nothing.
    if (command.key !== '') this.values.set(command.key, command.value)
  }

  get(key: string): string | undefined {
    return this.values.get(key)
  }

  has(id: string): boolean {
    return this.appliedIds.has(id)
  }
}
