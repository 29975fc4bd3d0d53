import { InvocationReads } from '../../../../lib/restore/durable/InvocationReads';

describe('InvocationReads', () => {
  it('reads a key once and hands every later asker the same result', async () => {
    const reads = new InvocationReads();
    let calls = 0;
    const read = async () => ({ n: ++calls });
    const [a, b] = await Promise.all([reads.once('facts', read), reads.once('facts', read)]);
    expect(await reads.once('facts', read)).toBe(a);
    expect(b).toBe(a);
    expect(calls).toBe(1);
    // Another key is its own read.
    await reads.once('recovery-point', read);
    expect(calls).toBe(2);
  });

  it('forgets a failed read, so the next asker reads again', async () => {
    const reads = new InvocationReads();
    let calls = 0;
    const read = async () => {
      calls++;
      if (calls === 1) throw new Error('S3 said 503');
      return 'facts';
    };
    await expect(reads.once('facts', read)).rejects.toThrow('S3 said 503');
    await expect(reads.once('facts', read)).resolves.toBe('facts');
    expect(calls).toBe(2);
  });

  it('forgets a key on request, handing back what it held, so the next asker reads again', async () => {
    const reads = new InvocationReads();
    let calls = 0;
    const read = async () => ++calls;
    const first = reads.once('session', read);
    expect(reads.forget('session')).toBe(first);
    expect(reads.forget('session')).toBeUndefined();
    await expect(reads.once('session', read)).resolves.toBe(2);
  });
});
