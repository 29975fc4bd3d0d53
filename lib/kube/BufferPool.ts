/** Options for BufferPool. */
export interface BufferPoolOptions {
  /**
   * Free buffers kept for reuse; a buffer given back beyond that is dropped (the smallest goes first).
   * @default 4
   */
  maxFree?: number;
  /**
   * Smallest buffer handed out.
   * @default 128 KiB
   */
  minBytes?: number;
}

/**
 * A few large scratch buffers handed out and given back, so that work repeated thousands of times (a
 * window per list page) allocates nothing in the steady state. Buffers the size of a page that live
 * for a page's processing outlive V8's young generation and, as external memory, wait for a full GC:
 * at 100k objects that was most of the backup's peak memory (issue 8).
 */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #maxFree: number;
  readonly #minBytes: number;

  constructor(options: BufferPoolOptions = {}) {
    this.#maxFree = options.maxFree ?? 4;
    this.#minBytes = options.minBytes ?? 128 * 1024;
    if (!Number.isInteger(this.#maxFree) || this.#maxFree < 0) throw new RangeError(`maxFree must be an integer >= 0, got ${this.#maxFree}`);
    if (!Number.isInteger(this.#minBytes) || this.#minBytes < 1) throw new RangeError(`minBytes must be a positive integer, got ${this.#minBytes}`);
  }

  /** Free buffers held now. */
  get freeCount(): number {
    return this.#free.length;
  }

  /** A buffer of at least `minBytes` (contents undefined): a free one that fits, or a new one. */
  take(minBytes = 0): Buffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const length = this.#free[i]!.length;
      if (length >= minBytes && (best === -1 || length < this.#free[best]!.length)) best = i;
    }
    if (best !== -1) return this.#free.splice(best, 1)[0]!;
    return Buffer.allocUnsafe(Math.max(minBytes, this.#minBytes));
  }

  /** Returns a buffer taken from this pool; nothing may use it afterwards. */
  give(buffer: Buffer): void {
    this.#free.push(buffer);
    if (this.#free.length > this.#maxFree) {
      let smallest = 0;
      for (let i = 1; i < this.#free.length; i++) if (this.#free[i]!.length < this.#free[smallest]!.length) smallest = i;
      this.#free.splice(smallest, 1);
    }
  }
}
