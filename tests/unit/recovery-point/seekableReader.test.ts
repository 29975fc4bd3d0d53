// Reading seekable recovery points (format 1.2) by Range GETs of their gzip members.
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import {
  RecoveryPointError, RecoveryPointIntegrityError, RecoveryPointReader, membersInArchiveOrder, membersOfType, recoveryPointFolder,
  type ReadObjectsOptions,
} from '../../../lib/recovery-point';
import { getObjectOutput } from '../helpers/rangeBody';
import { fakeS3, type FakeS3 } from './fakeS3';
import { writeRecoveryPoint, type RecoveryPointObjectSpec, type WriteRecoveryPointOptions } from './writeRecoveryPoint';

const BUCKET = 'recovery-bucket';
const FOLDER = recoveryPointFolder('eks/', 'prod', '20261123T200501Z-7f3a');
const ARCHIVE = `${FOLDER}resources.tar.gz`;

function spec(resource: string, kind: string, i: number): RecoveryPointObjectSpec {
  return { resource, object: { apiVersion: 'v1', kind, metadata: { name: `${resource}-${i}`, namespace: 'shop' }, data: { i: String(i), noise: randomBytes(300).toString('hex') } } };
}

/** 300 ConfigMaps, 300 Secrets and 5 Services, interleaved as concurrent lists write them. */
function objects(): RecoveryPointObjectSpec[] {
  const all: RecoveryPointObjectSpec[] = [];
  for (let i = 0; i < 300; i++) {
    all.push(spec('configmaps', 'ConfigMap', i), spec('secrets', 'Secret', i));
    if (i < 5) all.push(spec('services', 'Service', i));
  }
  return all;
}

async function written(options: WriteRecoveryPointOptions = {}): Promise<FakeS3> {
  const s3 = fakeS3();
  await writeRecoveryPoint(s3, BUCKET, FOLDER, objects(), undefined, options);
  return s3;
}

function archiveGets(s3: FakeS3): Array<string | undefined> {
  return s3.mock.commandCalls(GetObjectCommand)
    .map((call) => call.args[0].input as GetObjectCommandInput)
    .filter((input) => input.Key === ARCHIVE)
    .map((input) => input.Range);
}

const rangeOf = (m: { offset: number; length: number }): string => `bytes=${m.offset}-${m.offset + m.length - 1}`;

async function collect(iterable: AsyncIterable<{ resourceName: string; name: string }>): Promise<string[]> {
  const names: string[] = [];
  for await (const o of iterable) names.push(`${o.resourceName}/${o.name}`);
  return names;
}

