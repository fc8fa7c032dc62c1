// One entry point for exhaustive checking: picks the strategy, so callers (the CLI, spec
// runs, benchmarks, tests) do not depend on which files implement which search.

import { bfsSearch } from './bfs.js'
import { dfsSearch } from './dfs.js'
import { parallelBfs } from './parallel.js'
import { InputError } from './errors.js'
import type { Instance } from './instance.js'
import { complete, completeAsync, type Search, type SearchOptions, type SearchResult } from './search.js'

export const strategies = ['bfs', 'dfs'] as const
export type Strategy = (typeof strategies)[number]

export function check(instance: Instance, strategy: string, options: SearchOptions = {}): SearchResult {
  if ((options.workers ?? 1) > 1) throw new InputError('--workers: a parallel search runs through checkAsync')
  return complete(search(instance, strategy, options))
}

/** The same, letting the event loop run now and then (Ctrl-C handlers and timers work);
 * with `workers` > 1, a parallel breadth-first search on worker threads. */
export function checkAsync(instance: Instance, strategy: string, options: SearchOptions = {}): Promise<SearchResult> {
  const workers = options.workers ?? 1
  if (workers > 1) {
    if (options.persistence) return Promise.reject(new InputError(`${persistenceFlag(options)} works with one worker only, not --workers ${workers}`))
    if (strategy !== 'bfs') return Promise.reject(new InputError(`--workers ${workers} runs breadth-first search only, not ${strategy}`))
    return parallelBfs(instance, workers, options)
  }
  return completeAsync(search(instance, strategy, options))
}

function search(instance: Instance, strategy: string, options: SearchOptions): Search {
  if (options.persistence && strategy !== 'bfs') throw new InputError(`${persistenceFlag(options)} works with breadth-first search only, not ${strategy}`)
  switch (strategy) {
    case 'bfs':
      return bfsSearch(instance, options)
    case 'dfs':
      return dfsSearch(instance, options)
    default:
      throw new InputError(`unknown strategy '${strategy}' (strategies: ${strategies.join(', ')})`)
  }
}

/** The flag that asked for persistence, to name it in a refusal. */
function persistenceFlag(options: SearchOptions): string {
  const p = options.persistence!
  return p.recoverDir ? '--recover' : p.checkpointDir ? '--checkpoint' : p.diskDir ? '--disk' : '--checkpoint-every'
}
