import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseManifest } from '../../lib/recovery-point';
import { FaultProxy } from '../standin/FaultProxy';
import type { AwsDependency } from '../../lib/dependencies';
import {
  SAMPLE_ACCOUNT, SAMPLE_CERT_ARN, SAMPLE_EBS_VOLUME, SAMPLE_IRSA_ROLE, SAMPLE_KMS_KEY, SAMPLE_TOPIC_ARN, seedSampleApp, type SeededObject,
} from '../standin/sampleApp';
import { cronJobsGroupVersion, servesIngressesInExtensions } from '../standin/kubeVersion';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes, readArchive } from './archive';
import { invokeBundle, REPO_ROOT, unique } from './helpers';
import { brokenAggregatedApi } from './serverBehaviour';

// Backups by the bundled handler against the real API server (through the token webhook) and moto S3.
const standIn = StandInClient.fromEnv();
const s3 = standIn.s3();
const bucket = standIn.conn.bucket;
let masters: RoleCredentials;
let viewer: RoleCredentials;
let seeded: SeededObject[];
const ns = unique('shop');
const manyNs = unique('many');
const PAGE_SIZE = 10;
const POD_IDENTITY_ROLE = `arn:aws:iam::${SAMPLE_ACCOUNT}:role/shop-orders-pod-identity`;
const POD_IDENTITY_TARGET_ROLE = 'arn:aws:iam::210987654321:role/shop-orders-cross-account';
const MANY = 35;

