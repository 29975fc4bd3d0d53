import { colorsFor, humanBytes, humanDuration } from '../../../handlers/cli/format';
import { progressLine, progressText } from '../../../handlers/cli/progress';
import type { DescribeRecoveryPointResponse, ListRecoveryPointsResponse, RestoreResponse } from '../../../handlers/actions';
import { EXIT, exitCodeOf } from '../../../handlers/cli/exitCodes';
import { renderDescribe, renderDiff, renderList, renderRestore, renderResumeGitops, renderVerify, type RestorePageResponse } from '../../../handlers/cli/render';

// Fixed responses, so the tables are snapshots with stable columns.
const plain = colorsFor({ isTTY: false });
const WHOLE = { wholeCluster: true, recorded: true, filters: { excludeResources: ['events', 'events.events.k8s.io'] } };
const ONE_NAMESPACE = { wholeCluster: false, recorded: true, filters: { includeNamespaces: ['shop'], excludeResources: ['events', 'events.events.k8s.io'] } };
const row = (id: string, status: 'COMPLETED' | 'PARTIAL', objects: number, bytes: number, deps: number, scope = WHOLE) => ({
  recoveryPointId: id, status, startedAt: `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`,
  completedAt: '', durationMs: 4200, objects, bytes, resources: 57, unreadable: 0, dependencies: deps, scope,
});
const list: ListRecoveryPointsResponse = {
  action: 'list-recovery-points', status: 'OK', clusterName: 'prod', location: 's3://b/eks/prod/', durationMs: 31,
  recoveryPoints: [row('20261123T200501Z-7f3a', 'COMPLETED', 212, 56_789, 12, ONE_NAMESPACE), row('20261122T200459Z-01bc', 'PARTIAL', 12_001, 3_400_001, 11)],
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
      action: 'describe-recovery-point', status: 'PARTIAL', clusterName: 'prod', recoveryPointId: '20261123T200501Z-7f3a', location: 's3://b/eks/prod/20261123T200501Z-7f3a/',
      formatVersion: '1.2.0', seekable: true,
      cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod', region: 'us-east-1', account: '111122223333', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
      startedAt: '2026-11-23T20:05:01Z', completedAt: '2026-11-23T20:05:05Z', backupDurationMs: 4200, durationMs: 58, scope: WHOLE,
      archive: { key: 'k', bytes: 3_456_789, sha256: 'ab'.repeat(32), objects: 12_345 },
      resourceStatuses: { ok: 2, forbidden: 1 },
      resources: [{ name: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', namespaced: true, count: 12_000, status: 'ok' }, { name: 'deployments.apps', kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, count: 345, status: 'ok' }, { name: 'secrets', kind: 'Secret', apiVersion: 'v1', namespaced: true, count: 0, status: 'forbidden', error: 'forbidden' }],
      unreadable: [{ resource: 'secrets', status: 'forbidden', error: 'forbidden' }], warnings: ['metrics.k8s.io/v1beta1: discovery failed: 503'],
      dependencyCounts: { 'iam-role': 2, 'ecr-repository': 1 }, dependencies: [{ type: 'iam-role', id: 'arn:aws:iam::111122223333:role/a' }],
    }, plain);
    const verify = renderVerify({
      action: 'verify-recovery-point', status: 'INVALID', clusterName: 'prod', durationMs: 900, recoveryPointId: '20261123T200501Z-7f3a', objects: 12_344, bytes: 3_456_789,
      expected: { objects: 12_345, bytes: 3_456_789, sha256: 'ab'.repeat(32) }, problems: ['archive holds 12344 objects, the manifest says 12345'], problemCount: 1,
    }, plain);
    const diff = renderDiff({
      action: 'diff-recovery-points', status: 'OK', clusterName: 'prod', durationMs: 900, ignoredFields: ['metadata.resourceVersion'], from: '20261122T200459Z-01bc', to: '20261123T200501Z-7f3a',
      added: [{ resource: 'secrets', namespace: 'shop', name: 'new-key' }], removed: [{ resource: 'namespaces', name: 'old-team' }],
      changed: [{ resource: 'deployments.apps', namespace: 'shop', name: 'web', paths: ['spec.replicas'] }, { resource: 'secrets', namespace: 'shop', name: 'db', paths: ['data.password'] }],
      counts: { added: 1, removed: 1, changed: 2 }, objects: { from: 12_001, to: 12_345 },
      byResource: { secrets: { added: 1, removed: 0, changed: 1 }, namespaces: { added: 0, removed: 1, changed: 0 }, 'deployments.apps': { added: 0, removed: 0, changed: 1 } },
    }, plain);
    expect(`${describe}\n\n${verify}\n\n${diff}`).toMatchSnapshot();
    expect(Math.max(...`${verify}\n${diff}`.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it("describe shows how long the backup took, not how long describe itself took", () => {
    const d: DescribeRecoveryPointResponse = { action: 'describe-recovery-point', status: 'COMPLETED', clusterName: 'prod', recoveryPointId: 'r', location: 's3://b/r/',
      formatVersion: '1.2.0', seekable: true,
      cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod', region: 'us-east-1', account: '111122223333', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
      startedAt: '2026-11-23T20:05:01Z', completedAt: '2026-11-23T20:05:01.215Z', backupDurationMs: 215, durationMs: 58, scope: WHOLE,
      archive: { key: 'k', bytes: 1, sha256: 'ab'.repeat(32), objects: 1 }, resourceStatuses: { ok: 1 }, resources: [], unreadable: [], warnings: [], dependencyCounts: {} };
    expect(renderDescribe(d, plain)).toContain('took 215ms');
    expect(renderDescribe(d, plain)).not.toContain('took 58ms');
  });

  it('describe names the KMS key that seals the Secrets, when one does', () => {
    const base: DescribeRecoveryPointResponse = {
      action: 'describe-recovery-point', status: 'COMPLETED', clusterName: 'prod', recoveryPointId: '20261123T200501Z-7f3a', location: 's3://b/eks/prod/20261123T200501Z-7f3a/',
      formatVersion: '1.2.0', seekable: true,
      cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod', region: 'us-east-1', account: '111122223333', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
      startedAt: '2026-11-23T20:05:01Z', completedAt: '2026-11-23T20:05:05Z', backupDurationMs: 4200, durationMs: 58, scope: WHOLE,
      archive: { key: 'k', bytes: 1, sha256: 'ab'.repeat(32), objects: 1 }, resourceStatuses: { ok: 1 },
      resources: [{ name: 'secrets', kind: 'Secret', apiVersion: 'v1', namespaced: true, count: 1, status: 'ok' as const }],
      unreadable: [], warnings: [], dependencyCounts: {},
    };
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(renderDescribe({ ...base, secretsEncryption: { encryption: 'kms-envelope-aes-256-gcm', kmsKeyId: key } }, plain))
      .toContain(`Secrets         values sealed with KMS key ${key}`);
    expect(renderDescribe(base, plain)).not.toContain('Secrets ');
  });

  it('describe says a filtered recovery point is never "latest" and names its filters; an old manifest\'s scope is marked inferred', () => {
    const base: Omit<DescribeRecoveryPointResponse, 'scope'> = {
      action: 'describe-recovery-point', status: 'COMPLETED', clusterName: 'prod', recoveryPointId: '20261123T200501Z-7f3a', location: 's3://b/eks/prod/20261123T200501Z-7f3a/',
      formatVersion: '1.2.0', seekable: true, backupDurationMs: 4200,
      cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod', region: 'us-east-1', account: '111122223333', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
      startedAt: '2026-11-23T20:05:01Z', completedAt: '2026-11-23T20:05:05Z', durationMs: 4200,
      archive: { key: 'k', bytes: 1, sha256: 'ab'.repeat(32), objects: 1 }, resourceStatuses: { ok: 1 },
      resources: [], unreadable: [], warnings: [], dependencyCounts: {},
    };
    const filtered = renderDescribe({ ...base, scope: { ...ONE_NAMESPACE, filters: { ...ONE_NAMESPACE.filters, includeResources: ['deployments.apps', 'configmaps'] } } }, plain);
    expect(filtered).toContain('Scope           filtered: never "latest" (use latest-any or its id)\n                namespaces: shop\n                resources: deployments.apps, configmaps\n                not resources: events, events.events.k8s.io');
    expect(renderDescribe({ ...base, scope: { wholeCluster: true, recorded: false, filters: {} } }, plain))
      .toContain('Scope           whole cluster; inferred, the manifest predates recorded filters');
  });
});

describe('restore and resume-gitops pages', () => {
  const restore: RestoreResponse = {
    action: 'restore', status: 'COMPLETED', mode: 'sync', dryRun: true, clusterName: 'prod-dr', restoreId: 'r1', report: 's3://b/r1.json', durationMs: 900,
    source: { location: 's3://b/eks/prod/x/', recoveryPointId: 'x', clusterName: 'prod' },
    created: 3, updated: 0, failed: 0, skipped: { exists: 0, notRestorable: 0, owned: 0, excluded: 0, needsCrd: 0 }, failures: [],
    translations: { arns: 0, images: 0, identifiers: 0, regions: 0, zones: 0, clusterNames: 0 }, untranslatedReferences: [], warnings: [],
    gitops: { mode: 'pause', paused: 1, objects: [{ resource: 'applications.argoproj.io', namespace: 'argocd', name: 'shop', held: ['spec.syncPolicy.automated'] }] },
    webhooksWithoutEndpoints: [
      { kind: 'ValidatingWebhookConfiguration', configuration: 'lb', webhook: 'vingress.elbv2.k8s.aws', service: 'kube-system/lb-webhook', failurePolicy: 'Fail', refuses: 'CREATE,UPDATE of ingresses.networking.k8s.io', problem: 'no-ready-endpoints' },
      { kind: 'MutatingWebhookConfiguration', configuration: 'side', webhook: 'inject.example.com', url: 'https://h.example.com/m', failurePolicy: 'Ignore', skippedFor: 'CREATE of pods', problem: 'url-not-checked' },
    ],
  };
  it('restore names what it would hold and the webhooks that will not answer, with what they refuse', () => {
    const out = renderRestore(restore, plain);
    expect(out).toContain('GitOps would be paused: 1 applier(s) (eks-delegate resume-gitops releases them)\n  applications.argoproj.io argocd/shop  held: spec.syncPolicy.automated');
    expect(out).toContain('  ValidatingWebhookConfiguration lb/vingress.elbv2.k8s.aws (failurePolicy Fail): kube-system/lb-webhook no-ready-endpoints; refuses CREATE,UPDATE of ingresses.networking.k8s.io');
    expect(out).toContain('  MutatingWebhookConfiguration side/inject.example.com (failurePolicy Ignore): called at https://h.example.com/m: cannot be checked');
    // Without them (gitops off, every webhook answering), the page is as it was.
    expect(renderRestore({ ...restore, gitops: undefined, webhooksWithoutEndpoints: [] }, plain)).not.toMatch(/GitOps|webhook/);
  });
  it('resume-gitops lists what it put back and what it could not', () => {
    expect(renderResumeGitops({
      action: 'resume-gitops', status: 'PARTIAL', dryRun: false, clusterName: 'prod-dr', durationMs: 900, resumed: 1, failed: 1, warnings: [],
      objects: [{ resource: 'kustomizations.kustomize.toolkit.fluxcd.io', namespace: 'flux-system', name: 'apps', restored: ['spec.suspend'] }],
      failures: [{ resource: 'applications.argoproj.io', namespace: 'argocd', name: 'x', error: 'HTTP 422' }],
    }, plain)).toBe([
      'PARTIAL: 1 GitOps applier(s) resumed in prod-dr',
      '  kustomizations.kustomize.toolkit.fluxcd.io flux-system/apps  put back: spec.suspend',
      'Failed (1):',
      '  applications.argoproj.io argocd/x: HTTP 422',
    ].join('\n'));
  });
});

describe('restore page', () => {
  // As an older delegate answered too: without the newer counts, nor the webhook check.
  const response = (translations: RestorePageResponse['translations']): RestorePageResponse => ({
    action: 'restore', status: 'COMPLETED', dryRun: false, durationMs: 900, clusterName: 'prod-dr', restoreId: 'r', source: { location: 's3://b/', recoveryPointId: 'p', clusterName: 'prod' },
    created: 3, updated: 0, failed: 0, skipped: { exists: 0, notRestorable: 0, owned: 0, excluded: 0, needsCrd: 0 }, failures: [], warnings: [],
    translations, untranslatedReferences: [{ type: 'region', id: 'us-east-1', objects: ['ConfigMap/shop/orders-config'] }],
  });

  it('counts region, zone and cluster-name rewrites when there were any, and lists what is left', () => {
    const out = renderRestore(response({ arns: 1, images: 0, identifiers: 2, regions: 3, zones: 0, clusterNames: 1 }), colorsFor({ isTTY: false }));
    expect(out).toContain('Translated: 1 ARN(s), 0 image(s), 2 identifier(s), 3 region(s), 1 cluster name(s).');
    expect(out).toContain('  region us-east-1  (ConfigMap/shop/orders-config)');
  });

  it('reads a response without the newer counts', () => {
    expect(renderRestore(response({ arns: 0, images: 0, identifiers: 0 }), colorsFor({ isTTY: false }))).toContain('Translated: 0 ARN(s), 0 image(s), 0 identifier(s).');
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
