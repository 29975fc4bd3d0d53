import { EXIT, exitCodeOf } from '../../../handlers/cli/exitCodes';
import { colorsFor, humanBytes, humanDuration } from '../../../handlers/cli/format';
import { progressLine, progressText } from '../../../handlers/cli/progress';
import { renderDescribe, renderDiff, renderList, renderVerify } from '../../../handlers/cli/render';

// Fixed responses, so the tables are snapshots with stable columns.
const plain = colorsFor({ isTTY: false });
const row = (id: string, status: 'COMPLETED' | 'PARTIAL', objects: number, bytes: number, deps: number) => ({
  recoveryPointId: id, status, startedAt: `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`,
  completedAt: '', durationMs: 4200, objects, bytes, resources: 57, unreadable: 0, dependencies: deps,
});
const list = {
  action: 'list-recovery-points', status: 'OK', clusterName: 'prod', location: 's3://b/eks/prod/',
  recoveryPoints: [row('20261123T200501Z-7f3a', 'COMPLETED', 12_345, 3_456_789, 12), row('20261122T200459Z-01bc', 'PARTIAL', 12_001, 3_400_001, 11)],
  incomplete: [{ recoveryPointId: '20261122T210000Z-dead', lastModified: '2026-11-22T21:00:07Z', bytes: 5_242_880, reason: 'no manifest' }],
  total: 3, nextToken: '20261122T200459Z-01bc',
};

