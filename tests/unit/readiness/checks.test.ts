import type { RecoveryPointRow } from '../../../lib/catalog';
import { checkRpo, checkVersionSkew, classifyDryRun, estimateRto, formatDuration } from '../../../lib/readiness';
import type { ManifestResource } from '../../../lib/recovery-point';
import type { RestoreReportRow } from '../../../lib/restore';

const NOW = new Date('2026-12-07T12:00:00Z');
const row = (id: string, completedAt: string, status: RecoveryPointRow['status'] = 'COMPLETED', wholeCluster = true): RecoveryPointRow => ({
  recoveryPointId: id, status, startedAt: completedAt, completedAt, durationMs: 0, objects: 1, bytes: 1, resources: 1, unreadable: 0, dependencies: 0,
  scope: { wholeCluster, recorded: true, filters: wholeCluster ? {} : { includeNamespaces: ['shop'] } },
});

describe('checkRpo', () => {
  it('measures the newest usable recovery point against the target, and the gaps between the recent ones', () => {
    const { rpo, findings } = checkRpo({
      recoveryPoints: [row('c', '2026-12-07T11:00:00Z'), row('b', '2026-12-06T11:00:00Z'), row('a', '2026-12-05T23:00:00Z')],
      incomplete: [], targetSeconds: 2 * 3600, now: NOW,
    });
    expect(findings).toEqual([]);
    expect(rpo).toMatchObject({ recoveryPointAgeSeconds: 3600, met: true, newest: { recoveryPointId: 'c' } });
    expect(rpo.recent.map((r) => r.gapSeconds)).toEqual([86400, 12 * 3600, undefined]);
  });

  it('counts only whole-cluster recovery points: a newer filtered backup does not protect the cluster', () => {
    const { rpo, findings } = checkRpo({
      recoveryPoints: [row('filtered', '2026-12-07T11:30:00Z', 'COMPLETED', false), row('whole', '2026-12-06T12:00:00Z')],
      incomplete: [], targetSeconds: 2 * 3600, now: NOW,
    });
    expect(rpo).toMatchObject({ recoveryPointAgeSeconds: 86400, met: false, newest: { recoveryPointId: 'whole' } });
    expect(findings.map((f) => [f.code, f.id])).toEqual([['target-missed', 'whole']]);
    // Named by id or latest-any, any scope counts.
    expect(checkRpo({
      recoveryPoints: [row('filtered', '2026-12-07T11:30:00Z', 'COMPLETED', false), row('whole', '2026-12-06T12:00:00Z')],
      incomplete: [], targetSeconds: 2 * 3600, now: NOW, wholeClusterOnly: false,
    }).rpo).toMatchObject({ recoveryPointAgeSeconds: 1800, met: true, newest: { recoveryPointId: 'filtered' } });
  });

  it('misses the target when the newest is too old, and names failed and partial backups of the last 7 days only', () => {
    const { rpo, findings } = checkRpo({
      recoveryPoints: [row('p', '2026-12-06T00:00:00Z', 'PARTIAL'), row('old', '2026-11-01T00:00:00Z', 'PARTIAL')],
      incomplete: [{ recoveryPointId: 'f', lastModified: '2026-12-07T06:00:00Z', bytes: 0, reason: 'no manifest' }, { recoveryPointId: 'ancient', lastModified: '2026-10-01T00:00:00Z', bytes: 0, reason: 'no manifest' }],
      targetSeconds: 3600, now: NOW,
    });
    expect(rpo.met).toBe(false);
    expect(findings.map((f) => [f.code, f.objects ?? f.id])).toEqual([['target-missed', 'p'], ['failed-backups', ['f']], ['partial-backups', ['p']]]);
  });

  it('finds no usable recovery point among incomplete folders', () => {
    const { rpo, findings } = checkRpo({ recoveryPoints: [], incomplete: [], targetSeconds: 60, now: NOW });
    expect(rpo).toMatchObject({ met: false, recent: [] });
    expect(rpo.recoveryPointAgeSeconds).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ kind: 'rpo', code: 'no-usable-recovery-point' })]);
  });
});

