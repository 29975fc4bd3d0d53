import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRestoreReports, readRestoreReport, RestoreReportNotFoundError, type RestoreReportLocation } from '../../../lib/catalog';
import { parseRestoreReportKey, recoveryPointFolder, restoreReportKey } from '../../../lib/recovery-point';
import { RestoreReport } from '../../../lib/restore/RestoreReport';
import type { RestoreReportRow } from '../../../lib/restore';
import { sdkStreamBody } from '../helpers/sdkStreamBody';
import { fakeS3, type FakeS3 } from '../recovery-point/fakeS3';

// Restore reports read back (issue 27): found beside the source's recovery points and under the target's
// own folder, listed newest first from the summaries at their heads, described with every row.
const BUCKET = 'recovery-bucket';
const PREFIX = 'eks/';

describe('restore report keys', () => {
  it('are written and read back by the same layout, beside a recovery point or under the target cluster', () => {
    const beside = restoreReportKey({ folder: recoveryPointFolder(PREFIX, 'prod', '20261207T030000Z-aaaa') }, '20261207T040000Z-bbbb');
    const own = restoreReportKey({ prefix: PREFIX, targetCluster: 'prod-dr' }, '20261207T050000Z-cccc');
    expect([beside, own]).toEqual(['eks/prod/20261207T030000Z-aaaa/restores/20261207T040000Z-bbbb.json', 'eks/prod-dr/restores/20261207T050000Z-cccc.json']);
    expect(parseRestoreReportKey(PREFIX, beside)).toEqual({ cluster: 'prod', recoveryPointId: '20261207T030000Z-aaaa', restoreId: '20261207T040000Z-bbbb' });
    expect(parseRestoreReportKey(PREFIX, own)).toEqual({ cluster: 'prod-dr', restoreId: '20261207T050000Z-cccc' });
  });

  it.each([
    'eks/prod/20261207T030000Z-aaaa/restores/r1.lock', 'eks/prod/20261207T030000Z-aaaa/manifest.json', 'other/prod/restores/r1.json',
    'eks/prod/a/b/restores/r1.json', 'eks/prod/restores/x/r1.json',
  ])('ignores %s', (key) => {
    expect(parseRestoreReportKey(PREFIX, key)).toBeUndefined();
  });

  it('refuses an unsafe restore id', () => {
    expect(() => restoreReportKey({ prefix: PREFIX, targetCluster: 'prod-dr' }, '../x')).toThrow(/restoreId/);
  });
});

