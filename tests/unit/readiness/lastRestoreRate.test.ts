import { lastRestoreRate } from '../../../lib/readiness/lastRestoreRate';
import { memoryS3 } from '../catalog/memoryS3';

/** A restore report as lib/restore/RestoreReport writes it: the summary, then the rows. */
function report(summary: Record<string, unknown>, rows = 3): string {
  const objects = Array.from({ length: rows }, (_, i) => JSON.stringify({ resource: 'configmaps', namespace: 'shop', name: `c${i}`, outcome: 'created' }));
  return `${JSON.stringify(summary, null, 2).replace(/\n}$/, '')},\n  "objects": [\n    ${objects.join(',\n    ')}\n  ]\n}\n`;
}

describe('lastRestoreRate', () => {
  it('reads the newest real (not dry-run) restore report\'s summary: objects written over its duration', async () => {
    const s3 = memoryS3();
    const folder = 'eks/prod/rp1/restores/';
    s3.put(`${folder}r-old.json`, report({ action: 'restore', restoreId: 'r-old', dryRun: false, created: 100, updated: 0, durationMs: 100_000 }), new Date('2026-12-01T00:00:00Z'));
    s3.put(`${folder}r-real.json`, report({ action: 'restore', restoreId: 'r-real', dryRun: false, created: 900, updated: 100, durationMs: 20_000 }), new Date('2026-12-05T00:00:00Z'));
    s3.put(`${folder}r-dry.json`, report({ action: 'restore', restoreId: 'r-dry', dryRun: true, created: 1000, updated: 0, durationMs: 1_000 }), new Date('2026-12-06T00:00:00Z'));
    s3.put(`${folder}r-live.lock`, '{}', new Date('2026-12-07T00:00:00Z'));
    expect(await lastRestoreRate([{ s3: s3.client, bucket: 'b', prefix: folder }])).toEqual({
      restoreId: 'r-real', objects: 1000, durationMs: 20_000, writesPerSecond: 50, report: `s3://b/${folder}r-real.json`,
    });
  });

  it('is undefined when no real restore wrote anything', async () => {
    const s3 = memoryS3();
    s3.put('eks/prod-dr/restores/r.json', report({ restoreId: 'r', dryRun: true, created: 5, durationMs: 100 }));
    s3.put('eks/prod-dr/restores/nothing.json', report({ restoreId: 'nothing', dryRun: false, created: 0, updated: 0, durationMs: 100 }));
    expect(await lastRestoreRate([{ s3: s3.client, bucket: 'b', prefix: 'eks/prod-dr/restores/' }])).toBeUndefined();
  });
});
