import { BufferPool } from '../../../lib/kube/BufferPool';

describe('BufferPool', () => {
  it('hands back the smallest free buffer that fits, else a new one of at least minBytes', () => {
    const pool = new BufferPool({ maxFree: 4, minBytes: 64 });
    const small = pool.take();
    expect(small.length).toBe(64);
    const large = pool.take(1000);
    expect(large.length).toBe(1000);
    pool.give(large);
    pool.give(small);
    expect(pool.take(10)).toBe(small);
    expect(pool.take(500)).toBe(large);
    expect(pool.take(10)).not.toBe(small);
  });

  it('keeps at most maxFree buffers, dropping the smallest', () => {
    const pool = new BufferPool({ maxFree: 2, minBytes: 1 });
    const [a, b, c] = [pool.take(10), pool.take(20), pool.take(30)];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.freeCount).toBe(2);
    expect(pool.take(1)).toBe(b);
    expect(pool.take(1)).toBe(c);
  });

  it('rejects options that make no sense', () => {
    expect(() => new BufferPool({ maxFree: -1 })).toThrow(RangeError);
    expect(() => new BufferPool({ minBytes: 0 })).toThrow(RangeError);
  });
});
