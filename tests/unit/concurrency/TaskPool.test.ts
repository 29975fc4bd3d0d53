import { AdaptiveLimit, TaskPool } from '../../../lib/concurrency';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TaskPool', () => {
  it('pools sharing one limit never run more than its cap together', async () => {
    const limit = new AdaptiveLimit({ max: 3 });
    let inFlight = 0;
    let most = 0;
    const task = async () => {
      most = Math.max(most, ++inFlight);
      await tick(2);
      inFlight--;
    };
    await Promise.all([0, 1, 2].map(async () => {
      const pool = new TaskPool(limit);
      for (let i = 0; i < 6; i++) await pool.start(task);
      await pool.drain();
    }));
    expect({ most, held: limit.held }).toEqual({ most: 3, held: 0 });
  });

  it('after a failure starts nothing new, throws it, and settle() waits for the tasks still running', async () => {
    const pool = new TaskPool(2);
    const boom = new Error('boom');
    let slowDone = false;
    await pool.start(async () => {
      await tick(30);
      slowDone = true;
    });
    await pool.start(async () => {
      await tick(1);
      throw boom;
    });
    await expect(pool.start(async () => undefined)).rejects.toBe(boom);
    expect(slowDone).toBe(false);
    await pool.settle();
    expect(slowDone).toBe(true);
    expect(pool.failure?.error).toBe(boom);
    await expect(pool.drain()).rejects.toBe(boom);
  });

  it('start() rejects with the signal\'s reason when it aborts while waiting for a slot', async () => {
    const pool = new TaskPool(1);
    await pool.start(async () => { await tick(20); });
    const controller = new AbortController();
    const waiting = pool.start(async () => undefined, controller.signal);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await pool.drain();
  });
});
