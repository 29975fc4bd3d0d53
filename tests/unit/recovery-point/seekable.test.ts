// Seekable recovery points (format 1.2): one gzip member per resource type, indexed in the manifest.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  MANIFEST_FORMAT_VERSION,
  RecoveryPointWriter,
  parseManifest,
  readArchiveEntries,
  recoveryPointFolder,
  validateManifest,
  type ArchiveIndex,
  type ArchiveSummary,
  type RecoveryPointManifest,
} from '../../../lib/recovery-point';
import { fakeS3, type FakeS3 } from './fakeS3';
import { listWithSystemTar, untarGzip } from './untar';

const BUCKET = 'recovery-bucket';
const ID = '20261123T200501Z-7f3a';
const FOLDER = recoveryPointFolder('eks/', 'prod', ID);
const ARCHIVE_KEY = `${FOLDER}resources.tar.gz`;
const TYPES = ['configmaps', 'secrets', 'deployments.apps'] as const;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function objectJson(resource: string, i: number): string {
  return JSON.stringify({ apiVersion: 'v1', kind: resource, metadata: { name: `${resource}-${i}`, namespace: 'shop' }, data: { n: String(i).repeat(40) } });
}

/**
 * Objects of three types interleaved one by one, as concurrent lists hand them to the writer; unless told
 * otherwise, no type goes to the shared member (smallTypeBytes 0), so each has members of its own.
 */
async function writeInterleaved(
  s3: FakeS3, perType: number, extra: { maxMemberBytes?: number; seekable?: boolean; smallTypeBytes?: number } = {},
): Promise<ArchiveSummary> {
  const writer = await RecoveryPointWriter.create({
    s3: s3.client, bucket: BUCKET, folder: FOLDER, entryTime: new Date('2026-11-23T20:05:01Z'), smallTypeBytes: 0, ...extra,
  });
  for (let i = 0; i < perType; i++) {
    for (const type of TYPES) await writer.addObject(type, 'shop', `${type}-${i}`, objectJson(type, i));
  }
  const summary = await writer.finish();
  await writer.writeManifest(manifestFor(summary, perType));
  return summary;
}

function manifestFor(summary: ArchiveSummary, perType: number): RecoveryPointManifest {
  return {
    formatVersion: '1.1.0', // the writer raises it: a seekable archive's manifest is 1.2.0
    recoveryPointId: ID,
    cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:123456789012:cluster/prod', region: 'us-east-1', account: '123456789012', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
    startedAt: '2026-11-23T20:05:01.000Z', completedAt: '2026-11-23T20:05:09.000Z', status: 'COMPLETED',
    archive: { key: summary.key, bytes: summary.bytes, sha256: summary.sha256, objects: summary.objects },
    resources: TYPES.map((name) => ({ name, group: '', version: 'v1', resource: name, kind: name, namespaced: true, count: perType, status: 'ok' as const })),
    warnings: [], awsDependencies: [],
  };
}

async function entriesOf(gzipped: Buffer): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of readArchiveEntries(Readable.from([gzipped]))) names.push(entry.path);
  return names;
}

function slice(archive: Buffer, m: { offset: number; length: number }): Buffer {
  return archive.subarray(m.offset, m.offset + m.length);
}

