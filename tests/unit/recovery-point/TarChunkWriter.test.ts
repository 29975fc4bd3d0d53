import { Readable, Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { TarChunkWriter } from '../../../lib/recovery-point/TarChunkWriter';
import { TarHeaderEncoder, tarPadding } from '../../../lib/recovery-point/TarHeaderEncoder';
import { listWithSystemTar } from './untar';

const MTIME = new Date('2026-11-23T20:05:01Z');

/** A sink that records every chunk (copied, so reuse after the callback cannot change what it saw). */
class RecordingSink extends Writable {
  readonly chunks: Buffer[] = [];
  /** Set when the writer handed over a buffer the sink still held (it must wait for the callback). */
  reusedWhileHeld = false;
  private readonly pending: Array<{ chunk: Buffer; done: () => void }> = [];

  constructor(private readonly hold = false) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    if (this.pending.some((p) => p.chunk.buffer === chunk.buffer && p.chunk.byteOffset === chunk.byteOffset)) this.reusedWhileHeld = true;
    if (this.hold) this.pending.push({ chunk, done: () => callback() });
    else callback();
  }

  /** Lets the oldest held chunk be consumed. */
  release(): void {
    this.pending.shift()?.done();
  }

  get held(): number {
    return this.pending.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

type Entry = [name: string, body: Buffer];

async function tarStreamArchive(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const [name, body] of entries) p.entry({ name, size: body.length, mode: 0o644, mtime: MTIME, type: 'file' }, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from(p, { objectMode: false })) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function ourArchive(entries: Entry[], chunkBytes = 1024): RecordingSink {
  const sink = new RecordingSink();
  const tar = new TarChunkWriter(sink, { mtime: MTIME, chunkBytes });
  for (const [name, body] of entries) tar.append(name, [body.subarray(0, 3), body.subarray(3)]);
  tar.end();
  return sink;
}

const ENTRIES: Entry[] = [
  ['metadata/version', Buffer.from('1.1.0\n')],
  ['resources/configmaps/namespaces/default/a.json', Buffer.from('{"apiVersion":"v1","kind":"ConfigMap"}')],
  ['resources/secrets/namespaces/default/empty.json', Buffer.alloc(0)],
  ['resources/widgets.bench.example.com/cluster/exact.json', Buffer.alloc(1024, 0x61)],
  // 130 characters: fits only with its folders moved into the ustar prefix.
  [`resources/configmaps/namespaces/${'n'.repeat(40)}/${'c'.repeat(60)}.json`, Buffer.from('{}')],
  // No ustar split can hold a 225-character last component: PAX.
  [`resources/certificates.cert-manager.io/namespaces/default/cert-${'x'.repeat(220)}.json`, Buffer.alloc(700, 0x62)],
  // Not ASCII: PAX (UTF-8 path record).
  ['resources/configmaps/namespaces/default/ünï-✓.json', Buffer.from('{"a":1}')],
];

describe('TarChunkWriter', () => {
  it('writes the same bytes as tar-stream pack(), ustar, prefix split and PAX alike', async () => {
    expect(ourArchive(ENTRIES).bytes().equals(await tarStreamArchive(ENTRIES))).toBe(true);
  });

  it('writes an archive GNU tar lists, long and non-ASCII names included', () => {
    const names = listWithSystemTar(gzipSync(ourArchive(ENTRIES).bytes()));
    expect(names).toEqual(ENTRIES.map(([name]) => name));
  });

  it('hands the sink chunks of exactly chunkBytes, the last one smaller', () => {
    const sink = ourArchive(ENTRIES, 1024);
    const sizes = sink.chunks.map((c) => c.length);
    expect(sizes.slice(0, -1).every((s) => s === 1024)).toBe(true);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(1024);
    expect(sink.bytes().length % 512).toBe(0);
  });

  it('asks the producer to wait while the sink holds chunksInSink chunks, and reuses a chunk only after the sink is done with it', () => {
    const sink = new RecordingSink(true);
    const tar = new TarChunkWriter(sink, { mtime: MTIME, chunkBytes: 512, chunksInSink: 2 });
    let drained = 0;
    tar.append('a.json', [Buffer.alloc(100, 0x41)]); // header + body: 2 chunks (the sink takes one at a time)
    expect(tar.needsDrain).toBe(true);
    tar.onceDrained(() => drained++);
    // Still appendable while waiting: new chunks are new buffers, never ones the sink has not consumed
    // (the sink copies each chunk only when it takes it, so a reused buffer would show b's bytes for a's).
    tar.append('b.json', [Buffer.alloc(100, 0x42)]);
    sink.release();
    expect(drained).toBe(0); // 3 still held
    sink.release();
    sink.release();
    expect(drained).toBe(1);
    expect(tar.needsDrain).toBe(false);
    tar.end();
    while (sink.held > 0) sink.release();
    expect(sink.reusedWhileHeld).toBe(false);
    const bytes = sink.bytes();
    expect(bytes.subarray(512, 612).equals(Buffer.alloc(100, 0x41))).toBe(true);
    expect(bytes.subarray(1536, 1636).equals(Buffer.alloc(100, 0x42))).toBe(true);
  });

  it('cancels a drain listener', () => {
    const sink = new RecordingSink(true);
    const tar = new TarChunkWriter(sink, { mtime: MTIME, chunkBytes: 512, chunksInSink: 1 });
    tar.append('a.json', [Buffer.alloc(10)]);
    const listener = jest.fn();
    const cancel = tar.onceDrained(listener);
    cancel();
    while (sink.held > 0) sink.release();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('TarHeaderEncoder', () => {
  it('pads bodies to whole 512-byte blocks', () => {
    expect([0, 1, 511, 512, 513].map(tarPadding)).toEqual([0, 511, 1, 0, 511]);
  });

  it('reuses one block for ustar headers and returns fresh buffers for PAX', () => {
    const encoder = new TarHeaderEncoder(MTIME);
    const first = encoder.encode('a.json', 1);
    expect(encoder.encode('b.json', 2)).toBe(first);
    const pax = encoder.encode(`${'x'.repeat(200)}.json`, 3);
    expect(pax).not.toBe(first);
    expect(pax.length).toBe(3 * 512);
  });

  it('refuses a size no octal size field can hold', () => {
    expect(() => new TarHeaderEncoder(MTIME).encode('a.json', 8 * 1024 ** 3)).toThrow(RangeError);
  });
});
