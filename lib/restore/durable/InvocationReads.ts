import type { SharedReads } from '../types';

/**
 * The reads one invocation's steps share (RestoreDependencies.sharedReads): each key read once, by the first
 * step that asks, and kept until the invocation ends or the key is forgotten. A failed read is forgotten, so the
 * step's retry, or the next step, reads again. What is kept is immutable for the restore (the recovery point's
 * manifest, the prepare's facts): a replay in a new invocation reads it afresh and finds the same.
 */
export class InvocationReads implements SharedReads {
  readonly #reads = new Map<string, Promise<unknown>>();

  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const kept = this.#reads.get(key) as Promise<T> | undefined;
    if (kept) return kept;
    const reading = read();
    this.#reads.set(key, reading);
    reading.catch(() => {
      if (this.#reads.get(key) === reading) this.#reads.delete(key);
    });
    return reading;
  }

  /** Drops what `key` holds, and hands it back (to be closed, say); the next once() reads again. */
  forget<T>(key: string): Promise<T> | undefined {
    const kept = this.#reads.get(key) as Promise<T> | undefined;
    this.#reads.delete(key);
    return kept;
  }
}
