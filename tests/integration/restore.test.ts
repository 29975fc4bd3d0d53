import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { prepareForRestore } from '../../lib/restore';
import { parseManifest } from '../../lib/recovery-point';
import { seedRestoreScenario, type RestoreScenario } from '../standin/restoreScenario';
import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { mapRestoreDelegates } from './restoreDelegates';
import { invokeBundle, unique } from './helpers';

// Restores by the bundled handler from the primary cluster's recovery point into the recovery cluster
// (another account and region), both real API servers behind the token webhook, through moto S3.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const prefix = `restore/${unique('run')}/`;
const ns = unique('dr');
const NODE_ROLE_SOURCE = `arn:aws:iam::${primary.conn.account}:role/source-node-role`;
const NODE_ROLE_RECOVERY = `arn:aws:iam::${recovery.conn.account}:role/recovery-node-role`;
let sourceCreds: RoleCredentials;
let recoveryCreds: RoleCredentials;
let scenario: RestoreScenario;

interface RestoreResponse {
  action: string; status: string; dryRun: boolean; reason?: string; error?: string; problems?: string[];
  created: number; updated: number; failed: number; report: string;
  skipped: { exists: number; notRestorable: number; owned: number; excluded: number; needsCrd: number };
  failures: Array<{ resource: string; namespace?: string; name: string; status?: number; error: string }>;
  warnings: string[]; remediation?: Array<{ kind: string; commands: string[] }>;
}
interface ReportRow { resource: string; namespace?: string; name: string; outcome: string; skipped?: string; reason?: string }

const restoreEnv = () => recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix });
function restore(extra: Record<string, unknown> = {}, source: Record<string, unknown> = {}, env = restoreEnv()) {
  return invokeBundle<RestoreResponse>({
    action: 'restore', translate: 'off', includeNamespaces: [ns, 'kube-system'],
    // The backups here are namespace-filtered: `latest` (whole-cluster only) would not pick them (docs/scope.md).
    source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId: 'latest-any', ...source },
    ...extra,
  }, env);
}

async function reportRows(location: string): Promise<Map<string, ReportRow>> {
  const key = location.replace(`s3://${bucket}/`, '');
  const report = JSON.parse((await getObjectBytes(s3, bucket, key)).toString('utf8')) as { objects: ReportRow[] };
  return new Map(report.objects.map((r) => [`${r.resource}/${r.namespace ?? ''}/${r.name}`, r]));
}

async function get(c: StandInClient, collection: string, name: string): Promise<{ status: number; obj: KubeObject }> {
  const res = await c.kube('GET', `${collection}/${encodeURIComponent(name)}`);
  return { status: res.status, obj: res.status === 200 ? res.json<KubeObject>() : ({ metadata: { name } }) };
}

beforeAll(async () => {
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('restore-source'), { source: NODE_ROLE_SOURCE, recovery: NODE_ROLE_RECOVERY }));
  scenario = await seedRestoreScenario(primary, ns);
  const backup = await invokeBundle<{ status: string }>(
    { action: 'backup', includeNamespaces: [ns, 'kube-system'] }, primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix }),
  );
  expect(backup.response.status).toBe('COMPLETED');
}, 120_000);
afterAll(() => s3.destroy());

