import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { ArchiveEntryError, readArchiveEntries, type ArchiveEntry } from '../../../lib/recovery-point';

type TestEntry = Partial<Header> & { name: string; body?: string };

/** Builds a tar.gz by hand, so tests can put in entries our writer would never make. */
async function tarGz(entries: TestEntry[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of packer) if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  })();
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      packer.entry(header, body ?? '', (error) => (error ? reject(error) : resolve()));
    });
  }
  packer.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks));
}

async function readAll(archive: Buffer, maxEntryBytes?: number): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  for await (const entry of readArchiveEntries(Readable.from([archive]), { maxEntryBytes })) entries.push(entry);
  return entries;
}

describe('readArchiveEntries', () => {
  it('yields the version entry, objects with their resource/namespace/name, and other safe entries', async () => {
    const longName = 'n'.repeat(230);
    const archive = await tarGz([
      { name: 'metadata/version', body: '1.1.0\n' },
      { name: 'resources', type: 'directory' },
      { name: 'resources/pods/namespaces/default/web-0.json', body: '{"kind":"Pod"}' },
      { name: `resources/namespaces/cluster/${longName}.json`, body: '{"kind":"Namespace"}' },
      { name: 'resources/pods/v1-preferredversion/namespaces/default/web-0.json', body: '{}' },
    ]);

    const entries = await readAll(archive);

    expect(entries).toEqual([
      { kind: 'metadata-version', path: 'metadata/version', body: Buffer.from('1.1.0\n') },
      {
        kind: 'object',
        path: 'resources/pods/namespaces/default/web-0.json',
        resourceName: 'pods',
        namespace: 'default',
        name: 'web-0',
        body: Buffer.from('{"kind":"Pod"}'),
      },
      {
        kind: 'object',
        path: `resources/namespaces/cluster/${longName}.json`,
        resourceName: 'namespaces',
        namespace: undefined,
        name: longName,
        body: Buffer.from('{"kind":"Namespace"}'),
      },
      { kind: 'other', path: 'resources/pods/v1-preferredversion/namespaces/default/web-0.json', body: Buffer.from('{}') },
    ]);
  });

  it.each(['../../etc/cron.d/evil', '/etc/passwd', 'resources/pods/cluster/..\\..\\evil.json', 'resources//pods/cluster/x.json'])(
    'rejects the escaping entry %j',
    async (name) => {
      const archive = await tarGz([{ name: 'metadata/version', body: '1.1.0\n' }, { name, body: 'x' }]);
      await expect(readAll(archive)).rejects.toBeInstanceOf(ArchiveEntryError);
    },
  );

  it('rejects a symlink even when its own path is safe', async () => {
    const archive = await tarGz([{ name: 'resources/pods/cluster/x.json', type: 'symlink', linkname: '/etc/passwd' }]);
    const error = await readAll(archive).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveEntryError);
    expect((error as ArchiveEntryError).message).toMatch(/symlink/);
  });

  it('rejects an entry larger than maxEntryBytes instead of buffering it', async () => {
    const archive = await tarGz([{ name: 'resources/pods/cluster/big.json', body: 'x'.repeat(2048) }]);
    await expect(readAll(archive, 1024)).rejects.toThrow(/2048 bytes/);
    await expect(readAll(archive, 4096)).resolves.toHaveLength(1);
  });

  it('fails on a truncated archive instead of yielding a short list silently', async () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ name: `resources/pods/cluster/p${i}.json`, body: `{"i":${i},"pad":"${'p'.repeat(i * 40)}"}` }));
    const archive = await tarGz(entries);
    await expect(readAll(archive.subarray(0, Math.floor(archive.length / 2)))).rejects.toThrow();
  });

  it('stops reading and destroys the input when the consumer breaks early', async () => {
    const archive = await tarGz([
      { name: 'resources/pods/cluster/a.json', body: '{}' },
      { name: 'resources/pods/cluster/b.json', body: '{}' },
    ]);
    const input = Readable.from([archive]);
    for await (const entry of readArchiveEntries(input)) {
      expect(entry.path).toBe('resources/pods/cluster/a.json');
      break;
    }
    expect(input.destroyed).toBe(true);
  });
});