interface BackupResponse {
  action: string; status: string; clusterName: string; recoveryPointId: string; location: string;
  objects: number; resources: number; bytes: number; warnings: string[]; reason?: string; error?: string;
  unreadable: Array<{ resource: string; reason: string }>;
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const keyOf = (location: string, file: string) => `${location.replace(`s3://${bucket}/`, '')}${file}`;

beforeAll(async () => {
  masters = await standIn.issueRoleCredentials(unique('backup-masters'));
  viewer = await standIn.issueRoleCredentials(unique('backup-viewer'));
  await standIn.setAwsAuth([
    { rolearn: masters.roleArn, username: 'delegate', groups: ['system:masters'] },
    { rolearn: viewer.roleArn, username: 'viewer', groups: ['eks-standin:view'] },
  ]);
  seeded = await seedSampleApp(standIn, ns);
  await standIn.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: manyNs } });
  await Promise.all(Array.from({ length: MANY }, (_, i) => standIn.apply(`/api/v1/namespaces/${manyNs}/configmaps`, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(3, '0')}`, namespace: manyNs }, data: { i: String(i) },
  })));
});

afterAll(async () => {
  await standIn.setAwsAuth([]);
  await standIn.setPodIdentityAssociations([]);
  s3.destroy();
});

describe('a backup as system:masters', () => {
  let response: BackupResponse;
  let entries: Awaited<ReturnType<typeof readArchive>>;
  let archiveBytes: Buffer;

  beforeAll(async () => {
    await standIn.setPodIdentityAssociations([{
      associationId: 'a-0123456789abcdef0', namespace: ns, serviceAccount: 'orders',
      roleArn: POD_IDENTITY_ROLE, targetRoleArn: POD_IDENTITY_TARGET_ROLE,
    }]);
    const out = await invokeBundle<BackupResponse>(join(REPO_ROOT, 'events', 'backup.json'), standIn.delegateEnv(masters, {
      KUBE_PAGE_SIZE: String(PAGE_SIZE), RECOVERY_PREFIX: 'eks/',
    }));
    response = out.response;
    if (response.status !== 'COMPLETED') throw new Error(`backup ${response.status}: ${JSON.stringify(response)}\n${out.stderr}`);
    archiveBytes = await getObjectBytes(s3, bucket, keyOf(response.location, 'resources.tar.gz'));
    entries = await readArchive(archiveBytes);
  });

  it('answers COMPLETED with the location under the prefix and counts that match the archive', () => {
    expect(response).toMatchObject({ action: 'backup', status: 'COMPLETED', clusterName: standIn.conn.clusterName, unreadable: [] });
    expect(response.location).toBe(`s3://${bucket}/eks/${standIn.conn.clusterName}/${response.recoveryPointId}/`);
    expect(response.objects).toBe(entries.filter((e) => e.kind === 'object').length);
    expect(response.bytes).toBe(archiveBytes.length);
  });

  it('holds every seeded object exactly once, deep-equal to what the API server serves', async () => {
    expect(entries[0]).toMatchObject({ kind: 'metadata-version', path: 'metadata/version' });
    expect(entries[0]!.body.toString()).toBe('1.1.0\n'); // as Velero writes it
    for (const obj of seeded) {
      const path = obj.namespace
        ? `resources/${obj.resource}/namespaces/${obj.namespace}/${obj.name}.json`
        : `resources/${obj.resource}/cluster/${obj.name}.json`;
      const matches = entries.filter((e) => e.path === path);
      expect({ path, copies: matches.length }).toEqual({ path, copies: 1 });
      const served = await standIn.kube('GET', `${obj.collection}/${obj.name}`);
      expect(JSON.parse(matches[0]!.body.toString())).toEqual(served.json());
    }
  });

  it('keeps fields no schema declares on custom resources', () => {
    const widget = entries.find((e) => e.path === `resources/widgets.example.com/namespaces/${ns}/blue.json`);
    const obj = JSON.parse(widget!.body.toString()) as Record<string, unknown>;
    expect(obj.topLevelFieldNoSchemaDeclares).toEqual({ note: 'must survive the backup byte-for-byte', unicode: 'ünïcødé ✓' });
    expect(obj).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { undeclaredNested: { deep: [1, 'two', { three: true }] } } });
  });

  it('backs up cronjobs at the version the server prefers (batch/v1beta1 on 1.20, batch/v1 from 1.21)', async () => {
    const version = await standIn.serverVersion();
    const cron = entries.find((e) => e.path === `resources/cronjobs.batch/namespaces/${ns}/nightly-report.json`);
    expect(JSON.parse(cron!.body.toString())).toMatchObject({ apiVersion: cronJobsGroupVersion(version), kind: 'CronJob' });
  });

  it('backs up each type once, though ingresses are served by two groups before 1.22', async () => {
    const version = await standIn.serverVersion();
    const extensions = await standIn.kube('GET', '/apis/extensions/v1beta1');
    const ingressesInExtensions = extensions.status === 200 && extensions.json<{ resources: Array<{ name: string }> }>().resources.some((r) => r.name === 'ingresses');
    // The server really serves the second copy where the rule says so: the dedup below is exercised on 1.20.
    expect(ingressesInExtensions).toBe(servesIngressesInExtensions(version));
    const paths = entries.map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toContain(`resources/ingresses.networking.k8s.io/namespaces/${ns}/shop.json`);
    expect(paths.some((p) => p.startsWith('resources/ingresses.extensions/'))).toBe(false);
    expect(paths.some((p) => p.startsWith('resources/events/') || p.startsWith('resources/events.events.k8s.io/'))).toBe(false);
  });

  it(`pages through a type spanning ${Math.ceil(MANY / PAGE_SIZE)} pages of ${PAGE_SIZE} with continue tokens`, () => {
    const names = entries.filter((e) => e.kind === 'object' && e.resourceName === 'configmaps' && e.namespace === manyNs)
      .map((e) => (e.kind === 'object' ? e.name : ''));
    expect(names.sort()).toEqual(Array.from({ length: MANY }, (_, i) => `cm-${String(i).padStart(3, '0')}`));
  });

  it('writes a manifest whose counts match `tar -tzf` of the downloaded archive', async () => {
    const manifest = parseManifest(await getObjectBytes(s3, bucket, keyOf(response.location, 'manifest.json')));
    const dir = mkdtempSync(join(tmpdir(), 'rp-'));
    writeFileSync(join(dir, 'resources.tar.gz'), archiveBytes);
    const listed = execFileSync('tar', ['-tzf', join(dir, 'resources.tar.gz')], { encoding: 'utf8' }).trim().split('\n');
    const objectFiles = listed.filter((p) => p.startsWith('resources/') && p.endsWith('.json'));
    expect(manifest.archive.objects).toBe(objectFiles.length);
    expect(manifest.resources.filter((r) => r.status === 'ok').reduce((n, r) => n + r.count, 0)).toBe(objectFiles.length);
    expect(listed).toContain('metadata/version');
    expect(manifest).toMatchObject({ recoveryPointId: response.recoveryPointId, status: 'COMPLETED', cluster: { name: standIn.conn.clusterName, kubernetesVersion: standIn.conn.kubernetesVersion } });
    const sha = execFileSync('sha256sum', [join(dir, 'resources.tar.gz')], { encoding: 'utf8' }).split(' ')[0];
    expect(manifest.archive.sha256).toBe(sha);
    expect(manifest.resources.find((r) => r.name === 'events')).toMatchObject({ status: 'excluded' });
  });

  it('lists the AWS resources the sample application depends on, with the objects that reference them', async () => {
    const manifest = parseManifest(await getObjectBytes(s3, bucket, keyOf(response.location, 'manifest.json')));
    const deps = manifest.awsDependencies as AwsDependency[];
    const byId = (id: string) => deps.find((d) => d.id === id);
    expect(byId(`arn:aws:ecr:us-east-1:${SAMPLE_ACCOUNT}:repository/shop/orders`)).toMatchObject({
      type: 'ecr-repository', account: SAMPLE_ACCOUNT, region: 'us-east-1',
      references: expect.arrayContaining([expect.objectContaining({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'orders', path: 'spec.template.spec.containers[0].image' })]),
    });
    expect(byId(`arn:aws:ecr:us-east-1:${SAMPLE_ACCOUNT}:repository/shop/migrations`)?.references).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'Deployment', path: 'spec.template.spec.initContainers[0].image' })]));
    expect(byId(`arn:aws:ecr:us-east-1:${SAMPLE_ACCOUNT}:repository/shop/report`)?.references).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'CronJob', name: 'nightly-report' })]));
    // Other test files seed the sample app (same role) in namespaces of their own: look at this one's.
    expect(byId(SAMPLE_IRSA_ROLE)).toMatchObject({ type: 'iam-role' });
    expect(byId(SAMPLE_IRSA_ROLE)?.references.filter((r) => r.namespace === ns)).toEqual([expect.objectContaining({ kind: 'ServiceAccount', name: 'orders' })]);
    expect(byId(POD_IDENTITY_ROLE)).toMatchObject({ type: 'iam-role' });
    expect(byId(POD_IDENTITY_TARGET_ROLE)).toMatchObject({ type: 'iam-role', crossAccount: true });
    expect(byId(masters.roleArn)).toMatchObject({ type: 'iam-role', references: [expect.objectContaining({ kind: 'ConfigMap', name: 'aws-auth' })] });
    expect(byId(SAMPLE_CERT_ARN)).toMatchObject({ type: 'acm-certificate' });
    expect(byId(SAMPLE_CERT_ARN)?.references.filter((r) => r.namespace === ns)).toEqual([expect.objectContaining({ kind: 'Ingress', name: 'shop' })]);
    expect(byId(SAMPLE_TOPIC_ARN)?.references).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'ConfigMap', name: 'orders-config', path: 'data["topic.arn"]' })]));
    expect(byId(SAMPLE_EBS_VOLUME)).toMatchObject({ type: 'ebs-volume' });
    expect(byId(SAMPLE_KMS_KEY)).toMatchObject({ type: 'kms-key' });
    expect(byId('public.ecr.aws/nginx/nginx')).toMatchObject({ type: 'external-image' });
    expect(deps.filter((d) => d.type === 'ecr-repository').every((d) => d.id.startsWith('arn:aws:ecr:'))).toBe(true);
    expect((response as unknown as { awsDependencies: Record<string, number> }).awsDependencies).toMatchObject({ 'ecr-repository': expect.any(Number), 'iam-role': expect.any(Number) });
  });

  it('never overwrites a completed recovery point with the same id', async () => {
    const again = await invokeBundle<BackupResponse>({ action: 'backup', recoveryPointId: response.recoveryPointId, prefix: 'eks/' }, standIn.delegateEnv(masters));
    expect(again.response.status).toBe('FAILED');
    expect(again.response.error).toMatch(/already exists/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(response.location, 'resources.tar.gz') }));
    expect(head.ContentLength).toBe(archiveBytes.length);
  });
});