describe('RecoveryPointReader on a seekable recovery point (1.2)', () => {
  it('reads one type with Range GETs of its own members only, in order, several in flight', async () => {
    const s3 = await written({ maxMemberBytes: 2048 });
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    // Its own members, and the shared member that holds its first entries (with the other types' first ones).
    const members = membersOfType(reader.index!, 'configmaps');
    expect(members.length).toBeGreaterThan(2);

    const sent: string[] = [];
    const names = await collect(reader.typeObjects('configmaps', { rangeConcurrency: 3, onRangeRequest: (r) => sent.push(r) }));
    expect(names.sort()).toEqual(Array.from({ length: 300 }, (_, i) => `configmaps/configmaps-${i}`).sort());
    expect(archiveGets(s3)).toEqual(members.map(rangeOf));
    expect(sent).toEqual(members.map(rangeOf));
  });

  it('reads a range of one type (a durable chunk): only those objects, only the members that hold them, the counts still checked', async () => {
    const s3 = await written({ maxMemberBytes: 2048 });
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const whole = await collect(reader.typeObjects('configmaps'));
    const members = membersOfType(reader.index!, 'configmaps');
    const before = archiveGets(s3).length;
    const chunk = await collect(reader.typeObjects('configmaps', { range: { from: 100, to: 150 } }));
    expect(chunk).toEqual(whole.slice(100, 150));
    const fetched = archiveGets(s3).slice(before);
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.length).toBeLessThan(members.length);
    expect(await collect(reader.typeObjects('configmaps', { range: { from: 290, to: 400 } }))).toEqual(whole.slice(290));
    expect(await collect(reader.typeObjects('configmaps', { range: { from: 0, to: 300 } }))).toEqual(whole);
  });

  it('keeps the member a chunk ended inside for the next chunk (a durable restore\'s next step): each member fetched once over consecutive chunks', async () => {
    const s3 = await written({ maxMemberBytes: 2048 });
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const members = membersOfType(reader.index!, 'configmaps');
    const whole = await collect(reader.typeObjects('configmaps'));
    // Chunks of 7 objects: most end inside a member, and the next chunk begins in it.
    const fresh = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const before = archiveGets(s3).length;
    const chunks: string[] = [];
    for (let from = 0; from < 300; from += 7) chunks.push(...await collect(fresh.typeObjects('configmaps', { range: { from, to: from + 7 } })));
    expect(chunks).toEqual(whole);
    // The shared member (the type's first objects) and then each of its own, once.
    expect(archiveGets(s3).slice(before)).toEqual(members.map(rangeOf));
  });

  it('reads a small type with one Range GET, and a type it does not hold with none', async () => {
    const s3 = await written();
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    expect(await collect(reader.typeObjects('services'))).toHaveLength(5);
    expect(archiveGets(s3)).toEqual([rangeOf(reader.index!.types.find((t) => t.name === 'services')!.members[0]!)]);
    expect(await collect(reader.typeObjects('deployments.apps'))).toEqual([]);
    expect(archiveGets(s3)).toHaveLength(1);
  });

  it('fetches the shared member once for the small types read one after another', async () => {
    const s3 = await written();
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const shared = membersOfType(reader.index!, 'services')[0]!;
    expect(shared.types.size).toBe(3);
    expect(await collect(reader.typeObjects('services'))).toHaveLength(5);
    expect(await collect(reader.typeObjects('configmaps'))).toHaveLength(300);
    const own = membersOfType(reader.index!, 'configmaps').filter((m) => m.offset !== shared.offset);
    expect(archiveGets(s3)).toEqual([rangeOf(shared), ...own.map(rangeOf)]);
  });

  it('reads the whole archive member by member, with the whole SHA-256 and every count checked', async () => {
    const s3 = await written({ maxMemberBytes: 4096 });
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const names = await collect(reader.objects());
    expect(names).toHaveLength(605);
    expect(new Set(names).size).toBe(605);
    expect(reader.summary).toMatchObject({ objects: 605, bytes: reader.manifest.archive.bytes, sha256: reader.manifest.archive.sha256 });
    // Every GET was a Range GET, one per distinct member: head, the types' (the shared one once), tail.
    const ranges = archiveGets(s3);
    expect(ranges).toEqual(membersInArchiveOrder(reader.index!).map(rangeOf));
  });

  it('refuses a tampered member by its SHA-256 before parsing it, while the other types still read', async () => {
    const s3 = await written();
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const member = reader.index!.types.find((t) => t.name === 'configmaps')!.members[0]!;
    const archive = s3.objects.get(ARCHIVE)!;
    archive[member.offset + Math.floor(member.length / 2)]! ^= 0x01;

    const yielded: string[] = [];
    const err = await (async () => {
      for await (const o of reader.typeObjects('configmaps')) yielded.push(o.name);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecoveryPointIntegrityError);
    expect((err as RecoveryPointIntegrityError).problems[0]).toMatch(/^configmaps member at bytes \d+-\d+: SHA-256 [0-9a-f]{64} differs from the index's/);
    expect(yielded).toEqual([]);
    expect(await collect(reader.typeObjects('secrets'))).toHaveLength(300);
  });

  it('reports a tampered member, and the archive SHA-256, to onProblem on a whole read (verify)', async () => {
    const s3 = await written({ smallTypeBytes: 0 }); // every Secret in secrets' own member
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    const member = reader.index!.types.find((t) => t.name === 'secrets')!.members[0]!;
    s3.objects.get(ARCHIVE)![member.offset + 30]! ^= 0x80;
    const problems: string[] = [];
    const options: ReadObjectsOptions = { onProblem: (p) => problems.push(p) };
    const names = await collect(reader.objects(options));
    expect(names.filter((n) => n.startsWith('secrets/'))).toEqual([]);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^secrets member at bytes .*: SHA-256 .* differs from the index's/),
      expect.stringMatching(/^archive SHA-256 .* differs from the manifest's/),
      'secrets: archive holds 0 objects, the manifest says 300',
    ]));
  });

  it('refuses a member whose entries are of another type than the index says', async () => {
    const s3 = fakeS3();
    await writeRecoveryPoint(s3, BUCKET, FOLDER, objects(), (m) => {
      // Swap two types' members (both hold 300): each member's entries are now of the other type.
      const a = m.index!.types.find((t) => t.name === 'configmaps')!;
      const b = m.index!.types.find((t) => t.name === 'secrets')!;
      [a.members, b.members] = [b.members, a.members];
    }, { smallTypeBytes: 0 });
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    await expect(collect(reader.typeObjects('configmaps'))).rejects.toThrow(/configmaps member at bytes .* holds "resources\/secrets\/.*", not an entry of configmaps/);
  });

  it('fetches a member again when its body breaks off, and not when S3 answers an error', async () => {
    const s3 = await written();
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    let broken = 0;
    s3.mock.on(GetObjectCommand).callsFake(async (input: GetObjectCommandInput) => {
      const out = getObjectOutput(s3.objects.get(input.Key ?? '')!, input.Range);
      if (input.Range === undefined || broken++ > 0) return out;
      return { ...out, Body: { transformToByteArray: () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) } };
    });
    expect(await collect(reader.typeObjects('services'))).toHaveLength(5);
    expect(archiveGets(s3)).toHaveLength(2);

    s3.objects.delete(ARCHIVE);
    s3.mock.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));
    const before = archiveGets(s3).length;
    await expect(collect(reader.typeObjects('secrets'))).rejects.toThrow(/could not be read/);
    expect(archiveGets(s3).length - before).toBeLessThanOrEqual(2); // no retry per member: as many GETs as were in flight
  });

  it('reads a 1.1 recovery point as one stream (one GetObject, no Range), and refuses typeObjects on it', async () => {
    const s3 = await written({ seekable: false });
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    expect(reader.seekable).toBe(false);
    expect(await collect(reader.objects())).toHaveLength(605);
    expect(archiveGets(s3)).toEqual([undefined]);
    await expect(collect(reader.typeObjects('configmaps'))).rejects.toBeInstanceOf(RecoveryPointError);
  });
});
