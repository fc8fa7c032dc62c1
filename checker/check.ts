// One entry point for exhaustive checking: picks the strategy, so callers (the CLI, spec
// runs, benchmarks, tests) do not depend on which files implement which search.

import { bfsSearch } from './bfs.js'
import { dfsSearch } from './dfs.js'
import { parallelBfs } from './parallel.js'
import { InputError } from './errors.js'
import { Instance, isLiveness } from './instance.js'
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
  if (workers > 1 && options.persistence) return Promise.reject(new InputError(`${persistenceFlag(options)} works with one worker only, not --workers ${workers}`))
  const selected = livenessSelection(instance, strategy, options)
  // A liveness check runs on one thread whatever --workers says: the graph is recorded by
  // one breadth-first search, so the verdict cannot depend on how threads interleave.
  if (workers > 1 && selected.instance.liveness.length === 0) {
    if (strategy !== 'bfs') return Promise.reject(new InputError(`--workers ${workers} runs breadth-first search only, not ${strategy}`))
    return parallelBfs(selected.instance, workers, options).then((result) => ({ ...result, unchecked: selected.unchecked }))
  }
  return completeAsync(search(instance, strategy, options))
}

function search(instance: Instance, strategy: string, options: SearchOptions): Search {
  const selected = livenessSelection(instance, strategy, options)
  if (selected.unchecked) return noting(search(selected.instance, strategy, options), selected.unchecked)
  refuseUnsoundLiveness(instance, strategy, options)
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

/** Properties left to the default ("every property") keep their meaning where liveness is
 * not checked (--no-liveness, or options it cannot be checked with): the safety properties
 * are checked and the liveness ones named in the report's `unchecked`, so that `safe` is
 * never read as covering them. Liveness named explicitly is refused there instead. */
function livenessSelection(instance: Instance, strategy: string, options: SearchOptions): { instance: Instance; unchecked: SearchResult['unchecked'] } {
  if (instance.liveness.length === 0 || instance.config.properties !== undefined) return { instance, unchecked: null }
  const why = options.checkLiveness === false ? '--no-liveness' : cannotCheckLiveness(strategy, options) ? 'liveness is checked by bfs without --symmetry, --checkpoint, --recover or --disk' : null
  if (!why) return { instance, unchecked: null }
  return { instance: withoutLiveness(instance), unchecked: { properties: instance.liveness.map((p) => p.name), why } }
}

/** Will this check record the state graph for liveness (and so run on one thread)? */
export const checksLiveness = (instance: Instance, strategy: string, options: SearchOptions): boolean =>
  livenessSelection(instance, strategy, options).instance.liveness.length > 0

function* noting(search: Search, unchecked: SearchResult['unchecked']): Search {
  return { ...(yield* search), unchecked }
}

const cannotCheckLiveness = (strategy: string, options: SearchOptions) => Boolean(options.symmetry) || strategy !== 'bfs' || Boolean(options.persistence)

/** The same configuration with every property but the liveness ones selected. */
function withoutLiveness(instance: Instance): Instance {
  const properties = instance.allProperties.filter((p) => !isLiveness(p)).map((p) => p.name)
  return new Instance(instance.model, { ...instance.config, properties })
}

/** Liveness is checked on the graph a breadth-first search records, without symmetry:
 * anything else with a liveness property named in the selection is an InputError (callers
 * may ask early, before they announce the check). A selection left to the default is never
 * refused: search() leaves its liveness properties out. */
export function refuseUnsoundLiveness(instance: Instance, strategy: string, options: SearchOptions) {
  if (instance.liveness.length === 0 || instance.config.properties === undefined) return
  const names = instance.liveness.map((p) => p.name).join(', ')
  if (options.checkLiveness === false) throw new InputError(`--no-liveness leaves out liveness properties, yet ${names} is selected by name`)
  if (options.symmetry) {
    // Symmetry reduction merges states whose futures are renamings of each other; a cycle
    // of representatives need not be a cycle of real states, nor fair per action instance,
    // and TLC misses or invents liveness violations this way (tlaplus/tlaplus#59, #644).
    throw new InputError(`--symmetry cannot check the liveness properties ${names} soundly; select other properties with --property, or drop --symmetry`)
  }
  if (strategy !== 'bfs') {
    throw new InputError(`liveness properties (${names}) are checked by breadth-first search only, not ${strategy}; select other properties with --property, or use --strategy bfs`)
  }
  if (options.persistence) {
    // A checkpoint holds the visited set, not the state graph a liveness check needs.
    throw new InputError(`${persistenceFlag(options)} cannot be used with the liveness properties ${names} (a checkpoint does not hold the state graph); select other properties with --property`)
  }
}

/** The flag that asked for persistence, to name it in a refusal. */
function persistenceFlag(options: SearchOptions): string {
  const p = options.persistence!
  return p.recoverDir ? '--recover' : p.checkpointDir ? '--checkpoint' : p.diskDir ? '--disk' : '--checkpoint-every'
}
