import { colorsFor } from '../../../handlers/cli/format';
import { renderRestoreDescribe, renderRestoreList } from '../../../handlers/cli/renderRestores';

const plain = colorsFor({ isTTY: false });

describe('restore list', () => {
  it('one row per restore, newest first as the action gave them, with where from and into', () => {
    const out = renderRestoreList({
      action: 'list-restores', status: 'OK', clusterName: 'prod-dr', durationMs: 900, sourceCluster: 'prod', total: 3,
      restores: [
        { restoreId: '20261207T050000Z-0002', status: 'COMPLETED', dryRun: true, startedAt: '2026-12-07T05:00:00Z', durationMs: 1200, sourceCluster: 'prod', recoveryPointId: '20261207T030000Z-aaaa', targetCluster: 'prod-dr', created: 14, updated: 0, failed: 0, notAttempted: 0, skipped: 3, report: 's3://b/r2.json' },
        { restoreId: '20261207T040000Z-0001', status: 'PARTIAL', dryRun: false, startedAt: '2026-12-07T04:00:00Z', durationMs: 65_000, sourceCluster: 'prod', recoveryPointId: '20261207T030000Z-aaaa', created: 13, updated: 1, failed: 1, notAttempted: 2, skipped: 3, report: 's3://b/r1.json' },
      ],
    }, plain).split('\n');
    expect(lines(out)).toEqual([
      ['RESTORE', 'STATUS', 'STARTED', 'TOOK', 'FROM', 'INTO', 'CREATED', 'FAILED'],
      ['20261207T050000Z-0002', 'COMPLETED', '(dry', 'run)', '12-07', '05:00', '1.2s', 'prod/20261207T030000Z-aaaa', 'prod-dr', '14', '0'],
      ['20261207T040000Z-0001', 'PARTIAL', '12-07', '04:00', '1m05s', 'prod/20261207T030000Z-aaaa', '-', '14', '3'],
      [],
      ['2', 'of', '3', 'restore(s),', 'newest', 'first.', 'Times', 'UTC.', 'Details:', 'eks-delegate', 'restore', 'describe', '<RESTORE>'],
    ]);
  });

  it('says where it looked when there is none', () => {
    expect(renderRestoreList({ action: 'list-restores', status: 'OK', clusterName: 'prod-dr', durationMs: 900, sourceCluster: 'prod', total: 0, restores: [] }, plain))
      .toBe('No restores from or into cluster prod or prod-dr.');
  });
});

describe('restore describe', () => {
  it('the restore, its outcome counts, why objects were left as they were, then the objects by outcome', () => {
    const out = renderRestoreDescribe({
      action: 'describe-restore', status: 'OK', clusterName: 'prod-dr', durationMs: 40, restoreId: '20261207T040000Z-0001', restoreStatus: 'PARTIAL', restoreDurationMs: 900, dryRun: false,
      created: 2, updated: 0, failed: 1, notAttempted: 0, skipped: { notRestorable: 1 },
      recoveryPointId: '20261207T030000Z-aaaa', sourceCluster: 'prod', targetCluster: 'prod-dr', startedAt: '2026-12-07T04:00:00.000Z',
      report: 's3://b/eks/prod/20261207T030000Z-aaaa/restores/20261207T040000Z-0001.json', warnings: ['the recovery cluster does not serve x'],
      outcomes: { failed: 1, 'not-attempted': 0, created: 2, updated: 0, exists: 0, skipped: 1 },
      skippedReasons: [{ outcome: 'skipped', reason: 'ipaddresses.networking.k8s.io are never restored: allocations', objects: 1 }],
      objects: [
        { resource: 'widgets.example.com', namespace: 'shop', name: 'w1', outcome: 'failed', status: 404, reason: 'no CRD' },
        { resource: 'configmaps', namespace: 'shop', name: 'a', outcome: 'created', targetNamespace: 'shop-dr' },
      ],
    }, plain);
    expect(out.split('\n')).toEqual([
      'Restore         20261207T040000Z-0001',
      'Status          PARTIAL',
      'From            prod/20261207T030000Z-aaaa',
      'Into            prod-dr',
      'Started         2026-12-07 04:00:00Z, took 900ms',
      'Report          s3://b/eks/prod/20261207T030000Z-aaaa/restores/20261207T040000Z-0001.json',
      '',
      'OUTCOME        OBJECTS',
      'failed               1',
      'not-attempted        0',
      'created              2',
      'updated              0',
      'exists               0',
      'skipped              1',
      '',
      'LEFT AS IT WAS  OBJECTS  WHY',
      'skipped               1  ipaddresses.networking.k8s.io are never restored: allocations',
      'Warning: the recovery cluster does not serve x',
      '',
      'Failed:',
      '  widgets.example.com shop/w1 404: no CRD',
      '',
      'Created:',
      '  configmaps shop/a (as shop-dr/a)',
    ]);
  });
});

/** A table's lines as their words, so the test does not hang on column widths. */
function lines(out: string[]): string[][] {
  return out.map((l) => l.split(/\s+/).filter(Boolean));
}