describe('CLI pages', () => {
  it('list: newest first, incomplete shown as such, within 80 columns', () => {
    const out = renderList(list, plain);
    expect(out).toMatchSnapshot();
    expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('colours statuses only when told the stream is a TTY, never with NO_COLOR', () => {
    const esc = String.fromCharCode(27);
    expect(renderList(list, colorsFor({ isTTY: true }, {}))).toContain(`${esc}[32mCOMPLETED`);
    expect(renderList(list, colorsFor({ isTTY: true }, { NO_COLOR: '1' }))).not.toContain(esc);
    expect(renderList(list, colorsFor({ isTTY: false }, {}))).not.toContain(esc);
  });

  it('describe, verify and diff', () => {
    const describe = renderDescribe({
      action: 'describe-recovery-point', status: 'PARTIAL', recoveryPointId: '20261123T200501Z-7f3a', location: 's3://b/eks/prod/20261123T200501Z-7f3a/',
      cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod', region: 'us-east-1', account: '111122223333', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
      // durationMs is the describe's own run time: the backup's comes from the manifest's times.
      startedAt: '2026-11-23T20:05:01Z', completedAt: '2026-11-23T20:05:05.200Z', durationMs: 58,
      archive: { key: 'k', bytes: 3_456_789, sha256: 'ab'.repeat(32), objects: 12_345 },
      resourceStatuses: { ok: 2, forbidden: 1 },
      resources: [{ name: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', namespaced: true, count: 12_000, status: 'ok' }, { name: 'deployments.apps', kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, count: 345, status: 'ok' }, { name: 'secrets', kind: 'Secret', apiVersion: 'v1', namespaced: true, count: 0, status: 'forbidden', error: 'forbidden' }],
      unreadable: [{ resource: 'secrets', status: 'forbidden', error: 'forbidden' }], warnings: ['metrics.k8s.io/v1beta1: discovery failed: 503'],
      dependencyCounts: { 'iam-role': 2, 'ecr-repository': 1 }, dependencies: [{ type: 'iam-role', id: 'arn:aws:iam::111122223333:role/a' }],
    }, plain);
    const verify = renderVerify({
      action: 'verify-recovery-point', status: 'INVALID', recoveryPointId: '20261123T200501Z-7f3a', objects: 12_344, bytes: 3_456_789,
      expected: { objects: 12_345, bytes: 3_456_789, sha256: 'ab'.repeat(32) }, problems: ['archive holds 12344 objects, the manifest says 12345'], problemCount: 1,
    }, plain);
    const diff = renderDiff({
      action: 'diff-recovery-points', status: 'OK', from: '20261122T200459Z-01bc', to: '20261123T200501Z-7f3a',
      added: [{ resource: 'secrets', namespace: 'shop', name: 'new-key' }], removed: [{ resource: 'namespaces', name: 'old-team' }],
      changed: [{ resource: 'deployments.apps', namespace: 'shop', name: 'web', paths: ['spec.replicas'] }, { resource: 'secrets', namespace: 'shop', name: 'db', paths: ['data.password'] }],
      counts: { added: 1, removed: 1, changed: 2 }, objects: { from: 12_001, to: 12_345 },
      byResource: { secrets: { added: 1, removed: 0, changed: 1 }, namespaces: { added: 0, removed: 1, changed: 0 }, 'deployments.apps': { added: 0, removed: 0, changed: 1 } },
    }, plain);
    expect(`${describe}\n\n${verify}\n\n${diff}`).toMatchSnapshot();
    expect(Math.max(...`${verify}\n${diff}`.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('describe names the KMS key that seals the Secrets, when one does', () => {
    const base = {
      action: 'describe-recovery-point', status: 'COMPLETED', recoveryPointId: '20261123T200501Z-7f3a', location: 's3://b/eks/prod/20261123T200501Z-7f3a/',
      cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod', region: 'us-east-1', account: '111122223333', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
      startedAt: '2026-11-23T20:05:01Z', completedAt: '2026-11-23T20:05:05Z', durationMs: 4200,
      archive: { key: 'k', bytes: 1, sha256: 'ab'.repeat(32), objects: 1 }, resourceStatuses: { ok: 1 },
      resources: [{ name: 'secrets', kind: 'Secret', apiVersion: 'v1', namespaced: true, count: 1, status: 'ok' as const }],
      unreadable: [], warnings: [], dependencyCounts: {},
    };
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(renderDescribe({ ...base, secretsEncryption: { encryption: 'kms-envelope-aes-256-gcm', kmsKeyId: key } }, plain))
      .toContain(`Secrets         values sealed with KMS key ${key}`);
    expect(renderDescribe(base, plain)).not.toContain('Secrets ');
  });
});

describe('formatters and exit codes', () => {
  it('says sizes and durations the way people read them', () => {
    expect([0, 999, 1000, 3_456_789, 999_960, 2e12].map(humanBytes)).toEqual(['0 B', '999 B', '1.0 KB', '3.5 MB', '1.0 MB', '2.0 TB']);
    expect([850, 4200, 185_000, 3_725_000].map(humanDuration)).toEqual(['850ms', '4.2s', '3m05s', '1h02m']);
  });

  it('maps statuses to 0 ok, 1 failed, 2 partial, 3 unknown recovery point, 4 wrong cluster, 64 bad input', () => {
    expect(exitCodeOf({ action: 'backup', status: 'COMPLETED' })).toBe(EXIT.OK);
    expect(exitCodeOf({ action: 'backup', status: 'PARTIAL' })).toBe(2);
    expect(exitCodeOf({ action: 'verify-recovery-point', status: 'INVALID' })).toBe(1);
    expect(exitCodeOf({ action: 'diff-recovery-points', status: 'FAILED', reason: 'not-found' })).toBe(3);
    expect(exitCodeOf({ action: 'describe-recovery-point', status: 'FAILED', reason: 'invalid-input' })).toBe(64);
  });

  it('progress: says types, objects and MB for a backup, MB read for verify; draws nothing off a TTY', () => {
    expect(progressText({ stage: 'backup', typesDone: 12, typesTotal: 57, objects: 1234, bytes: 3_400_000 })).toBe('backup: 12/57 types, 1,234 objects, 3.4 MB');
    expect(progressText({ stage: 'verify', bytes: 12_300_000 })).toBe('verify: 12.3 MB read');
    const writes: string[] = [];
    const stream = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, { isTTY: false, write: (s: string) => writes.push(s) > 0 });
    const line = progressLine(stream);
    line.update({ stage: 'verify', bytes: 1 });
    line.stop();
    expect(writes).toEqual([]);
    line.interject('a log line\n');
    expect(writes).toEqual(['a log line\n']);
  });
});
