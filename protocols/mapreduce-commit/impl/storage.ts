// The file system the output committer works on, as a sans-IO core: one directory per task
// attempt, which is in the temporary area (_temporary/<app-attempt>/_temporary/<attempt>), in the
// job's committed area (_temporary/<app-attempt>/<task>, after commitTask's rename), in the
// output directory (after commitJob's merge, or from the start for a direct committer), or gone.
// Each directory holds the part files written so far. Renames and the merge are atomic, as
// HDFS renames of directories are. Operations that make no sense (writing into a directory that
// does not exist, renaming one that is not in the temporary area) are refused.

import { produce } from 'immer'
import { refuse, type Transition } from '../../../conformance/transition.js'
import type { Address, AttemptNo, Message, StorageRequest, TaskId } from './messages.js'

export type Place = 'temp' | 'committed' | 'output'

export interface Directory {
  readonly at: Place
  readonly files: number
}

export interface StorageState {
  /** `${task}/${attempt}` -> that attempt's directory (absent: none, or deleted). */
  readonly dirs: Readonly<Record<string, Directory>>
}

export const initialStorage: StorageState = { dirs: {} }

export const dirKey = (task: TaskId, attempt: AttemptNo) => `${task}/${attempt}`

export function stepStorage(state: StorageState, request: StorageRequest): Transition<StorageState, Address, Message> {
  const done = (next: StorageState) => ({ state: next, effects: [] })
  if (request.type === 'MergeCommitted') {
    return done(produce(state, (d) => {
      for (const dir of Object.values(d.dirs)) if (dir.at === 'committed') dir.at = 'output'
    }))
  }
  const key = dirKey(request.task, request.attempt)
  const dir = state.dirs[key]
  switch (request.type) {
    case 'Setup':
      if (dir) return refuse(`attempt ${key} already has a directory`)
      return done(produce(state, (d) => void (d.dirs[key] = { at: request.direct ? 'output' : 'temp', files: 0 })))
    case 'WriteFile':
      if (!dir) return refuse(`attempt ${key} has no directory to write into`)
      return done(produce(state, (d) => void (d.dirs[key].files += 1)))
    case 'Rename':
      if (!dir || dir.at !== 'temp') return refuse(`attempt ${key} has no temporary directory to rename`)
      return done(produce(state, (d) => void (d.dirs[key].at = 'committed')))
    case 'Delete':
      if (!dir) return refuse(`attempt ${key} has no directory to delete`)
      return done(produce(state, (d) => void delete d.dirs[key]))
  }
}
