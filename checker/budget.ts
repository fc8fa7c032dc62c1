// The memory budget of a search (--memory MB). The big structures ask before they grow
// (the visited table doubles, which is the allocation that would overshoot); the frontier,
// which grows chunk by chunk, is checked against the process's RSS at every tick. A refusal
// or a failed allocation becomes the reason the search stops `incomplete`, with the
// figures so far: never a crash for lack of memory.

export class MemoryBudget {
  /** Why the search must stop, once a growth was refused or failed. */
  reason: string | null = null

  constructor(readonly limitBytes = Infinity) {}

  /** May `what` allocate `extraBytes` more? Records the reason when not. */
  allow(what: string, extraBytes: number): boolean {
    if (this.limitBytes === Infinity) return true
    const rss = process.memoryUsage.rss()
    if (rss + extraBytes <= this.limitBytes) return true
    this.reason = `memory budget of ${mb(this.limitBytes)} MB reached: the ${what} needs ${mb(extraBytes)} MB more with ${mb(rss)} MB in use`
    return false
  }

  /** Is the process over budget now (checked at ticks, for what grows in small steps)? */
  exceeded(): boolean {
    if (this.reason) return true
    if (this.limitBytes === Infinity) return false
    const rss = process.memoryUsage.rss()
    if (rss <= this.limitBytes) return false
    this.reason = `memory budget of ${mb(this.limitBytes)} MB reached: ${mb(rss)} MB in use`
    return true
  }

  /** An allocation that failed all the same (the machine had less than the budget). */
  failed(what: string, bytes: number) {
    this.reason = `out of memory: could not allocate ${mb(bytes)} MB for the ${what}`
  }
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20)
