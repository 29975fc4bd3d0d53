import { AdaptiveLimit, DEFAULT_THROTTLE_PAUSE_MS, PROBE_FACTOR } from '../../../lib/concurrency';

/** A clock that only moves when the limit sleeps: every wait is seen and measured, none is real. */
function fakeClock() {
  const clock = { t: 0, slept: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('AdaptiveLimit', () => {
  it('hands out at most max slots, and the next one when a slot is released', async () => {
    const { now, sleep } = fakeClock();
    const limit = new AdaptiveLimit({ max: 2, now, sleep });
    await limit.acquire();
    await limit.acquire();
    let third = false;
    const waiting = limit.acquire().then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    limit.release();
    await waiting;
    expect({ third, held: limit.held }).toEqual({ third: true, held: 2 });
  });

  it('halves the cap on a 429 once per congestion event, and a new event halves it again', () => {
    const { clock, now, sleep } = fakeClock();
    const limit = new AdaptiveLimit({ max: 8, now, sleep });
    expect(limit.throttle(2_000)).toBe(2_000);
    // The writes in flight when the first 429 came answer 429 too, within its Retry-After: one event, not three.
    limit.throttle(2_000);
    expect(limit.throttle(undefined)).toBe(DEFAULT_THROTTLE_PAUSE_MS);
    expect({ cap: limit.cap, lowest: limit.lowestCap, throttles: limit.throttles }).toEqual({ cap: 4, lowest: 4, throttles: 3 });
    clock.t += 2_000;
    limit.throttle(500);
    expect({ cap: limit.cap, lowest: limit.lowestCap }).toEqual({ cap: 2, lowest: 2 });
  });

  it('only the throttled request waits its Retry-After: others take the free slots under the lowered cap meanwhile', async () => {
    const { clock, now } = fakeClock();
    let wake: (() => void) | undefined;
    const slept: number[] = [];
    const sleep = (ms: number) => new Promise<void>((resolve) => {
      slept.push(ms);
      wake = () => {
        clock.t += ms;
        resolve();
      };
    });
    const limit = new AdaptiveLimit({ max: 4, now, sleep });
    for (let i = 0; i < 4; i++) await limit.acquire();
    let back = false;
    const backing = limit.backOff(3_000).then(() => (back = true));
    await tick();
    // Cap 2 with 3 still held: a release lets nobody in; two releases let another write start at once.
    expect({ slept, cap: limit.cap, held: limit.held }).toEqual({ slept: [3_000], cap: 2, held: 3 });
    limit.release();
    limit.release();
    await limit.acquire();
    expect({ back, held: limit.held, t: clock.t }).toEqual({ back: false, held: 2, t: 0 });
    // Its Retry-After over, the throttled write waits for a slot under the cap like any other.
    wake?.();
    await tick();
    expect(back).toBe(false);
    limit.release();
    await backing;
    expect({ back, held: limit.held }).toEqual({ back: true, held: 2 });
  });

  it('never goes below one slot; climbs back one slot per cap successes to just under the cap that met the 429, then probes slowly', () => {
    const { clock, now, sleep } = fakeClock();
    const limit = new AdaptiveLimit({ max: 16, now, sleep });
    limit.throttle(1_000);
    expect(limit.cap).toBe(8);
    // While the congestion event lasts (its Retry-After), successes do not raise the cap.
    for (let i = 0; i < 100; i++) limit.succeeded();
    expect(limit.cap).toBe(8);
    clock.t += 1_000;
    const successesTo = (cap: number): number => {
      let n = 0;
      while (limit.cap < cap) {
        limit.succeeded();
        n++;
      }
      return n;
    };
    // 8 -> 15 (the ceiling: 16 met the 429): 8 + 9 + ... + 14 successes.
    expect(successesTo(15)).toBe(8 + 9 + 10 + 11 + 12 + 13 + 14);
    // Past the ceiling, one slot per PROBE_FACTOR x cap.
    expect(successesTo(16)).toBe(15 * PROBE_FACTOR);
    for (let i = 0; i < 100; i++) limit.succeeded();
    expect(limit.cap).toBe(16);
    for (let i = 0; i < 6; i++) {
      limit.throttle(1_000);
      clock.t += 1_000;
    }
    expect({ cap: limit.cap, lowest: limit.lowestCap }).toEqual({ cap: 1, lowest: 1 });
  });

  it('only the signal ends a wait, and the caller still holds its slot to release', async () => {
    const { now, sleep } = fakeClock();
    const limit = new AdaptiveLimit({ max: 1, now, sleep });
    await limit.acquire();
    const controller = new AbortController();
    const deadline = new Error('deadline');
    const waiting = limit.acquire(controller.signal);
    controller.abort(deadline);
    await expect(waiting).rejects.toBe(deadline);
    const backing = limit.backOff(60_000, controller.signal);
    await expect(backing).rejects.toBe(deadline);
    expect(limit.held).toBe(1);
    limit.release();
    expect(limit.held).toBe(0);
  });
});
