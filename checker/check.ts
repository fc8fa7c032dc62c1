// One entry point for exhaustive checking: picks the strategy, so callers (the CLI, spec
// runs, benchmarks, tests) do not depend on which files implement which search.

import { bfsSearch } from './bfs.js'
import { dfsSearch } from './dfs.js'
import { InputError } from './errors.js'
import type { Instance } from './instance.js'
import { complete, completeAsync, type Search, type SearchOptions, type SearchResult } from './search.js'

export const strategies = ['bfs', 'dfs'] as const
export type Strategy = (typeof strategies)[number]

export function check(instance: Instance, strategy: string, options: SearchOptions = {}): SearchResult {
  return complete(search(instance, strategy, options))
}

/** The same, letting the event loop run now and then: Ctrl-C handlers and timers work. */
export function checkAsync(instance: Instance, strategy: string, options: SearchOptions = {}): Promise<SearchResult> {
  return completeAsync(search(instance, strategy, options))
}

function search(instance: Instance, strategy: string, options: SearchOptions): Search {
  switch (strategy) {
    case 'bfs':
      return bfsSearch(instance, options)
    case 'dfs':
      return dfsSearch(instance, options)
    default:
      throw new InputError(`unknown strategy '${strategy}' (strategies: ${strategies.join(', ')})`)
  }
}
