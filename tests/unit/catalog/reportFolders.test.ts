import { listRecoveryPointIds, listRecoveryPoints } from '../../../lib/catalog';
import { validateRecoveryPointId } from '../../../lib/recovery-point';
import { memoryS3 } from './memoryS3';

describe('folders beside the recovery points that are not recovery points', () => {
  it('never lists readiness or restore reports as (incomplete) recovery points', async () => {
    const s3 = memoryS3();
    s3.put('eks/prod/readiness/20261207T033201Z-8dac.json', '{}');
    s3.put('eks/prod/readiness/20261207T033201Z-8dac.html', '<!DOCTYPE html>');
    s3.put('eks/prod/restores/20261207T040000Z-1111.json', '{}');
    s3.put('eks/prod/20261207T030000Z-aaaa/resources.tar.gz', 'x');
    const where = { s3: s3.client, bucket: 'b', prefix: 'eks/', clusterName: 'prod' };
    expect(await listRecoveryPointIds(where)).toEqual(['20261207T030000Z-aaaa']);
    const page = await listRecoveryPoints(where);
    expect(page.incomplete.map((i) => i.recoveryPointId)).toEqual(['20261207T030000Z-aaaa']);
    expect(page.total).toBe(1);
  });

  it('refuses them as recovery point ids, so a backup can never hide in them', () => {
    expect(validateRecoveryPointId('readiness')).toEqual(['recoveryPointId "readiness" is reserved for the reports beside the recovery points']);
    expect(validateRecoveryPointId('restores')).toHaveLength(1);
    expect(validateRecoveryPointId('readiness-1')).toEqual([]);
  });
});