describe('restore into the recovery cluster', () => {
  it('maps a namespace and honours include filters (before the full restore, whose webhooks watch that label)', async () => {
    const mapped = `${ns}-m`;
    const { response } = await restore({ includeNamespaces: [ns], includeResources: ['namespaces', 'configmaps'], namespaceMapping: { [ns]: mapped } });
    expect(response).toMatchObject({ status: 'COMPLETED', failed: 0, created: 2 });
    expect((await get(recovery, '/api/v1/namespaces', mapped)).status).toBe(200);
    const cm = await get(recovery, `/api/v1/namespaces/${mapped}/configmaps`, 'orders-config');
    expect(cm.obj).toMatchObject({ metadata: { namespace: mapped }, data: { 'topic.arn': expect.any(String) } });
    expect((await recovery.kube('GET', `/apis/apps/v1/namespaces/${mapped}/deployments`)).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await get(recovery, '/api/v1/namespaces', ns)).status).toBe(404);
  });

  it('dry run first: nothing changes, and the report predicts the real run object by object', async () => {
    const before = await recovery.snapshot();
    const dry = (await restore({ dryRun: true })).response;
    expect(await recovery.snapshot()).toEqual(before);
    expect(dry).toMatchObject({ status: 'COMPLETED', dryRun: true, failed: 0 });
    // The custom resources (widgets, gadgets, racks) wait for their CRD, which a dry run does not create.
    const customResources = scenario.seeded.filter((s) => /\.(example\.com)$/.test(s.resource) && !s.resource.startsWith('customresourcedefinitions'));
    expect(customResources.length).toBe(4);
    expect(dry.skipped.needsCrd).toBe(customResources.length);

    const real = (await restore()).response;
    expect(real).toMatchObject({ status: 'COMPLETED', dryRun: false, failed: 0, failures: [] });
    expect(real.created).toBe(dry.created + dry.skipped.needsCrd);
    const dryRows = await reportRows(dry.report);
    const realRows = await reportRows(real.report);
    expect([...dryRows.keys()].sort()).toEqual([...realRows.keys()].sort());
    for (const [key, row] of dryRows) {
      const expected = row.skipped === 'needsCrd' ? 'created' : row.outcome;
      expect(`${key} ${realRows.get(key)?.outcome}`).toBe(`${key} ${expected}`);
    }
  });

  it('every restorable object exists and equals its source but for the fields restore changes', async () => {
    for (const s of scenario.seeded) {
      const source = await get(primary, s.collection, s.name);
      const restored = await get(recovery, s.collection, s.name);
      expect(`${s.resource} ${s.namespace ?? ''}/${s.name}: ${restored.status}`).toBe(`${s.resource} ${s.namespace ?? ''}/${s.name}: 200`);
      expect(prepareForRestore(s.resource, restored.obj)).toEqual(prepareForRestore(s.resource, source.obj));
    }
    // Values that matter, checked directly rather than through the normalisation above.
    const secret = await get(recovery, `/api/v1/namespaces/${ns}/secrets`, 'orders-db');
    expect(secret.obj.data).toEqual((await get(primary, `/api/v1/namespaces/${ns}/secrets`, 'orders-db')).obj.data);
    const widget = await get(recovery, `/apis/example.com/v1/namespaces/${ns}/widgets`, 'blue');
    expect(widget.obj).toMatchObject({ spec: { undeclaredNested: { big: 9007199254740991 } }, topLevelFieldNoSchemaDeclares: { unicode: 'ünïcødé ✓' } });
    const headless = await get(recovery, `/api/v1/namespaces/${ns}/services`, 'headless');
    expect(headless.obj.spec).toMatchObject({ clusterIP: 'None' });
    const nodePort = await get(recovery, `/api/v1/namespaces/${ns}/services`, 'node-port');
    expect(nodePort.obj.spec).toMatchObject({ type: 'NodePort', ports: [expect.objectContaining({ nodePort: expect.any(Number) })] });
    const job = await get(recovery, `/apis/batch/v1/namespaces/${ns}/jobs`, 'migrate');
    const sourceJob = await get(primary, `/apis/batch/v1/namespaces/${ns}/jobs`, 'migrate');
    expect((job.obj.metadata.labels as Record<string, string>)['controller-uid']).not.toBe((sourceJob.obj.metadata.labels as Record<string, string>)['controller-uid']);
    const sa = await get(recovery, `/api/v1/namespaces/${ns}/serviceaccounts`, 'builder');
    expect(sa.obj.secrets).toEqual([{ name: 'registry' }]);
    expect((await get(recovery, `/apis/${scenario.group}/v1/racks`, `${ns}-rack-a`)).obj).toMatchObject({ spec: { slots: 42 } });
  });

  it('never restores owned objects or what the control plane makes', async () => {
    expect(scenario.neverRestored.map((s) => s.resource).sort()).toEqual(['endpoints', 'pods', 'replicasets.apps', 'secrets']);
    for (const s of scenario.neverRestored) {
      expect(`${s.resource} ${s.name}: ${(await get(recovery, s.collection, s.name)).status}`).toBe(`${s.resource} ${s.name}: 404`);
    }
    expect((await get(recovery, '/api/v1/namespaces/default/services', 'kubernetes')).obj.metadata.uid).not.toBe(
      (await get(primary, '/api/v1/namespaces/default/services', 'kubernetes')).obj.metadata.uid);
  });

  it('restores the webhooks last: they exist, and they would have refused the ConfigMaps restored before them', async () => {
    for (const kind of ['validating', 'mutating']) {
      expect((await get(recovery, `/apis/admissionregistration.k8s.io/v1/${kind}webhookconfigurations`, `${ns}-${kind}`)).status).toBe(200);
    }
    const refused = await recovery.kube('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restore' } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body).toMatch(/missing-webhook|webhook/);
  });

  it("merges aws-auth: the recovery cluster's own mappings stay and the source's are added once", async () => {
    const awsAuth = (await get(recovery, '/api/v1/namespaces/kube-system/configmaps', 'aws-auth')).obj;
    const mapRoles = parseYaml((awsAuth.data as { mapRoles: string }).mapRoles) as Array<{ rolearn: string }>;
    const arns = mapRoles.map((r) => r.rolearn);
    expect(arns).toEqual(expect.arrayContaining([recoveryCreds.roleArn, NODE_ROLE_RECOVERY, sourceCreds.roleArn, NODE_ROLE_SOURCE]));
    expect(new Set(arns).size).toBe(arns.length);
  });

  it('a second run with skip creates nothing and fails nothing', async () => {
    const { response } = await restore();
    expect(response).toMatchObject({ status: 'COMPLETED', created: 0, updated: 0, failed: 0 });
    expect(response.skipped.exists).toBeGreaterThan(scenario.seeded.length - 5);
  });

  it('update brings objects changed in the recovery cluster back to the recovery point, and is idempotent', async () => {
    const cmPath = `/api/v1/namespaces/${ns}/configmaps`;
    const cm = (await get(recovery, cmPath, 'orders-config')).obj;
    expect((await recovery.kube('PUT', `${cmPath}/orders-config`, { ...cm, data: { ...(cm.data as object), 'app.properties': 'retries=99\n' } })).status).toBe(200);
    const depPath = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const dep = (await get(recovery, depPath, 'orders')).obj;
    expect((await recovery.kube('PUT', `${depPath}/orders`, { ...dep, spec: { ...(dep.spec as object), replicas: 7 } })).status).toBe(200);

    // Cluster-scoped objects of other test files (PVs restored there with translated, immutable values) are in
    // this recovery point too: the update runs stay with the types this test changes.
    const updateRun = () => restore({ existingResourcePolicy: 'update', includeResources: ['namespaces', 'configmaps', 'deployments.apps'] });
    const first = (await updateRun()).response;
    const updatedRows = [...(await reportRows(first.report)).values()].filter((r) => r.outcome === 'updated');
    expect(updatedRows.map((r) => `${r.resource}/${r.name}`).sort()).toEqual(['configmaps/orders-config', 'deployments.apps/orders']);
    expect(first).toMatchObject({ status: 'COMPLETED', failed: 0, updated: 2, created: 0 });
    expect(((await get(recovery, cmPath, 'orders-config')).obj.data as Record<string, string>)['app.properties']).toBe('retries=3\ntimeout=30s\n');
    expect((await get(recovery, depPath, 'orders')).obj.spec).toMatchObject({ replicas: 2 });
    const second = (await updateRun()).response;
    expect(second).toMatchObject({ status: 'COMPLETED', failed: 0, updated: 0, created: 0 });
  });

  it('answers an unmapped delegate with the grant a restore needs, writing nothing', async () => {
    const stranger = await recovery.issueRoleCredentials(unique('not-mapped'));
    const { response } = await restore({}, {}, recovery.delegateEnv(stranger, { RECOVERY_PREFIX: prefix }));
    expect(response).toMatchObject({ status: 'FAILED', reason: 'unauthorized' });
    const commands = (response.remediation ?? []).flatMap((r) => r.commands).join('\n');
    expect(commands).toContain('--group system:masters');
    expect(commands).toContain('AmazonEKSClusterAdminPolicy');
  });
});

