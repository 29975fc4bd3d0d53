/** What a TaskPool's tasks take while they run: a fixed number of slots, or a limit that moves (AdaptiveLimit). */
export interface Slots {
  /** Resolves once a slot is held; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
  release(): void;
}

/** `limit` slots, handed out in the order they were asked for. */
export class FixedSlots implements Slots {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#held < this.#limit) {
      this.#held++;
      return;
    }
    await waitForTurn(this.#waiting, signal);
  }

  release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next in line: held stays the same.
    if (next) next();
    else this.#held--;
  }
}

/** Queues a resolve; an abort takes it out of the queue and rejects. */
export function waitForTurn(queue: Array<() => void>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const turn = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      const at = queue.indexOf(turn);
      if (at >= 0) queue.splice(at, 1);
      reject(signal?.reason);
    };
    queue.push(turn);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
