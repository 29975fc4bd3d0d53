import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { ArchiveEntryError, readArchiveEntries, type ArchiveEntry } from '../../../lib/recovery-point';
import { inflatedChunkSize, memberEntries } from '../../../lib/recovery-point/memberEntries';

type TestEntry = Partial<Header> & { name: string; body?: string };

/** A tar (not gzipped) written by tar-stream, as tests/unit/recovery-point/ArchiveReader.test.ts builds them. */
async function tar(entries: TestEntry[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of packer) if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  })();
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => packer.entry(header, body ?? '', (error) => (error ? reject(error) : resolve())));
  }
  packer.finalize();
  await collected;
  return Buffer.concat(chunks);
}

type Outcome = { entries: ArchiveEntry[]; error?: { type: string; message: string } };

/** What a reader gives: the entries before any error, and the error. */
async function outcome(read: () => AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>): Promise<Outcome> {
  const entries: ArchiveEntry[] = [];
  try {
    for await (const e of read()) entries.push({ ...e, body: Buffer.from(e.body) });
  } catch (err) {
    return { entries, error: { type: err instanceof ArchiveEntryError ? 'ArchiveEntryError' : 'Error', message: (err as Error).message } };
  }
  return { entries };
}

/** The synchronous member reader and the streaming reader agree on `gzipped`, entries and errors alike. */
async function expectSameAsStream(gzipped: Buffer, maxEntryBytes?: number): Promise<Outcome> {
  const streamed = await outcome(() => readArchiveEntries(Readable.from([gzipped]), { maxEntryBytes }));
  const sync = await outcome(() => memberEntries(gzipped, { maxEntryBytes })!);
  expect(sync).toEqual(streamed);
  return sync;
}

describe('memberEntries (a gzip member in memory, read synchronously)', () => {
  it('yields what readArchiveEntries yields: version, objects, long PAX names, other entries; directories skipped', async () => {
    const longName = 'n'.repeat(230);
    const got = await expectSameAsStream(gzipSync(await tar([
      { name: 'metadata/version', body: '1.1.0\n' },
      { name: 'resources', type: 'directory' },
      { name: 'resources/pods/namespaces/default/web-0.json', body: '{"kind":"Pod"}' },
      { name: `resources/namespaces/cluster/${longName}.json`, body: '{"kind":"Namespace"}' },
      { name: 'resources/configmaps/namespaces/d/é.json', body: '{"kind":"ConfigMap"}' },
      { name: 'resources/pods/v1-preferredversion/namespaces/default/web-0.json', body: '{}' },
      { name: 'resources/secrets/namespaces/default/empty.json', body: '' },
    ])));
    expect(got.error).toBeUndefined();
    expect(got.entries.map((e) => e.path)).toEqual([
      'metadata/version', 'resources/pods/namespaces/default/web-0.json', `resources/namespaces/cluster/${longName}.json`,
      'resources/configmaps/namespaces/d/é.json', 'resources/pods/v1-preferredversion/namespaces/default/web-0.json',
      'resources/secrets/namespaces/default/empty.json',
    ]);
  });

  it('refuses what readArchiveEntries refuses, after the same entries: escaping paths, links, entries too large', async () => {
    for (const name of ['../../etc/cron.d/evil', '/etc/passwd', 'resources//pods/cluster/x.json']) {
      const got = await expectSameAsStream(gzipSync(await tar([{ name: 'metadata/version', body: '1.1.0\n' }, { name, body: 'x' }])));
      expect(got).toMatchObject({ entries: [{ path: 'metadata/version' }], error: { type: 'ArchiveEntryError' } });
    }
    const link = await expectSameAsStream(gzipSync(await tar([{ name: 'resources/pods/cluster/x.json', type: 'symlink', linkname: '/etc/passwd' }])));
    expect(link.error?.message).toMatch(/symlink/);
    const big = gzipSync(await tar([{ name: 'resources/pods/cluster/big.json', body: 'x'.repeat(2048) }]));
    expect((await expectSameAsStream(big, 1024)).error?.message).toMatch(/2048 bytes/);
    expect((await expectSameAsStream(big, 4096)).entries).toHaveLength(1);
  });

  it('fails on a tar cut short or a corrupt header, as the stream does', async () => {
    const whole = await tar(Array.from({ length: 20 }, (_, i) => ({ name: `resources/pods/cluster/p${i}.json`, body: `{"i":${i},"pad":"${'p'.repeat(i * 40)}"}` })));
    for (const cut of [whole.length - 1024 - 100, whole.length - 1024 - 512 * 3 + 37, 700]) {
      const got = await expectSameAsStream(gzipSync(whole.subarray(0, cut)));
      expect(got.error?.message).toBe('Unexpected end of data');
    }
    const corrupt = Buffer.from(whole);
    corrupt[512 * 4 + 10] = corrupt[512 * 4 + 10]! ^ 0x55;
    expect((await expectSameAsStream(gzipSync(corrupt))).error?.message).toMatch(/Invalid tar header/);
  });

  it('throws zlib\'s error for bytes that are not gzip, and hands a member that inflates too far back to the stream', async () => {
    expect(() => memberEntries(Buffer.from('not gzip at all'))).toThrow(/incorrect header check/);
    const gzipped = gzipSync(await tar([{ name: 'resources/pods/cluster/a.json', body: 'a'.repeat(10_000) }]));
    expect(gunzipSync(gzipped).length).toBeGreaterThan(10_000);
    expect(memberEntries(gzipped, { maxInflatedBytes: 4096 })).toBeUndefined();
    expect([...memberEntries(gzipped)!]).toHaveLength(1);
  });

  describe('inflating a member into one buffer sized by its gzip trailer', () => {
    const entries = Array.from({ length: 40 }, (_, i) => ({ name: `resources/configmaps/ns/cm-${i}.json`, body: JSON.stringify({ i, data: 'x'.repeat(i * 97) }) }));

    it('asks zlib for one chunk of the stated inflated size plus a byte; none beyond maxOutputLength, or for bytes too short to have a trailer', async () => {
      const plain = await tar(entries);
      const gzipped = gzipSync(plain);
      expect(inflatedChunkSize(gzipped, 64 * 1024 * 1024)).toBe(plain.length + 1);
      expect(inflatedChunkSize(gzipped, plain.length - 1)).toBeUndefined();
      expect(inflatedChunkSize(Buffer.alloc(10), 1024)).toBeUndefined();
      expect(inflatedChunkSize(gzipSync(Buffer.alloc(0)), 1024)).toBe(64);
    });

    it('yields the same entries when the trailer states less than the bytes inflate to (two members concatenated: the last one states only its own)', async () => {
      const plain = await tar(entries);
      const cut = 512 * 10;
      const two = Buffer.concat([gzipSync(plain.subarray(0, cut)), gzipSync(plain.subarray(cut))]);
      expect(inflatedChunkSize(two, 64 * 1024 * 1024)).toBe(plain.length - cut + 1);
      const read = (g: Buffer) => [...memberEntries(g)!].map((e) => ({ ...e, body: Buffer.from(e.body).toString() }));
      expect(read(two)).toEqual(read(gzipSync(plain)));
      expect(read(two)).toHaveLength(entries.length);
    });

    it('refuses a member whose trailer was altered, as zlib checks the length it states', async () => {
      const gzipped = Buffer.from(gzipSync(await tar(entries)));
      gzipped.writeUInt32LE(gzipped.readUInt32LE(gzipped.length - 4) + 512, gzipped.length - 4);
      expect(() => memberEntries(gzipped)).toThrow(/incorrect length check/);
    });
  });
});
