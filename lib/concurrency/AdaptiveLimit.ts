import { waitForTurn, type Slots } from './Slots';

/** Pause after a throttle that named no Retry-After. @default 1 s */
export const DEFAULT_THROTTLE_PAUSE_MS = 1_000;
/** Longest pause honoured from one Retry-After (a server asking for more is asked again sooner). */
const MAX_THROTTLE_PAUSE_MS = 60_000;

export interface AdaptiveLimitOptions {
  /** The cap: never more in flight than this. */
  max: number;
  /** @default Date.now */
  now?: () => number;
  /** @default a timer that an abort ends early */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Slots under a cap that a throttling server lowers and success raises again (AIMD, as TCP's congestion
 * window): a throttle (HTTP 429) halves the cap, once per pause, and pauses every acquire until its
 * Retry-After; then each `cap` successes in a row add one slot, up to `max`. Nothing here fails on
 * throttling: only the caller's signal ends a wait.
 */
export class AdaptiveLimit implements Slots {
  readonly max: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #cap: number;
  #held = 0;
  #successes = 0;
  #pausedUntil = 0;
  readonly #waiting: Array<() => void> = [];
  /** Throttles told so far (each 429 seen). */
  throttles = 0;
  /** The lowest the cap went. */
  lowestCap: number;

  constructor(options: AdaptiveLimitOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.#cap = this.max;
    this.lowestCap = this.max;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
  }

  /** Slots that may be held now. */
  get cap(): number {
    return this.#cap;
  }

  get held(): number {
    return this.#held;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const pause = this.#pausedUntil - this.#now();
      if (pause > 0) {
        await this.#sleep(pause, signal);
        continue;
      }
      if (this.#held < this.#cap) {
        this.#held++;
        return;
      }
      // Woken by a release (or a raised cap); the pause and the cap are looked at again.
      await waitForTurn(this.#waiting, signal);
    }
  }

  release(): void {
    this.#held--;
    this.#wake();
  }

  /** A request went through: one more slot after `cap` of them in a row (additive increase). */
  succeeded(): void {
    if (this.#cap >= this.max) return;
    if (++this.#successes < this.#cap) return;
    this.#successes = 0;
    this.#cap++;
    this.#wake();
  }

  /**
   * The server asked to slow down: every acquire waits `retryAfterMs` (a throttle told during a pause
   * lengthens it), and the cap is halved, once per pause: the requests already in flight when the first
   * 429 came answer 429 too, and are one congestion event, not several.
   */
  throttle(retryAfterMs: number | undefined): void {
    this.throttles++;
    const now = this.#now();
    const pause = Math.min(MAX_THROTTLE_PAUSE_MS, Math.max(0, retryAfterMs ?? DEFAULT_THROTTLE_PAUSE_MS));
    if (now >= this.#pausedUntil) {
      this.#cap = Math.max(1, Math.floor(this.#cap / 2));
      this.lowestCap = Math.min(this.lowestCap, this.#cap);
    }
    this.#successes = 0;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pause);
  }

  /**
   * For a caller that holds a slot and was throttled: gives the slot up, throttles, and waits for one under
   * the lowered cap once the pause is over. When the signal aborts, the slot is held again before it
   * throws, so that the caller's own release stays balanced.
   */
  async backOff(retryAfterMs: number | undefined, signal?: AbortSignal): Promise<void> {
    this.release();
    this.throttle(retryAfterMs);
    try {
      await this.acquire(signal);
    } catch (err) {
      this.#held++;
      throw err;
    }
  }

  #wake(): void {
    // Every waiter looks again (a few dozen at most): the cap, not the queue, decides who goes.
    for (const turn of this.#waiting.splice(0)) turn();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