describe('a custom resource whose CRD is in neither the recovery point nor the recovery cluster', () => {
  it('is reported as failed, the rest is restored, and the restore is PARTIAL', async () => {
    const orphanNs = unique('orphan');
    const group = `${orphanNs}.orphans.example.com`;
    await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: orphanNs } });
    await primary.apply('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `strays.${group}` },
      spec: { group, scope: 'Namespaced', names: { plural: 'strays', singular: 'stray', kind: 'Stray', listKind: 'StrayList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    });
    for (let i = 0; i < 50; i++) {
      const put = await primary.kube('POST', `/apis/${group}/v1/namespaces/${orphanNs}/strays`, { apiVersion: `${group}/v1`, kind: 'Stray', metadata: { name: 'lost' } });
      if (put.status === 201) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await primary.apply(`/api/v1/namespaces/${orphanNs}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', namespace: orphanNs }, data: { a: '1' } });
    const orphanPrefix = `${prefix}orphan/`;
    const backup = await invokeBundle<{ status: string }>({
      action: 'backup', includeNamespaces: [orphanNs],
      excludeResources: ['customresourcedefinitions.apiextensions.k8s.io', 'events', 'events.events.k8s.io'],
    }, primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: orphanPrefix }));
    expect(backup.response.status).toBe('COMPLETED');

    const { response } = await invokeBundle<RestoreResponse>({
      action: 'restore', translate: 'off', includeNamespaces: [orphanNs], excludeResources: ['persistentvolumes', 'storageclasses.storage.k8s.io'],
      source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId: 'latest-any' },
    }, recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: orphanPrefix }));
    expect(response.status).toBe('PARTIAL');
    expect(response.failures).toEqual([expect.objectContaining({ resource: `strays.${group}`, namespace: orphanNs, name: 'lost', status: 404 })]);
    expect((await get(recovery, `/api/v1/namespaces/${orphanNs}/configmaps`, 'kept')).status).toBe(200);
  });
});

describe('bad recovery points are refused before anything is written', () => {
  const cluster = 'badrp';
  const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bad-ns' }, data: { k: 'v' } });
  const good: Array<[string, string]> = [['resources/configmaps/namespaces/bad-ns/a.json', cm('a')]];
  type Edit = (m: { formatVersion: string; archive: { sha256: string; objects: number }; resources: Array<{ count: number }> }) => void;

  async function tarGz(entries: Array<[string, string]>): Promise<Buffer> {
    const pack = tarPack();
    pack.entry({ name: 'metadata/version' }, '1.1.0\n');
    for (const [name, body] of entries) pack.entry({ name }, body);
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    return gzipSync(Buffer.concat(chunks));
  }

  /** A recovery point that is right in every way but the one `edit` (or the entries) breaks. */
  async function putRecoveryPoint(id: string, entries: Array<[string, string]>, edit: Edit | 'no-manifest'): Promise<void> {
    const folder = `${prefix}${cluster}/${id}/`;
    const archive = await tarGz(entries);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}resources.tar.gz`, Body: archive }));
    if (edit === 'no-manifest') return;
    const manifest = {
      formatVersion: '1.0.0', recoveryPointId: id,
      cluster: { name: cluster, arn: `arn:aws:eks:us-east-1:${primary.conn.account}:cluster/${cluster}`, region: 'us-east-1', account: primary.conn.account, kubernetesVersion: '1.20', platformVersion: 'eks.1', authenticationMode: 'API_AND_CONFIG_MAP' },
      startedAt: '2026-11-30T00:00:00Z', completedAt: '2026-11-30T00:00:01Z', status: 'COMPLETED',
      archive: { key: `${folder}resources.tar.gz`, bytes: archive.length, sha256: createHash('sha256').update(archive).digest('hex'), objects: entries.length },
      resources: [{ name: 'configmaps', group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, count: entries.length, status: 'ok' }],
      warnings: [], awsDependencies: [],
    };
    edit(manifest);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}manifest.json`, Body: JSON.stringify(manifest) }));
  }

  const none: Edit = () => undefined;
  const cases: Array<[string, string, Array<[string, string]>, Edit | 'no-manifest', RegExp]> = [
    ['no manifest (an incomplete recovery point)', 'no-manifest', good, 'no-manifest', /incomplete/],
    ['an archive whose SHA-256 differs from the manifest', 'bad-sha', good, (m) => { m.archive.sha256 = '0'.repeat(64); }, /SHA-256/],
    ['an object count that differs from the manifest', 'bad-count', good, (m) => { m.archive.objects = 2; }, /holds 1 objects, the manifest says 2/],
    ['a manifest format this delegate does not know', 'bad-format', good, (m) => { m.formatVersion = '9.0.0'; }, /formatVersion 9\.0\.0/],
    ["an entry with '..' in its path", 'dot-dot', [['resources/configmaps/namespaces/bad-ns/../../../../etc/evil.json', cm('a')]], none, /'\.\.'/],
    ['an entry outside resources/', 'outside', [['elsewhere/a.json', cm('a')]], (m) => { m.archive.objects = 0; m.resources[0]!.count = 0; }, /outside resources\//],
    ['an entry that is not one JSON object', 'not-object', [['resources/configmaps/namespaces/bad-ns/a.json', '[1,2]']], none, /not one JSON object/],
    ['an entry whose name differs from its path', 'wrong-name', [['resources/configmaps/namespaces/bad-ns/a.json', cm('b')]], none, /named "b", its path says "a"/],
  ];

  it.each(cases)('%s: FAILED with the problem named, zero writes', async (_what, id, entries, edit, problem) => {
    await putRecoveryPoint(id, entries, edit);
    const before = await recovery.snapshot();
    const { response } = await restore({ includeNamespaces: [] }, { clusterName: cluster, recoveryPointId: id });
    expect(response).toMatchObject({ status: 'FAILED', reason: 'invalid-input' });
    expect(response.error).toMatch(problem);
    expect(await recovery.snapshot()).toEqual(before);
  });
});

describe('the restore report', () => {
  it('is valid JSON with one row per object of the recovery point', async () => {
    const { response } = await restore({ dryRun: true });
    const key = response.report.replace(`s3://${bucket}/`, '');
    const report = JSON.parse((await getObjectBytes(s3, bucket, key)).toString('utf8')) as { objects: ReportRow[]; recoveryPointId: string };
    const manifestKey = key.replace(/restores\/[^/]+$/, 'manifest.json');
    const manifest = parseManifest(await getObjectBytes(s3, bucket, manifestKey));
    expect(report.recoveryPointId).toBe(manifest.recoveryPointId);
    expect(report.objects).toHaveLength(manifest.archive.objects);
  });
});
