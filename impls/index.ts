// Every runnable implementation, by the name of the model it implements. Adding one: write
// impls/<model>/driver.ts exporting a DriverFactory and list it here.

import { InputError } from '../checker/errors.js'
import type { DriverFactory } from './driver.js'
import { lockServiceDriver } from './lock-service/driver.js'
import { paxosDriver } from './paxos/driver.js'
import { raftDriver } from './raft/driver.js'
import { twoPhaseCommitDriver } from './two-phase-commit/driver.js'
import { zabDriver } from './zab/driver.js'

export const drivers: readonly DriverFactory[] = [twoPhaseCommitDriver, lockServiceDriver, paxosDriver, zabDriver, raftDriver]

/** The implementation of `model`; InputError (one line, exit 2) when there is none. */
export function findDriver(model: string): DriverFactory {
  const driver = drivers.find((d) => d.model === model)
  if (!driver) {
    throw new InputError(`model '${model}' has no runnable implementation to replay against (implementations: ${drivers.map((d) => d.model).join(', ')})`)
  }
  return driver
}
