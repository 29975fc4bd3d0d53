import type { DriftResponse, ReadinessResponse } from '../../../handlers/actions';
import { EXIT, exitCodeOf } from '../../../handlers/cli/exitCodes';
import { colorsFor } from '../../../handlers/cli/format';
import { renderDrift, renderReadiness } from '../../../handlers/cli/renderReadiness';

const plain = colorsFor({ isTTY: false });

describe('readiness in the CLI', () => {
  const response: ReadinessResponse = {
    action: 'readiness', status: 'NOT_READY', readinessId: 'r', clusterName: 'prod-dr', warnings: [], durationMs: 1,
    source: { clusterName: 'prod', recoveryPointId: 'rp1' },
    rpo: { recoveryPointAgeSeconds: 7200, targetSeconds: 86400, met: true, failedLast7Days: [], partialLast7Days: [] },
    estimatedRto: { seconds: 5400, targetSeconds: 3600, met: false, objectsToRestore: 12000 },
    problems: [{ severity: 'NOT_READY', kind: 'missing-aws-resource', type: 'iam-role', id: 'arn:aws:iam::444455556666:role/api', objects: ['serviceaccounts/shop/api'], detail: 'iam-role does not exist in the recovery account and region' }],
    dependencies: { present: 4, missing: 1, notCheckable: 0 },
    report: 's3://b/eks/prod/readiness/r.json', html: 's3://b/eks/prod/readiness/r.html',
  };

  it('shows the verdict, RPO and RTO against their targets, each problem with its objects, and where the report is', () => {
    const text = renderReadiness(response, plain);
    expect(text.split('\n')[0]).toBe('NOT_READY  prod -> prod-dr (recovery point rp1)');
    expect(text).toContain('RPO: 2h 0m (target 24h 0m, met)');
    expect(text).toContain('RTO: about 1h 30m for 12,000 objects (target 1h 0m, missed)');
    expect(text).toContain('arn:aws:iam::444455556666:role/api');
    expect(text).toContain('serviceaccounts/shop/api');
    expect(text).toContain('Report: s3://b/eks/prod/readiness/r.json');
  });

  it('exits 0 READY, 2 AT_RISK, 1 NOT_READY', () => {
    expect([
      exitCodeOf({ action: 'readiness', status: 'READY' }), exitCodeOf({ action: 'readiness', status: 'AT_RISK' }), exitCodeOf({ action: 'readiness', status: 'NOT_READY' }),
    ]).toEqual([EXIT.OK, EXIT.PARTIAL, EXIT.FAILED]);
  });
});

describe('drift in the CLI', () => {
  it('lists what was created, deleted and changed since the recovery point', () => {
    const drift: DriftResponse = {
      action: 'drift', status: 'OK', clusterName: 'prod', recoveryPointId: 'rp1', recoveryPointCompletedAt: '2026-12-07T00:00:00Z',
      byResource: {}, ignoredFields: [], durationMs: 1,
      added: [{ resource: 'configmaps', namespace: 'shop', name: 'new' }], removed: [{ resource: 'namespaces', name: 'old' }],
      changed: [{ resource: 'secrets', namespace: 'shop', name: 'db', paths: ['data.password'] }],
      counts: { added: 1, removed: 1, changed: 1 }, objects: { recoveryPoint: 10, live: 10 }, notCompared: [],
    };
    const text = renderDrift(drift, plain);
    expect(text.split('\n').slice(1)).toEqual([
      '1 created, 1 deleted, 1 changed since: what a disaster now would lose',
      '  + configmaps shop/new', '  - namespaces old', '  ~ secrets shop/db  data.password',
    ]);
  });
});
