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

/** Past the last cap that met a 429, one more slot takes this many times `cap` successes in a row (a slow probe). */
export const PROBE_FACTOR = 8;

/**
 * Slots under a cap that a throttling server lowers and success raises again (AIMD, as TCP's congestion
 * window): a throttle (HTTP 429) halves the cap, once per congestion event, and the throttled request alone
 * waits its Retry-After before it asks for a slot again (as client-go honours Retry-After per request). The
 * cap then climbs one slot per `cap` successes in a row back to just under the cap that met the 429, and
 * past it only one slot per PROBE_FACTOR x `cap` successes. Measured with the bench's cap curve against a
 * recovery API server serving 8 writes at once: pausing every write for each Retry-After, and climbing
 * straight back into the server's limit, took 16 writes in flight down to 36 objects/s from 530 at 8.
 * Nothing here fails on throttling: only the caller's signal ends a wait.
 */
export class AdaptiveLimit implements Slots {
  readonly max: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #cap: number;
  /** The cap less one when a 429 last cut it: climbed back to quickly, probed past slowly. */
  #ceiling: number;
  #held = 0;
  #successes = 0;
  /** Until then a 429 belongs to the congestion event that cut the cap last (writes sent before the cut). */
  #eventUntil = 0;
  readonly #waiting: Array<() => void> = [];
  /** Throttles told so far (each 429 seen). */
  throttles = 0;
  /** The lowest the cap went. */
  lowestCap: number;

  constructor(options: AdaptiveLimitOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.#cap = this.max;
    this.#ceiling = this.max;
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
      if (this.#held < this.#cap) {
        this.#held++;
        return;
      }
      // Woken by a release (or a raised cap); the cap is looked at again.
      await waitForTurn(this.#waiting, signal);
    }
  }

  release(): void {
    this.#held--;
    this.#wake();
  }

  /**
   * A request went through: one more slot after `cap` of them in a row (additive increase), slower past the
   * ceiling. Not while the congestion event that cut the cap lasts: the writes sent before the cut still come
   * back, and a cap climbing back meanwhile met the server's limit again without a cut (measured: 1,807 429s
   * for 5,000 writes at 16 against a server serving 8).
   */
  succeeded(): void {
    if (this.#cap >= this.max || this.#now() < this.#eventUntil) return;
    const needed = this.#cap < this.#ceiling ? this.#cap : this.#cap * PROBE_FACTOR;
    if (++this.#successes < needed) return;
    this.#successes = 0;
    this.#cap++;
    this.#wake();
  }

  /**
   * The server asked to slow down: the cap is halved, once per congestion event (the writes in flight when the
   * first 429 came answer 429 too, within its Retry-After: one event, not several). Returns the pause the
   * throttled request is to wait.
   */
  throttle(retryAfterMs: number | undefined): number {
    this.throttles++;
    const now = this.#now();
    const pause = Math.min(MAX_THROTTLE_PAUSE_MS, Math.max(0, retryAfterMs ?? DEFAULT_THROTTLE_PAUSE_MS));
    if (now >= this.#eventUntil) {
      this.#ceiling = Math.max(1, this.#cap - 1);
      this.#cap = Math.max(1, Math.floor(this.#cap / 2));
      this.lowestCap = Math.min(this.lowestCap, this.#cap);
      this.#eventUntil = now + Math.max(pause, 1);
    }
    this.#successes = 0;
    return pause;
  }

  /**
   * For a caller that holds a slot and was throttled: gives the slot up, throttles, waits the Retry-After, and
   * waits for a slot under the lowered cap. When the signal aborts, the slot is held again before it throws, so
   * that the caller's own release stays balanced.
   */
  async backOff(retryAfterMs: number | undefined, signal?: AbortSignal): Promise<void> {
    this.release();
    const pause = this.throttle(retryAfterMs);
    try {
      if (pause > 0) await this.#sleep(pause, signal);
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
