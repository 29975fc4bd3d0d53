import { prefetch } from '../../../lib/backup/prefetch';

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
});