describe('partial and failed backups', () => {
  it('gives a warning, not a failure, for an aggregated API whose service does not exist', async () => {
    await standIn.apply('/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' },
      spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100,
        insecureSkipTLSVerify: true, service: { name: 'metrics-server', namespace: 'kube-system' } },
    });
    try {
      // The aggregator answers 404 until its proxy for the group is registered, then 503 (service missing).
      await waitUntil(async () => (await standIn.kube('GET', '/apis/metrics.k8s.io/v1beta1')).status === 503);
      const { response } = await invokeBundle<BackupResponse>({ action: 'backup', includeNamespaces: [ns] }, standIn.delegateEnv(masters));
      expect(response.status).toBe('COMPLETED');
      // 503 from the group version document on 1.20; Stale in the aggregated document on 1.27+.
      expect(response.warnings).toEqual(expect.arrayContaining([brokenAggregatedApi(await standIn.serverVersion()).warning]));
    } finally {
      await standIn.delete('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io');
    }
  });

  it('is PARTIAL for a role mapped to the view group, with secrets listed as forbidden', async () => {
    const { response } = await invokeBundle<BackupResponse>({ action: 'backup', includeNamespaces: [ns] }, standIn.delegateEnv(viewer));
    expect({ status: response.status, error: response.error }).toEqual({ status: 'PARTIAL', error: undefined });
    expect(response.unreadable).toEqual(expect.arrayContaining([expect.objectContaining({ resource: 'secrets', reason: 'forbidden' })]));
    expect(response.objects).toBeGreaterThan(0);
    const manifest = parseManifest(await getObjectBytes(s3, bucket, keyOf(response.location, 'manifest.json')));
    expect(manifest.status).toBe('PARTIAL');
    expect(manifest.resources.find((r) => r.name === 'secrets')).toMatchObject({ status: 'forbidden' });
    expect(manifest.resources.find((r) => r.name === 'configmaps')).toMatchObject({ status: 'ok' });
  });

  it('leaves no multipart upload and no manifest when S3 fails in the middle of the upload', async () => {
    const bigNs = unique('big');
    await standIn.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: bigNs } });
    // Random data barely compresses: ~9 MB of it makes a multipart upload of two parts.
    await Promise.all(Array.from({ length: 10 }, (_, i) => standIn.apply(`/api/v1/namespaces/${bigNs}/configmaps`, {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `blob-${i}`, namespace: bigNs }, data: { blob: randomBytes(660_000).toString('base64') },
    })));
    const proxy = new FaultProxy({
      target: standIn.conn.motoUrl,
      // Part 2 is refused: not retryable, so the upload fails there.
      rule: (req) => (req.method === 'PUT' && /[?&]partNumber=2(&|$)/.test(req.url ?? '')
        ? { kind: 'respond', status: 403, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>AccessDenied</Code><Message>injected</Message></Error>' }
        : undefined),
    });
    const proxyUrl = await proxy.listen();
    try {
      const { response } = await invokeBundle<BackupResponse>({ action: 'backup', includeNamespaces: [bigNs] },
        standIn.delegateEnv(masters, { AWS_ENDPOINT_URL_S3: proxyUrl }));
      expect({ status: response.status, reason: response.reason, error: response.error }).toEqual({ status: 'FAILED', reason: 'storage', error: expect.stringMatching(/AccessDenied|injected/) });
      expect(proxy.log.some((l) => /partNumber=1/.test(l.url))).toBe(true);
      expect(proxy.log.some((l) => l.method === 'DELETE' && /uploadId=/.test(l.url))).toBe(true);
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect(uploads.Uploads ?? []).toEqual([]);
      const folder = keyOf(response.location, '');
      const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder }));
      expect((left.Contents ?? []).map((o) => o.Key)).toEqual([]);
    } finally {
      await proxy.close();
      await standIn.delete(`/api/v1/namespaces/${bigNs}/configmaps`);
    }
  });
});
