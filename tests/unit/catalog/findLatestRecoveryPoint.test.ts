import { findLatestRecoveryPoint, openRecoveryPoint, RecoveryPointUnavailableError } from '../../../lib/catalog';
import { restoreLockKey } from '../../../lib/recovery-point';
import { memoryS3 } from './memoryS3';
import { configMap, putRecoveryPoint } from './recoveryPointFixture';

describe('findLatestRecoveryPoint', () => {
  it('returns the newest recovery point whose manifest says COMPLETED or PARTIAL, passing over incomplete folders', async () => {
    const s3 = memoryS3();
    await putRecoveryPoint(s3, { id: '20261120T000000Z-aaaa', objects: [configMap('a', 'x', { k: '1' })] });
    await putRecoveryPoint(s3, { id: '20261121T000000Z-bbbb', status: 'PARTIAL', objects: [configMap('a', 'x', { k: '2' })] });
    s3.put('eks/prod/20261122T000000Z-cccc/resources.tar.gz', 'half an archive'); // no manifest: incomplete
    s3.put('eks/prod/20261123T000000Z-dddd/manifest.json', '{"not": "a manifest"}'); // unreadable
    s3.put('eks/other/20261124T000000Z-eeee/manifest.json', '{}'); // another cluster
    const latest = await findLatestRecoveryPoint(s3.client, 'bucket', 'eks/', 'prod');
    expect(latest?.manifest.recoveryPointId).toBe('20261121T000000Z-bbbb');
    expect(latest?.folder).toBe('eks/prod/20261121T000000Z-bbbb/');
    expect(s3.reads.some((k) => k.endsWith('.tar.gz'))).toBe(false);
  });

  it('returns undefined for a cluster without usable recovery points', async () => {
    const s3 = memoryS3();
    s3.put('eks/prod/20261122T000000Z-cccc/resources.tar.gz', 'x');
    await expect(findLatestRecoveryPoint(s3.client, 'bucket', 'eks/', 'prod')).resolves.toBeUndefined();
  });

  it('openRecoveryPoint names an incomplete or missing recovery point', async () => {
    const s3 = memoryS3();
    s3.put('eks/prod/20261122T000000Z-cccc/resources.tar.gz', 'x');
    const where = { s3: s3.client, bucket: 'bucket', prefix: 'eks/', clusterName: 'prod' };
    await expect(openRecoveryPoint(where, '20261122T000000Z-cccc')).rejects.toThrow(/incomplete/);
    await expect(openRecoveryPoint(where, 'nope')).rejects.toBeInstanceOf(RecoveryPointUnavailableError);
    await expect(openRecoveryPoint(where, 'latest')).rejects.toThrow(/no usable recovery point/);
  });
});

describe('restoreLockKey', () => {
  it('puts the lock under the folder\'s restores/ and refuses an id that could escape it', () => {
    expect(restoreLockKey('eks/prod/20261121T000000Z-bbbb/', 'r-1')).toBe('eks/prod/20261121T000000Z-bbbb/restores/r-1.lock');
    expect(() => restoreLockKey('eks/prod/x/', '../x')).toThrow(/must not contain/);
  });
});
