import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CoalescingStream } from '../../../lib/recovery-point/CoalescingStream';

async function run(chunks: Buffer[], size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks, { objectMode: false }), new CoalescingStream(size), new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  }));
  return out;
}

describe('CoalescingStream', () => {
  it('hands on chunks of at least the size, the bytes unchanged and in order, and the rest at the end', async () => {
    const chunks = Array.from({ length: 100 }, (_, i) => Buffer.alloc(7 + (i % 5), i));
    const out = await run(chunks, 64);
    expect(Buffer.concat(out).equals(Buffer.concat(chunks))).toBe(true);
    expect(out.slice(0, -1).every((c) => c.length >= 64)).toBe(true);
    expect(out.length).toBeLessThan(chunks.length / 5);
  });

  it('passes a chunk larger than the size on by itself and ends cleanly with no input', async () => {
    const big = Buffer.alloc(1000, 1);
    expect(await run([big], 64)).toEqual([big]);
    expect(await run([], 64)).toEqual([]);
  });
});