describe('listRestoreReports and readRestoreReport', () => {
  let dir: string;
  let s3: FakeS3;
  /** Ranges GetObject was asked for, per key ('' for the whole object). */
  let ranges: Array<[string, string]>;
  const where = (): RestoreReportLocation => ({ s3: s3.client, bucket: BUCKET, prefix: PREFIX, clusters: ['prod', 'prod-dr'] });

  async function writeReport(key: string, restoreId: string, rows: RestoreReportRow[], extra: Record<string, unknown> = {}): Promise<void> {
    const report = new RestoreReport(dir);
    for (const row of rows) await report.add(row);
    await report.upload(s3.client, BUCKET, key, {
      status: rows.some((r) => r.outcome === 'failed') ? 'PARTIAL' : 'COMPLETED', dryRun: false, restoreId, recoveryPointId: '20261207T030000Z-aaaa',
      sourceCluster: 'prod', created: rows.filter((r) => r.outcome === 'created').length, updated: 0, skipped: { exists: 0, notRestorable: 1 },
      failed: rows.filter((r) => r.outcome === 'failed').length, notAttempted: 0, warnings: [], startedAt: '2026-12-07T04:00:00.000Z', durationMs: 900,
      targetCluster: 'prod-dr', report: `s3://${BUCKET}/${key}`, ...extra,
    });
    report.dispose();
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'restore-reports-'));
    s3 = fakeS3();
    ranges = [];
    s3.mock.on(GetObjectCommand).callsFake(async (input: { Key?: string; Range?: string }) => {
      const whole = s3.objects.get(input.Key ?? '');
      if (whole === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      ranges.push([input.Key ?? '', input.Range ?? '']);
      const m = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
      const body = m ? whole.subarray(Number(m[1]), Number(m[2]) + 1) : whole;
      return { Body: sdkStreamBody(body), ContentLength: body.length };
    });
    const many = Array.from({ length: 20_000 }, (_, i): RestoreReportRow => ({ resource: 'configmaps', namespace: 'shop', name: `cm-${i}`, outcome: 'created' }));
    await writeReport('eks/prod/20261207T030000Z-aaaa/restores/20261207T040000Z-0001.json', '20261207T040000Z-0001', [
      ...many, { resource: 'widgets.example.com', namespace: 'shop', name: 'w1', outcome: 'failed', status: 404, reason: 'no CRD' },
      { resource: 'ipaddresses.networking.k8s.io', name: '10.0.0.1', outcome: 'skipped', skipped: 'notRestorable', reason: 'allocations' },
    ]);
    await writeReport('eks/prod-dr/restores/20261207T050000Z-0002.json', '20261207T050000Z-0002', [{ resource: 'configmaps', namespace: 'shop', name: 'a', outcome: 'created' }]);
    // Not reports: a lock, a manifest, another cluster's report.
    s3.objects.set('eks/prod/20261207T030000Z-aaaa/restores/20261207T060000Z-0003.lock', Buffer.from('{}'));
    s3.objects.set('eks/prod/20261207T030000Z-aaaa/manifest.json', Buffer.from('{}'));
    s3.objects.set('eks/staging/20261207T030000Z-aaaa/restores/20261207T070000Z-0004.json', Buffer.from('{"restoreId":"20261207T070000Z-0004"}'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists both folders\' reports newest first, reading only the head of each', async () => {
    const { reports, total } = await listRestoreReports(where(), { limit: 20 });
    expect(total).toBe(2);
    expect(reports.map((r) => [r.restoreId, r.cluster, r.recoveryPointId, r.summary.status, r.summary.failed])).toEqual([
      ['20261207T050000Z-0002', 'prod-dr', undefined, 'COMPLETED', 0],
      ['20261207T040000Z-0001', 'prod', '20261207T030000Z-aaaa', 'PARTIAL', 1],
    ]);
    // The 20,000-row report (over 1 MB) was read by its first 256 KiB only.
    expect(s3.objects.get('eks/prod/20261207T030000Z-aaaa/restores/20261207T040000Z-0001.json')!.length).toBeGreaterThan(1_000_000);
    expect(ranges).toEqual(expect.arrayContaining([['eks/prod/20261207T030000Z-aaaa/restores/20261207T040000Z-0001.json', 'bytes=0-262143']]));
    expect(ranges.filter(([, range]) => range === '')).toEqual([]);
  });

  it('keeps to one recovery point, and to the limit', async () => {
    expect((await listRestoreReports(where(), { limit: 20, recoveryPointId: '20261207T030000Z-aaaa' })).reports.map((r) => r.restoreId)).toEqual(['20261207T040000Z-0001']);
    expect(await listRestoreReports(where(), { limit: 1 })).toMatchObject({ total: 2, reports: [{ restoreId: '20261207T050000Z-0002' }] });
  });

  it('reads a summary too long for the head whole', async () => {
    await writeReport('eks/prod-dr/restores/20261207T080000Z-0005.json', '20261207T080000Z-0005', [], { warnings: Array.from({ length: 5000 }, (_, i) => `warning ${i} ${'x'.repeat(80)}`) });
    const { reports } = await listRestoreReports(where(), { limit: 1 });
    expect(reports[0]?.summary.warnings).toHaveLength(5000);
  });

  it('describes one restore with every row', async () => {
    const found = await readRestoreReport(where(), '20261207T040000Z-0001');
    expect(found.rows).toHaveLength(20_002);
    expect(found.summary).toMatchObject({ restoreId: '20261207T040000Z-0001', targetCluster: 'prod-dr', status: 'PARTIAL' });
    expect(found.rows.filter((r) => r.outcome === 'failed')).toEqual([{ resource: 'widgets.example.com', namespace: 'shop', name: 'w1', outcome: 'failed', status: 404, reason: 'no CRD' }]);
  });

  it('names the folders it looked in when no report has that id', async () => {
    const err = await readRestoreReport(where(), '20991231T000000Z-ffff').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestoreReportNotFoundError);
    expect((err as Error).message).toBe('no restore report 20991231T000000Z-ffff under s3://recovery-bucket/eks/prod/ or s3://recovery-bucket/eks/prod-dr/');
  });
});
