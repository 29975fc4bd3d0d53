import { prefetch } from '../../../lib/backup/prefetch';
import { PrefetchBudget } from '../../../lib/backup/PrefetchBudget';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('prefetch', () => {
  it('yields every item in order', async () => {
    async function* source() {
      for (let i = 0; i < 5; i++) yield i;
    }
    expect(await collect(prefetch(source()))).toEqual([0, 1, 2, 3, 4]);
  });

  it('asks for the next item while the consumer still works on the current one, and no further', async () => {
    const requested: number[] = [];
    async function* source() {
      for (let i = 0; i < 4; i++) {
        requested.push(i);
        yield i;
      }
    }
    const it = prefetch(source(), 1);
    expect((await it.next()).value).toBe(0);
    await new Promise((r) => setImmediate(r));
    // Item 1 is being fetched ahead; item 2 is not.
    expect(requested).toEqual([0, 1]);
    await it.return(undefined);
  });

  it('surfaces an error when the consumer reaches it, after the items before it', async () => {
    async function* source() {
      yield 1;
      throw new Error('page 2 failed');
    }
    const seen: number[] = [];
    await expect((async () => {
      for await (const x of prefetch(source())) seen.push(x);
    })()).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([1]);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const x of prefetch(source())) if (x === 2) break;
    expect(closed).toBe(true);
  });

  describe('with a shared budget', () => {
    const tick = () => new Promise((r) => setImmediate(r));
    function recorded(requested: string[], name: string) {
      return (async function* () {
        for (let i = 0; i < 4; i++) {
          requested.push(`${name}${i}`);
          yield i;
        }
      })();
    }

    it('lets only as many prefetches read ahead as the budget allows, the others read on demand', async () => {
      const requested: string[] = [];
      const budget = new PrefetchBudget(1);
      const a = prefetch(recorded(requested, 'a'), 1, budget);
      const b = prefetch(recorded(requested, 'b'), 1, budget);
      expect((await a.next()).value).toBe(0);
      expect((await b.next()).value).toBe(0);
      await tick();
      // a took the one page of read-ahead; b waits until its consumer asks.
      expect(requested).toEqual(['a0', 'a1', 'b0']);
      expect(budget.tryAcquire()).toBe(false);
      // Handing a1 over frees the page, and the first to ask for read-ahead again gets it.
      expect((await a.next()).value).toBe(1);
      expect((await b.next()).value).toBe(1);
      await tick();
      expect(requested).toEqual(['a0', 'a1', 'b0', 'a2', 'b1']);
      await a.return(undefined);
      // a gave its page back on return: now b reads ahead.
      expect((await b.next()).value).toBe(2);
      await tick();
      expect(requested).toEqual(['a0', 'a1', 'b0', 'a2', 'b1', 'b2', 'b3']);
      await a.return(undefined);
      await b.return(undefined);
    });

    it('returns its page of budget when the consumer stops early', async () => {
      const budget = new PrefetchBudget(1);
      const it = prefetch(recorded([], 'a'), 1, budget);
      await it.next();
      expect(budget.tryAcquire()).toBe(false);
      await it.return(undefined);
      expect(budget.tryAcquire()).toBe(true);
    });

    it('yields every item in order with a budget of zero', async () => {
      expect(await collect(prefetch(recorded([], 'a'), 1, new PrefetchBudget(0)))).toEqual([0, 1, 2, 3]);
    });
  });
});
