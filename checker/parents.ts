// What is kept per distinct state instead of the state itself: the id of the state it was
// first reached from and the ordinal of that step among the parent's successors. A path is
// rebuilt by replaying those ordinals from an initial state (see path.ts).

export class ParentLog {
  private parents = new Int32Array(1 << 16)
  private ordinals = new Uint16Array(1 << 16)
  size = 0

  /** Record a new state; returns its id. `parent` is -1 for an initial state. */
  add(parent: number, ordinal: number): number {
    if (ordinal > 0xffff) throw new RangeError(`a state has more than 65535 successors (ordinal ${ordinal})`)
    if (this.size === this.parents.length) this.grow()
    this.parents[this.size] = parent
    this.ordinals[this.size] = ordinal
    return this.size++
  }

  parent(id: number): number {
    return this.parents[id]
  }

  ordinal(id: number): number {
    return this.ordinals[id]
  }

  get bytes(): number {
    return this.parents.byteLength + this.ordinals.byteLength
  }

  private grow() {
    const parents = new Int32Array(this.parents.length * 2)
    parents.set(this.parents)
    this.parents = parents
    const ordinals = new Uint16Array(this.ordinals.length * 2)
    ordinals.set(this.ordinals)
    this.ordinals = ordinals
  }
}