describe('estimateRto', () => {
  it('uses the slower of the dry run\'s and the last real restore\'s rates', () => {
    const { rto, findings } = estimateRto({
      objectsToRestore: 1000, dryRun: { objects: 100, durationMs: 1000 }, targetSeconds: 3600,
      lastRestore: { restoreId: 'r', writesPerSecond: 10, objects: 500, durationMs: 50_000, report: 's3://b/k' },
    });
    expect(rto).toMatchObject({ seconds: 100, writesPerSecond: 10, dryRunWritesPerSecond: 100, met: true });
    expect(findings).toEqual([]);
  });

  it('misses the target, and says when nothing was measured', () => {
    expect(estimateRto({ objectsToRestore: 1000, dryRun: { objects: 1, durationMs: 1000 }, targetSeconds: 60 }).findings)
      .toEqual([expect.objectContaining({ kind: 'rto', code: 'target-missed', detail: expect.stringContaining('16m') })]);
    expect(estimateRto({ objectsToRestore: 10, targetSeconds: 60 }).findings).toEqual([expect.objectContaining({ kind: 'rto', code: 'not-measured' })]);
  });

  it('needs no rate when nothing is to be written', () => {
    expect(estimateRto({ objectsToRestore: 0, dryRun: { objects: 0, durationMs: 500 }, targetSeconds: 60 })).toEqual({
      rto: { seconds: 0, targetSeconds: 60, met: true, objectsToRestore: 0 }, findings: [],
    });
  });
});

describe('classifyDryRun', () => {
  const r = (fields: Partial<RestoreReportRow> & Pick<RestoreReportRow, 'resource' | 'name' | 'outcome'>): RestoreReportRow => ({ namespace: 'shop', ...fields });
  it('counts outcomes and groups refusals by cause, CRD-less custom resources and unserved built-in APIs by type', () => {
    const { counts, findings } = classifyDryRun([
      r({ resource: 'configmaps', name: 'a', outcome: 'created' }),
      r({ resource: 'configmaps', name: 'b', outcome: 'exists', skipped: 'exists' }),
      r({ resource: 'configmaps', name: 'c', outcome: 'failed', status: 500, reason: 'InternalError: failed calling webhook "x"' }),
      r({ resource: 'configmaps', name: 'd', outcome: 'failed', status: 500, reason: 'InternalError: failed calling webhook "x"' }),
      r({ resource: 'widgets.example.com', name: 'w', outcome: 'failed', status: 404, reason: 'the recovery cluster does not serve example.com/v1/widgets (Widget) and this recovery point has no CRD for it' }),
      r({ resource: 'flowschemas.flowcontrol.apiserver.k8s.io', namespace: undefined, name: 'f', outcome: 'failed', status: 404, reason: 'the recovery cluster does not serve flowcontrol.apiserver.k8s.io/v1/flowschemas' }),
      r({ resource: 'gadgets.example.com', name: 'g', outcome: 'skipped', skipped: 'needsCrd' }),
      r({ resource: 'pods', name: 'p', outcome: 'skipped', skipped: 'owned' }),
    ]);
    expect(counts).toEqual({ created: 1, updated: 0, exists: 1, refused: 2, notServed: 1, needsCrd: 1, awaitingCrd: 1, skipped: 1 });
    expect(findings.map((f) => [f.kind, f.type, f.objects])).toEqual([
      ['admission', 'configmaps', ['configmaps/shop/c', 'configmaps/shop/d']],
      ['needs-crd', 'widgets.example.com', ['widgets.example.com/shop/w']],
      ['api-not-served', 'flowschemas.flowcontrol.apiserver.k8s.io', ['flowschemas.flowcontrol.apiserver.k8s.io/f']],
    ]);
  });
});

describe('checkVersionSkew', () => {
  const res = (name: string, group: string, version: string): ManifestResource => ({ name, group, version, resource: name.split('.')[0]!, kind: 'K', namespaced: true, count: 1, status: 'ok' });
  it('names an older recovery cluster and API versions served only at another version', () => {
    const { versions, findings } = checkVersionSkew({
      sourceKubernetesVersion: '1.29', recoveryKubernetesVersion: '1.28',
      resources: [res('cronjobs.batch', 'batch', 'v1beta1'), res('deployments.apps', 'apps', 'v1'), res('widgets.example.com', 'example.com', 'v1')],
      served: { groupVersions: new Set(['v1', 'apps/v1', 'batch/v1']), resources: new Set(['cronjobs.batch', 'deployments.apps']) },
    });
    expect(versions.groupVersionsNotServed).toEqual(['batch/v1beta1', 'example.com/v1']);
    expect(findings.map((f) => [f.code, f.id ?? ''])).toEqual([['older-recovery-cluster', ''], ['version-not-served', 'batch/v1beta1']]);
  });
});

describe('formatDuration', () => {
  it.each([[0.4, '0.4s'], [45, '45s'], [125, '2m'], [3 * 3600 + 300, '3h 5m'], [3 * 86400 + 4 * 3600, '3d 4h']])('%s s is %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
