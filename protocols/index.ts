// The built-in protocols. Each is one folder, loaded exactly as a user's model file is:
// model.ts default-exports the model, driver.ts (if any) the driver that replays its traces
// on the implementation in impl/, serve.ts (if any) how `serve` runs that implementation as
// node processes. Adding a protocol: write protocols/<name>/ and add its name here.

export const builtInProtocols = [
  'two-phase-commit',
  'transaction-commit',
  'lock-service',
  'zab',
  'paxos',
  'raft',
  'paxos-commit',
  'lamport-mutex',
  'mapreduce-commit',
  'load-balancer',
  'clock-sync',
  'sharded-kv',
  'primary-backup',
  'failover-fencing',
  'gfs',
] as const

/** The folder of a built-in protocol (compiled: the .js files beside this module). */
export const protocolFolder = (name: string): URL => new URL(`./${name}/`, import.meta.url)
