import { FixedSlots, type Slots } from './Slots';

/**
 * The one bounded-concurrency loop (backup's lists, restore's writes, mapWithConcurrency): a caller feeds
 * tasks one at a time with start(), which waits for a free slot; tasks run without being awaited by the
 * feeder. After the first failure no new task starts and start()/drain() throw it; settle() waits for every
 * task started, so that none is left running when the caller moves on.
 */
export class TaskPool {
  readonly #slots: Slots;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  /** `slots`: a number of tasks at once, or slots shared with other pools (one cap for several loops). */
  constructor(slots: Slots | number) {
    this.#slots = typeof slots === 'number' ? new FixedSlots(slots) : slots;
  }

  /** The first failure of a task, kept (never left to an unobserved rejected promise). */
  get failure(): { error: unknown } | undefined {
    return this.#failure;
  }

  /**
   * Waits for a slot, then starts `task` and returns (the task goes on). Throws the first failure of an
   * earlier task, or the signal's reason when it aborts while waiting.
   */
  async start(task: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    this.#throwIfFailed();
    await this.#slots.acquire(signal);
    try {
      this.#throwIfFailed();
    } catch (err) {
      this.#slots.release();
      throw err;
    }
    const run: Promise<void> = task()
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => {
        this.#slots.release();
        this.#running.delete(run);
      });
    this.#running.add(run);
  }

  /** Resolves once every task is done; rejects with the first failure as soon as there is one. */
  async drain(): Promise<void> {
    while (this.#running.size > 0 && !this.#failure) await Promise.race(this.#running);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /** Waits for every task started, whatever they end with; never rejects. */
  async settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
