import { AdaptiveLimit, DEFAULT_THROTTLE_PAUSE_MS } from '../../../lib/concurrency';

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

  it('halves the cap on a 429 once per pause, and makes every acquire wait for the Retry-After', async () => {
    const { clock, now, sleep } = fakeClock();
    const limit = new AdaptiveLimit({ max: 8, now, sleep });
    limit.throttle(2_000);
    // The writes in flight when the first 429 came answer 429 too: one congestion event, not three halvings.
    limit.throttle(2_000);
    limit.throttle(500);
    expect({ cap: limit.cap, lowest: limit.lowestCap, throttles: limit.throttles }).toEqual({ cap: 4, lowest: 4, throttles: 3 });
    await limit.acquire();
    expect(clock.t).toBe(2_000);
    // A 429 after the pause is a new event: halved again.
    limit.throttle(undefined);
    expect(limit.cap).toBe(2);
    await limit.acquire();
    expect(clock.t).toBe(2_000 + DEFAULT_THROTTLE_PAUSE_MS);
  });

  it('never goes below one slot, and climbs back one slot per cap successes up to max', () => {
    const { clock, now, sleep } = fakeClock();
    const limit = new AdaptiveLimit({ max: 4, now, sleep });
    for (let i = 0; i < 5; i++) {
      limit.throttle(1_000);
      clock.t += 1_000;
    }
    expect({ cap: limit.cap, lowest: limit.lowestCap }).toEqual({ cap: 1, lowest: 1 });
    const caps: number[] = [];
    for (let i = 0; i < 12; i++) {
      limit.succeeded();
      caps.push(limit.cap);
    }
    // 1 success to reach 2, then 2 to reach 3, then 3 to reach 4; never above max.
    expect(caps).toEqual([2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4]);
  });

  it('backOff gives the slot up for the pause and holds one again once the writes in flight are under the lowered cap', async () => {
    const { clock, now, sleep } = fakeClock();
    const limit = new AdaptiveLimit({ max: 4, now, sleep });
    for (let i = 0; i < 4; i++) await limit.acquire();
    let back = false;
    const backing = limit.backOff(3_000).then(() => (back = true));
    await tick();
    // Cap 2 now, with the 3 others still held: the throttled write waits for two of them.
    expect({ back, t: clock.t, cap: limit.cap, held: limit.held }).toEqual({ back: false, t: 3_000, cap: 2, held: 3 });
    limit.release();
    await tick();
    expect(back).toBe(false);
    limit.release();
    await backing;
    expect({ back, held: limit.held }).toEqual({ back: true, held: 2 });
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
