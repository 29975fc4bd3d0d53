// verify, diff and describe of seekable recovery points (format 1.2): Range GETs, each member checked.
import { GetObjectCommand, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import { describeRecoveryPoint, diffRecoveryPoints, resolveDiffPair, verifyRecoveryPoint, type ClusterLocation } from '../../../lib/catalog';
import { membersInArchiveOrder, parseManifest, recoveryPointFolder } from '../../../lib/recovery-point';
import { fakeS3, type FakeS3 } from '../recovery-point/fakeS3';
import { writeRecoveryPoint, type RecoveryPointObjectSpec } from '../recovery-point/writeRecoveryPoint';

const BUCKET = 'recovery-bucket';
const OLD = '20261123T200501Z-0001';
const NEW = '20261124T200501Z-0002';
const folder = (id: string): string => recoveryPointFolder('eks/', 'prod', id);
const where = (s3: FakeS3): ClusterLocation => ({ s3: s3.client, bucket: BUCKET, prefix: 'eks/', clusterName: 'prod' });

function configMap(name: string, value: string): RecoveryPointObjectSpec {
  return { resource: 'configmaps', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { value } } };
}
function deployment(name: string, replicas: number): RecoveryPointObjectSpec {
  return { resource: 'deployments.apps', object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' }, spec: { replicas } } };
}

function rangeGets(s3: FakeS3, id: string): number {
  return s3.mock.commandCalls(GetObjectCommand)
    .map((call) => call.args[0].input as GetObjectCommandInput)
    .filter((input) => input.Key === `${folder(id)}resources.tar.gz` && input.Range !== undefined).length;
}

async function twoRecoveryPoints(): Promise<FakeS3> {
  const s3 = fakeS3();
  await writeRecoveryPoint(s3, BUCKET, folder(OLD), [configMap('a', '1'), configMap('b', '2'), deployment('web', 2)]);
  await writeRecoveryPoint(s3, BUCKET, folder(NEW), [configMap('a', '1'), configMap('c', '3'), deployment('web', 3)]);
  return s3;
}

describe('the catalog on seekable recovery points (1.2)', () => {
  it('verify reads every member by Range and is VALID: whole SHA-256 and each member checked', async () => {
    const s3 = await twoRecoveryPoints();
    const v = await verifyRecoveryPoint(where(s3), NEW);
    expect(v).toMatchObject({ status: 'VALID', objects: 3, problems: [], problemCount: 0 });
    expect(v.sha256).toBe(v.expected.sha256);
    // One Range GET per distinct member: head, the types' (the shared one once), tail.
    const manifest = parseManifest(s3.objects.get(`${folder(NEW)}manifest.json`)!);
    expect(rangeGets(s3, NEW)).toBe(membersInArchiveOrder(manifest.index!).length);
    expect(s3.mock.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key?.endsWith('.tar.gz') && c.args[0].input.Range === undefined)).toEqual([]);
  });

  it('verify is INVALID for a tampered member and names it', async () => {
    const s3 = await twoRecoveryPoints();
    const manifest = parseManifest(s3.objects.get(`${folder(NEW)}manifest.json`)!);
    const member = manifest.index!.types.find((t) => t.name === 'deployments.apps')!.members[0]!;
    s3.objects.get(`${folder(NEW)}resources.tar.gz`)![member.offset + 12]! ^= 0xff;
    const v = await verifyRecoveryPoint(where(s3), NEW);
    expect(v.status).toBe('INVALID');
    expect(v.problems.join('\n')).toMatch(/deployments\.apps member at bytes \d+-\d+: SHA-256 .* differs from the index's/);
    expect(v.problems.join('\n')).toMatch(/archive SHA-256 .* differs from the manifest's/);
  });

  it('verify is INVALID when the archive is longer than its index and manifest say', async () => {
    const s3 = await twoRecoveryPoints();
    const key = `${folder(NEW)}resources.tar.gz`;
    s3.objects.set(key, Buffer.concat([s3.objects.get(key)!, Buffer.from('appended')]));
    const v = await verifyRecoveryPoint(where(s3), NEW);
    expect(v.status).toBe('INVALID');
    expect(v.problems).toContain(`archive is ${v.expected.bytes + 8} bytes, the manifest says ${v.expected.bytes}`);
  });

  it('verify is INVALID, not an error, for an archive cut short (its tail member gone, the last one short)', async () => {
    const s3 = await twoRecoveryPoints();
    const key = `${folder(NEW)}resources.tar.gz`;
    const whole = s3.objects.get(key)!;
    s3.objects.set(key, whole.subarray(0, whole.length - 60));
    const v = await verifyRecoveryPoint(where(s3), NEW);
    expect(v.status).toBe('INVALID');
    expect(v.problems.join('\n')).toMatch(/member at bytes \d+-\d+ cannot be read: the archive ends after \d+ of its \d+ bytes/);
    expect(v.problems).toContain(`archive is ${whole.length - 60} bytes, the manifest says ${whole.length}`);
  });

  it('verify says the archive does not exist when it is gone', async () => {
    const s3 = await twoRecoveryPoints();
    s3.objects.delete(`${folder(NEW)}resources.tar.gz`);
    const v = await verifyRecoveryPoint(where(s3), NEW);
    expect(v.problems).toEqual([`the archive ${folder(NEW)}resources.tar.gz does not exist`]);
  });

  it('diff reads both recovery points by Range and finds what changed', async () => {
    const s3 = await twoRecoveryPoints();
    const pair = await resolveDiffPair(where(s3), OLD, NEW);
    const d = await diffRecoveryPoints(pair.from, pair.to);
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 1 });
    expect(d.changed).toEqual([{ resource: 'deployments.apps', namespace: 'shop', name: 'web', paths: ['spec.replicas'] }]);
    expect(rangeGets(s3, OLD)).toBeGreaterThan(0);
    expect(rangeGets(s3, NEW)).toBeGreaterThan(0);
  });

  it('describe reads no archive byte, and says the format and what each type weighs', async () => {
    const s3 = await twoRecoveryPoints();
    const d = await describeRecoveryPoint(where(s3), NEW);
    expect(d).toMatchObject({ formatVersion: '1.2.0', seekable: true });
    const manifest = parseManifest(s3.objects.get(`${folder(NEW)}manifest.json`)!);
    const configmaps = manifest.index!.types.find((t) => t.name === 'configmaps')!;
    expect(d.resources.find((r) => r.name === 'configmaps')?.archiveBytes).toBe(configmaps.members[0]!.length);
    expect(rangeGets(s3, NEW)).toBe(0);
  });
});
