// One entry point for exhaustive checking: picks the strategy, so callers (the CLI, spec
// runs, benchmarks, tests) do not depend on which files implement which search.

import { bfs } from './bfs.js'
import { InputError } from './errors.js'
import type { Instance } from './instance.js'
import type { SearchOptions, SearchResult } from './search.js'

export const strategies = ['bfs'] as const
export type Strategy = (typeof strategies)[number]

export function check(instance: Instance, strategy: string, options: SearchOptions = {}): SearchResult {
  switch (strategy) {
    case 'bfs':
      return bfs(instance, options)
    default:
      throw new InputError(`unknown strategy '${strategy}' (strategies: ${strategies.join(', ')})`)
  }
}
