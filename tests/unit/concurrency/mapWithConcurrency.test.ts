import { mapWithConcurrency } from '../../../lib/concurrency/mapWithConcurrency';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapWithConcurrency', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (n) => {
      most = Math.max(most, ++inFlight);
      await tick(n);
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  it('starts nothing new after the first failure and rejects with it', async () => {
    const started: number[] = [];
    const boom = new Error('boom');
    await expect(mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      // 1 fails while 0 is still running: when 0 ends, nothing new may start.
      await tick(n === 0 ? 30 : 1);
      if (n === 1) throw boom;
      return n;
    })).rejects.toBe(boom);
    await tick(60);
    expect(started).toEqual([0, 1]);
  });
});
