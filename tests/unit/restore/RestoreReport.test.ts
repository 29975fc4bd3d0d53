import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RestoreReport } from '../../../lib/restore/RestoreReport';
import { fakeS3 } from '../recovery-point/fakeS3';

describe('RestoreReport', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'report-test-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('uploads the summary with every row, in order, as one JSON document, and keeps no row in memory', async () => {
    const s3 = fakeS3();
    const report = new RestoreReport(parent);
    for (let i = 0; i < 5000; i += 1) await report.add({ resource: 'configmaps', namespace: 'default', name: `cm-${i}`, outcome: 'created' });
    expect(report.rows).toBe(5000);
    await report.upload(s3.client, 'bucket', 'rp/restores/r1.json', { restoreId: 'r1', status: 'COMPLETED' });
    report.dispose();
    const doc = JSON.parse(s3.objects.get('rp/restores/r1.json')!.toString('utf8')) as { restoreId: string; status: string; objects: Array<{ name: string }> };
    expect(doc.restoreId).toBe('r1');
    expect(doc.status).toBe('COMPLETED');
    expect(doc.objects).toHaveLength(5000);
    expect(doc.objects[0]?.name).toBe('cm-0');
    expect(doc.objects[4999]?.name).toBe('cm-4999');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('an empty report is a document with no rows', async () => {
    const s3 = fakeS3();
    const report = new RestoreReport(parent);
    await report.upload(s3.client, 'bucket', 'k.json', { restoreId: 'r2' });
    report.dispose();
    expect(JSON.parse(s3.objects.get('k.json')!.toString('utf8'))).toEqual({ restoreId: 'r2', objects: [] });
  });

  // Failure paths dispose a report whose rows may still be buffered: that must not crash the process
  // later (Node 22 emits ERR_STREAM_DESTROYED for the pending write).
  it('dispose with rows still buffered removes the file and raises nothing afterwards', async () => {
    const late: unknown[] = [];
    const onLate = (err: unknown): void => {
      late.push(err);
    };
    process.on('uncaughtException', onLate);
    try {
      const report = new RestoreReport(parent);
      // Under the file's 64 KiB buffer, so add() resolves at once and the rows are still unwritten.
      for (let i = 0; i < 300; i += 1) await report.add({ resource: 'secrets', namespace: 'default', name: `s-${i}`, outcome: 'failed' });
      report.dispose();
      await sleep(200);
      expect(late).toEqual([]);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      process.off('uncaughtException', onLate);
    }
  });
});
