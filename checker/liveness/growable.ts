// Typed arrays that double as they fill: the state graph of a liveness check holds millions
// of entries, which JavaScript arrays of numbers or objects would store at several times the
// size (and Map and Set stop at 2^24 entries).

type TypedArray = Int32Array | Uint8Array | Uint16Array

abstract class Growable<A extends TypedArray> {
  length = 0
  protected array: A

  constructor(capacity: number, private readonly make: (capacity: number) => A) {
    this.array = make(Math.max(16, capacity))
  }

  push(value: number) {
    if (this.length === this.array.length) {
      const bigger = this.make(this.array.length * 2)
      bigger.set(this.array as never)
      this.array = bigger
    }
    this.array[this.length++] = value
  }

  get(i: number): number {
    return this.array[i]
  }

  set(i: number, value: number) {
    this.array[i] = value
  }

  /** The filled part, trimmed to its length (a copy, so the growable's spare room is freed). */
  trimmed(): A {
    return this.array.slice(0, this.length) as A
  }
}

export class GrowableInt32 extends Growable<Int32Array> {
  constructor(capacity = 1024) {
    super(capacity, (n) => new Int32Array(n))
  }
}

export class GrowableUint8 extends Growable<Uint8Array> {
  constructor(capacity = 1024) {
    super(capacity, (n) => new Uint8Array(n))
  }
}

export class GrowableUint16 extends Growable<Uint16Array> {
  constructor(capacity = 1024) {
    super(capacity, (n) => new Uint16Array(n))
  }
}
