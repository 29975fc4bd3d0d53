import { silentLogger } from '../../../lib/observability/DelegateLogger';
import { runReadiness, type ReadinessOptions } from '../../../lib/readiness';
import { configMap, putRecoveryPoint } from '../catalog/recoveryPointFixture';
import { memoryS3 } from '../catalog/memoryS3';

const NOW = new Date('2026-11-24T12:00:00Z');
const options = (over: Partial<ReadinessOptions> = {}): ReadinessOptions => ({
  readinessId: 'r1', clusterName: 'prod-dr',
  source: { bucket: 'b', prefix: 'eks/', clusterName: 'prod', recoveryPointId: 'latest' },
  identifierMap: {}, zoneMap: {}, regionMap: {}, namespaceMapping: {}, translate: 'known-fields', rpoTargetSeconds: 86400, rtoTargetSeconds: 3600,
  report: { bucket: 'b', prefix: 'eks/' }, restoreReports: () => [], concurrency: 8, deadlineMarginMs: 30_000, ...over,
});

describe('runReadiness', () => {
  it('is NOT_READY before the recovery cluster is contacted when the recovery point does not verify; both reports written', async () => {
    const s3 = memoryS3();
    await putRecoveryPoint(s3, { id: '20261124T080000Z-aaaa', startedAt: '2026-11-24T08:00:00.000Z', objects: [configMap('shop', 'a', { k: 'v' })],
      editArchive: (gz) => { const copy = Buffer.from(gz); copy[copy.length - 9] = copy[copy.length - 9]! ^ 0xff; return copy; } });
    // A backup of the last 7 days that never committed, and one older than the window.
    s3.put('eks/prod/20261123T000000Z-bbbb/resources.tar.gz', 'partial upload', new Date('2026-11-23T00:00:10Z'));
    s3.put('eks/prod/20261101T000000Z-cccc/resources.tar.gz', 'partial upload', new Date('2026-11-01T00:00:10Z'));
    const r = await runReadiness(options(), {
      sourceS3: s3.client, reportS3: s3.client, kmsFor: () => { throw new Error('no KMS here'); },
      connect: () => Promise.reject(new Error('the recovery cluster must not be contacted')),
      lookup: () => Promise.reject(new Error('nothing to look up')), logger: silentLogger, now: () => NOW,
    });
    expect(r.status).toBe('NOT_READY');
    expect(r.problems.map((p) => `${p.severity} ${p.kind}`)).toEqual(['NOT_READY recovery-point', 'AT_RISK rpo']);
    // No dry run, no estimate: never "0 seconds, met".
    expect(r.estimatedRto).toEqual({ targetSeconds: 3600, met: false, objectsToRestore: 0 });
    expect(r.problems[1]).toMatchObject({ objects: ['20261123T000000Z-bbbb'] });
    expect(r.rpo).toMatchObject({ recoveryPointAgeSeconds: 4 * 3600 - 4, met: true });
    expect(r.verified?.status).toBe('INVALID');
    expect(r.report).toBe('s3://b/eks/prod/readiness/r1.json');
    expect(JSON.parse(s3.objects.get('eks/prod/readiness/r1.json')!.body.toString('utf8'))).toMatchObject({ status: 'NOT_READY', readinessId: 'r1' });
    expect(s3.objects.get('eks/prod/readiness/r1.html')!.body.toString('utf8')).toContain('id="verdict">NOT READY<');
  });
});