describe('seekable recovery points (format 1.2)', () => {
  describe('the writer', () => {
    it('writes one gzip member per type, each holding whole entries of that type only, though the types interleave', async () => {
      const s3 = fakeS3();
      const summary = await writeInterleaved(s3, 50);
      const archive = s3.objects.get(ARCHIVE_KEY)!;
      const index = summary.index!;

      expect(index.types.map((t) => [t.name, t.objects, t.members.length])).toEqual(TYPES.map((t) => [t, 50, 1]));
      for (const type of index.types) {
        const member = type.members[0]!;
        expect(member.sha256).toBe(sha256(slice(archive, member)));
        // A member read on its own (as a Range GET would fetch it) is a tar of whole entries of its type.
        const names = await entriesOf(slice(archive, member));
        expect(names).toHaveLength(50);
        expect(names.every((n) => n.startsWith(`resources/${type.name}/namespaces/shop/`))).toBe(true);
      }
      expect(await entriesOf(slice(archive, index.head))).toEqual(['metadata/version']);
      // The tail is the tar end-of-archive: two zero blocks and nothing else.
      expect(gunzipSync(slice(archive, index.tail))).toEqual(Buffer.alloc(1024));
      expect(index.tail.offset + index.tail.length).toBe(archive.length);
    });

    it('tiles the archive with its members: no gap, no overlap, head first, tail last', async () => {
      const s3 = fakeS3();
      const summary = await writeInterleaved(s3, 20);
      const index = summary.index!;
      const members = [index.head, ...index.types.flatMap((t) => t.members).sort((a, b) => a.offset - b.offset), index.tail];
      let at = 0;
      for (const m of members) {
        expect(m.offset).toBe(at);
        at += m.length;
      }
      expect(at).toBe(summary.bytes);
      expect(members.reduce((n, m) => n + m.objects, 0)).toBe(summary.objects);
    });

    it('splits a type larger than maxMemberBytes over several members, all in the index', async () => {
      const s3 = fakeS3();
      const summary = await writeInterleaved(s3, 2000, { maxMemberBytes: 8 * 1024 });
      const archive = s3.objects.get(ARCHIVE_KEY)!;
      for (const type of summary.index!.types) {
        expect(type.members.length).toBeGreaterThan(1);
        expect(type.members.reduce((n, m) => n + m.objects, 0)).toBe(2000);
        for (const m of type.members) {
          expect(m.sha256).toBe(sha256(slice(archive, m)));
          expect(await entriesOf(slice(archive, m))).toHaveLength(m.objects);
        }
      }
    });

    it('is still one .tar.gz: GNU tar lists it whole and the single-stream (1.1) reader reads every entry', async () => {
      const s3 = fakeS3();
      await writeInterleaved(s3, 10);
      const archive = s3.objects.get(ARCHIVE_KEY)!;
      const listed = listWithSystemTar(archive);
      expect(listed).toHaveLength(31);
      expect(listed[0]).toBe('metadata/version');
      // The members follow in the order they closed (one per type here): each type's entries together.
      expect(new Set(listed.slice(1))).toEqual(new Set(TYPES.flatMap((t) => Array.from({ length: 10 }, (_, i) => `resources/${t}/namespaces/shop/${t}-${i}.json`))));
      expect(await entriesOf(archive)).toEqual(listed);
      const untarred = await untarGzip(archive);
      expect(untarred.find((e) => e.name === 'resources/secrets/namespaces/shop/secrets-3.json')?.body.toString()).toBe(objectJson('secrets', 3));
    });

    it('puts small types in one shared member, listed under each of them, and a large type\'s rest in its own', async () => {
      const s3 = fakeS3();
      const writer = await RecoveryPointWriter.create({ s3: s3.client, bucket: BUCKET, folder: FOLDER, smallTypeBytes: 4096 });
      // Three small types (2 objects each) and a large one (200 objects of ~200 bytes), interleaved.
      for (let i = 0; i < 200; i++) {
        await writer.addObject('configmaps', 'shop', `configmaps-${i}`, objectJson('configmaps', i));
        if (i < 2) for (const type of ['roles.rbac.authorization.k8s.io', 'leases.coordination.k8s.io', 'services']) await writer.addObject(type, 'shop', `${type}-${i}`, objectJson(type, i));
      }
      const summary = await writer.finish();
      const archive = s3.objects.get(ARCHIVE_KEY)!;
      const index = summary.index!;
      const small = index.types.filter((t) => t.name !== 'configmaps');
      expect(small.map((t) => [t.members.length, t.objects])).toEqual([[1, 2], [1, 2], [1, 2]]);
      const shared = small[0]!.members[0]!;
      // The same member under each small type, and under configmaps for its first entries (its own
      // members, closed as they filled, come before the shared one, closed at the end).
      for (const t of small) expect(t.members[0]).toEqual(shared);
      const configmaps = index.types.find((t) => t.name === 'configmaps')!;
      const inShared = configmaps.members.find((m) => m.offset === shared.offset)!;
      expect(inShared).toEqual({ ...shared, objects: expect.any(Number) });
      expect(configmaps.members.length).toBeGreaterThan(1);
      expect(inShared.objects).toBeLessThan(30);
      expect(configmaps.members.reduce((n, m) => n + m.objects, 0)).toBe(200);
      const sharedEntries = await entriesOf(slice(archive, shared));
      expect(sharedEntries).toHaveLength(6 + inShared.objects);
      expect(sha256(slice(archive, shared))).toBe(shared.sha256);
      expect(validateManifest({ ...manifestFor(summary, 2), formatVersion: '1.2.0', index })).toEqual([]);
    });

    it('sends an entry larger than smallTypeBytes to its type\'s own member, never to the shared one', async () => {
      const s3 = fakeS3();
      const writer = await RecoveryPointWriter.create({ s3: s3.client, bucket: BUCKET, folder: FOLDER, smallTypeBytes: 4096 });
      await writer.addObject('services', 'shop', 'small', objectJson('services', 1));
      await writer.addObject('configmaps', 'shop', 'big', JSON.stringify({ kind: 'ConfigMap', data: { blob: 'x'.repeat(10_000) } }));
      const index = (await writer.finish()).index!;
      const [services, configmaps] = ['services', 'configmaps'].map((name) => index.types.find((t) => t.name === name)!.members);
      expect(configmaps).toHaveLength(1);
      expect(configmaps![0]!.offset).not.toBe(services![0]!.offset);
    });

    it('commits the index in manifest.json at format 1.2.0, and parseManifest gives it back', async () => {
      const s3 = fakeS3();
      const summary = await writeInterleaved(s3, 5);
      const manifest = parseManifest(s3.objects.get(`${FOLDER}manifest.json`)!);
      expect(manifest.formatVersion).toBe('1.2.0');
      expect(MANIFEST_FORMAT_VERSION).toBe('1.2.0');
      expect(manifest.index).toEqual(summary.index);
    });

    it('writes the 1.1 layout when told seekable: false (one gzip stream, no index)', async () => {
      const s3 = fakeS3();
      const summary = await writeInterleaved(s3, 5, { seekable: false });
      expect(summary.index).toBeUndefined();
      const manifest = parseManifest(s3.objects.get(`${FOLDER}manifest.json`)!);
      expect(manifest.index).toBeUndefined();
      expect(manifest.formatVersion).toBe('1.1.0');
      expect(await entriesOf(s3.objects.get(ARCHIVE_KEY)!)).toHaveLength(16);
    });

    it('closes a type\'s member when told its list is done, so a later object of it starts a new member', async () => {
      const s3 = fakeS3();
      const writer = await RecoveryPointWriter.create({ s3: s3.client, bucket: BUCKET, folder: FOLDER, smallTypeBytes: 0 });
      await writer.addObject('configmaps', 'shop', 'a', objectJson('configmaps', 1));
      writer.endResource('configmaps');
      await writer.addObject('configmaps', 'shop', 'b', objectJson('configmaps', 2));
      const summary = await writer.finish();
      expect(summary.index!.types).toEqual([{ name: 'configmaps', objects: 2, members: [expect.objectContaining({ objects: 1 }), expect.objectContaining({ objects: 1 })] }]);
    });
  });

  describe('the manifest validator', () => {
    let valid: RecoveryPointManifest & { index: ArchiveIndex };
    beforeAll(async () => {
      const s3 = fakeS3();
      await writeInterleaved(s3, 3);
      valid = parseManifest(s3.objects.get(`${FOLDER}manifest.json`)!) as RecoveryPointManifest & { index: ArchiveIndex };
    });
    const edited = (edit: (m: RecoveryPointManifest & { index: ArchiveIndex }) => void): string[] => {
      const copy = structuredClone(valid);
      edit(copy);
      return validateManifest(copy);
    };

    it('accepts the index the writer made', () => {
      expect(validateManifest(valid)).toEqual([]);
    });

    it.each<[string, (m: RecoveryPointManifest & { index: ArchiveIndex }) => void, RegExp]>([
      ['a gap between members', (m) => { m.index.types[1]!.members[0]!.offset += 1; }, /starts at \d+, the previous one ends at/],
      ['members that overlap', (m) => { m.index.types[0]!.members[0]!.length += 5; }, /starts at \d+, the previous one ends at/],
      ['members that do not reach the archive end', (m) => { m.archive.bytes += 1; }, /members end at \d+, the archive is \d+ bytes/],
      ['a head not at offset 0', (m) => { m.index.head.offset = 3; }, /head must start the archive/],
      ['a bad SHA-256', (m) => { m.index.types[0]!.members[0]!.sha256 = 'XYZ'; }, /sha256 must be 64 lowercase hex digits/],
      ['a negative length', (m) => { m.index.tail.length = -1; }, /length must be an integer >= 20/],
      ['a type with no members', (m) => { m.index.types[0]!.members = []; }, /members must be a non-empty array/],
      ['members that disagree with their type row', (m) => { m.index.types[0]!.objects += 1; }, /members hold 3 objects, the row says 4/],
      ['a type named twice', (m) => { m.index.types[1]!.name = m.index.types[0]!.name; }, /appears twice/],
      ['two types listing one offset with different lengths', (m) => { m.index.types[1]!.members[0]!.offset = m.index.types[0]!.members[0]!.offset; }, /two members at offset \d+ differ/],
      ['an index in a 1.1.0 manifest', (m) => { m.formatVersion = '1.1.0'; }, /index needs formatVersion 1\.2\.0/],
      ['an index that is not an object', (m) => { (m as { index: unknown }).index = []; }, /index must be an object/],
    ])('refuses %s', (_what, edit, problem) => {
      expect(edited(edit).join('\n')).toMatch(problem);
    });
  });
});
