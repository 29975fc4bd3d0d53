import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { createKmsKey } from './kms';
import { CLI, invokeBundle, REPO_ROOT, run, unique } from './helpers';
import { RecoveryAccountResources, startAccessDeniedEndpoint } from '../standin/recoveryAccount';
import { mapRestoreDelegates } from './restoreDelegates';

// Readiness by the bundled handler, in the recovery account and region, against recovery points of the
// primary cluster: its AWS dependencies looked up in moto as the recovery delegate, its dry run sent to the
// real recovery cluster. Each scenario has a recovery point of its own (its own prefix).
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const ns = unique('ready');
const group = `${ns}.readiness.example.com`;
const roleName = `${ns}-api`;
const repository = `shop/${ns}`;
const SOURCE_CERT = `arn:aws:acm:${primary.conn.region}:${primary.conn.account}:certificate/0f1e2d3c-4b5a-6978-8a9b-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
/** A volume no object uses, mapped in identifierMap: readiness looks the replacement up all the same. */
const SOURCE_VOLUME = 'vol-0123456789abcdef0';
const SOURCE_FILE_SYSTEM = 'fs-0123abcd';
const prefixes = {
  app: `readiness/${unique('app')}/`, refused: `readiness/${unique('refused')}/`, sealed: `readiness/${unique('sealed')}/`, empty: `readiness/${unique('empty')}/`,
};
const recoveryPoints: Record<'app' | 'refused' | 'sealed', string> = { app: '', refused: '', sealed: '' };
const SECRET_VALUE = 'readiness-canary-5e1f0c';
let secretsKey = '';
let sourceCreds: RoleCredentials;
let recoveryCreds: RoleCredentials;
let resources: RecoveryAccountResources;

interface Problem { severity: string; kind: string; type?: string; id?: string; objects?: string[]; detail: string }
interface ReadinessResponse {
  action: string; status: string; reason?: string; error?: string; problems: Problem[];
  source: { clusterName: string; recoveryPointId?: string; location?: string };
  rpo: { recoveryPointAgeSeconds?: number; targetSeconds: number; met: boolean };
  estimatedRto: { seconds?: number; targetSeconds: number; met: boolean; writesPerSecond?: number; objectsToRestore: number };
  dryRun?: { created: number; exists: number; refused: number; needsCrd: number };
  dependencies: { present: number; missing: number; notCheckable: number };
  report?: string; html?: string;
}

// delegateEnv points IAM, ECR, ACM, EFS, EC2, SNS and SQS at moto: the recovery account's lookups.
const readinessEnv = (extra: Record<string, string> = {}) => recovery.delegateEnv(recoveryCreds, extra);
/** The last invocation's stdout: Powertools writes the metrics there as embedded metric format lines. */
let lastStdout = '';
async function readiness(scenario: keyof typeof prefixes, extra: Record<string, string> = {}, recoveryPointId?: string) {
  const id = recoveryPointId ?? (scenario === 'empty' ? 'latest' : recoveryPoints[scenario]);
  const invocation = await invokeBundle<ReadinessResponse>({
    action: 'readiness',
    source: { clusterName: primary.conn.clusterName, region: primary.conn.region, prefix: prefixes[scenario], recoveryPointId: id },
    identifierMap: { [SOURCE_CERT]: resources.certificateArn, [SOURCE_VOLUME]: resources.volumeId, [SOURCE_FILE_SYSTEM]: resources.fileSystemId },
  }, readinessEnv(extra));
  lastStdout = invocation.stdout;
  return invocation.response;
}

/** The readiness metrics of the last invocation's EMF line. */
function metrics(): Record<string, unknown> {
  const line = lastStdout.split('\n').find((l) => l.includes('"_aws"') && l.includes('"Ready"'));
  if (!line) throw new Error(`no readiness metrics in stdout:\n${lastStdout.slice(-2000)}`);
  const emf = JSON.parse(line) as Record<string, unknown>;
  return Object.fromEntries(['RecoveryPointAgeSeconds', 'EstimatedRtoSeconds', 'ReadinessProblems', 'Ready', 'service', 'SourceCluster'].map((k) => [k, emf[k]]));
}
const recoveryRole = () => `arn:aws:iam::${recovery.conn.account}:role/${roleName}`;
const recoveryImage = () => `${recovery.conn.account}.dkr.ecr.${recovery.conn.region}.amazonaws.com/${repository}:2.0`;

async function create(c: StandInClient, path: string, obj: KubeObject): Promise<void> {
  const res = await c.kube('POST', path, obj);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body}`);
}

async function backup(prefix: string, includeResources: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const { response } = await invokeBundle<{ status: string; recoveryPointId: string }>(
    { action: 'backup', includeNamespaces: [ns], includeResources }, primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix, ...extraEnv }),
  );
  expect(response.status).toBe('COMPLETED');
  return response.recoveryPointId;
}

beforeAll(async () => {
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('readiness-source')));
  resources = new RecoveryAccountResources(recovery, recoveryCreds, { roleName, repository });
  await resources.createAll();

  // The application in the primary cluster, its AWS identifiers in the primary's account and region.
  await create(primary, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await create(primary, `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: 'api', namespace: ns, annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${primary.conn.account}:role/${roleName}` } } });
  await create(primary, `/apis/apps/v1/namespaces/${ns}/deployments`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: ns },
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'api',
      containers: [{ name: 'api', image: `${primary.conn.account}.dkr.ecr.${primary.conn.region}.amazonaws.com/${repository}:2.0`, env: [
        { name: 'EVENTS_TOPIC', value: `arn:aws:sns:${primary.conn.region}:${primary.conn.account}:${resources.topic}` },
        { name: 'JOBS_QUEUE', value: `arn:aws:sqs:${primary.conn.region}:${primary.conn.account}:${resources.queue}` },
      ] }] } } } });
  await create(primary, `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name: 'web', namespace: ns, annotations: { 'alb.ingress.kubernetes.io/certificate-arn': SOURCE_CERT } },
    spec: { defaultBackend: { service: { name: 'api', port: { number: 80 } } } } });
  // What the recovery cluster will refuse: a custom resource whose CRD the recovery point lacks, and a
  // ConfigMap its admission webhook (whose service does not exist) refuses.
  await create(primary, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` }, spec: { group, scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } });
  for (let i = 0; i < 100 && (await primary.kube('GET', `/apis/${group}/v1`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  await create(primary, `/apis/${group}/v1/namespaces/${ns}/widgets`, { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1', namespace: ns }, spec: { size: 3 } });
  await create(primary, `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'refused', namespace: ns, labels: { 'readiness-refuse': 'yes' } }, data: { a: '1' } });
  await create(primary, `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine', namespace: ns }, data: { a: '1' } });

  await create(primary, `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns }, type: 'Opaque',
    data: { password: Buffer.from(SECRET_VALUE).toString('base64') } });

  const app = ['namespaces', 'serviceaccounts', 'deployments.apps', 'ingresses.networking.k8s.io'];
  recoveryPoints.app = await backup(prefixes.app, app);
  recoveryPoints.refused = await backup(prefixes.refused, [...app, 'configmaps', `widgets.${group}`]);
  // Secrets sealed with a key of the primary account that the recovery delegate may not use.
  secretsKey = await createKmsKey(primary, 'readiness test: source-only Secrets key');
  recoveryPoints.sealed = await backup(prefixes.sealed, [...app, 'secrets'], { SECRETS_KMS_KEY_ID: secretsKey });

  // The recovery cluster: the namespace exists (so its objects are validated, not only predicted), and a
  // webhook refuses ConfigMaps labelled readiness-refuse in it.
  await create(recovery, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'readiness-test': ns } } });
  await create(recovery, '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: `${ns}-refuse` },
    webhooks: [{ name: `refuse.${group}`, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail',
      clientConfig: { service: { namespace: ns, name: 'policy-engine', port: 443 } },
      namespaceSelector: { matchLabels: { 'readiness-test': ns } }, objectSelector: { matchLabels: { 'readiness-refuse': 'yes' } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] }],
  });
}, 180_000);

afterAll(async () => {
  await recovery.delete(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${ns}-refuse`).catch(() => undefined);
  await recovery.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  await primary.delete(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`).catch(() => undefined);
  resources.destroy();
  s3.destroy();
});

const ofKind = (r: ReadinessResponse, kind: string) => r.problems.filter((p) => p.kind === kind);

describe('readiness', () => {
  let notReady: ReadinessResponse;

  it('is READY when every dependency exists in the recovery account, and leaves the recovery cluster unchanged', async () => {
    const before = await recovery.snapshot();
    const r = await readiness('app');
    expect(await recovery.snapshot()).toEqual(before);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({
      action: 'readiness', status: 'READY', source: { recoveryPointId: recoveryPoints.app },
      rpo: { met: true }, estimatedRto: { met: true }, dependencies: { present: 7, missing: 0, notCheckable: 0 },
    });
    expect(r.estimatedRto.writesPerSecond).toBeGreaterThan(0);
    expect(metrics()).toEqual({
      RecoveryPointAgeSeconds: r.rpo.recoveryPointAgeSeconds, EstimatedRtoSeconds: r.estimatedRto.seconds, ReadinessProblems: 0, Ready: 1,
      service: 'eks-delegate', SourceCluster: primary.conn.clusterName,
    });
    expect(r.report).toMatch(new RegExp(`^s3://${bucket}/${prefixes.app}${primary.conn.clusterName}/readiness/.+\\.json$`));
  });

  it('says "not checkable" (AT_RISK, never READY) for a lookup the delegate may not make', async () => {
    const denied = await startAccessDeniedEndpoint();
    try {
      const r = await readiness('app', { AWS_ENDPOINT_URL_ACM: denied.url });
      expect(r.status).toBe('AT_RISK');
      expect(r.problems).toEqual([expect.objectContaining({
        severity: 'AT_RISK', kind: 'not-checkable', type: 'acm-certificate', id: resources.certificateArn,
        objects: [`ingresses.networking.k8s.io/${ns}/web`], detail: expect.stringContaining('AccessDenied'),
      })]);
    } finally {
      await new Promise((r) => (denied.server as Server).close(r));
    }
  });

  it('is NOT_READY naming exactly the missing role, image tag and certificate and the objects that use them', async () => {
    await resources.removeAll();
    notReady = await readiness('app');
    expect(notReady.status).toBe('NOT_READY');
    const missing = ofKind(notReady, 'missing-aws-resource').map(({ type, id, objects, severity }) => ({ type, id, objects, severity }));
    expect(missing.sort((a, b) => String(a.type).localeCompare(String(b.type)))).toEqual([
      { severity: 'NOT_READY', type: 'acm-certificate', id: resources.certificateArn, objects: [`ingresses.networking.k8s.io/${ns}/web`] },
      { severity: 'NOT_READY', type: 'ecr-image', id: recoveryImage(), objects: [`deployments.apps/${ns}/api`] },
      { severity: 'NOT_READY', type: 'iam-role', id: recoveryRole(), objects: [`serviceaccounts/${ns}/api`] },
    ]);
    expect(notReady.problems).toHaveLength(3);
    expect(metrics()).toMatchObject({ ReadinessProblems: 3, Ready: 0 });
  });

  it('writes a self-contained HTML page a browser shows with the verdict and every problem', async () => {
    const key = notReady.html!.replace(`s3://${bucket}/`, '');
    const html = (await getObjectBytes(s3, bucket, key)).toString('utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const file = join(mkdtempSync(join(tmpdir(), 'readiness-html-')), 'report.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${file}`);
      expect(await page.locator('#verdict').innerText()).toBe('NOT READY');
      const rows = page.locator('#problems tr.problem');
      expect(await rows.count()).toBe(3);
      const text = await page.locator('#problems').innerText();
      for (const needle of [recoveryRole(), recoveryImage(), resources.certificateArn, `serviceaccounts/${ns}/api`, `deployments.apps/${ns}/api`]) expect(text).toContain(needle);
      expect(await page.locator('svg rect.bar').count()).toBeGreaterThan(0);
      expect(requests).toEqual([`file://${file}`]);
      mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: join(REPO_ROOT, 'docs', 'readiness-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('names the custom resource without a CRD and the object admission refuses, and writes nothing', async () => {
    const before = await recovery.snapshot();
    const r = await readiness('refused');
    expect(await recovery.snapshot()).toEqual(before);
    expect(r.status).toBe('NOT_READY');
    expect(ofKind(r, 'needs-crd')).toEqual([expect.objectContaining({ severity: 'NOT_READY', type: `widgets.${group}`, objects: [`widgets.${group}/${ns}/w1`] })]);
    expect(ofKind(r, 'admission')).toEqual([expect.objectContaining({ severity: 'NOT_READY', type: 'configmaps', objects: [`configmaps/${ns}/refused`], detail: expect.stringContaining('policy-engine') })]);
    expect(r.dryRun).toMatchObject({ refused: 1, needsCrd: 1 });
  });

  it('prints the verdict and the problems in the CLI, exiting 1 when NOT_READY', async () => {
    const out = await run(process.execPath, [CLI, 'readiness', recoveryPoints.refused, '--source-cluster', primary.conn.clusterName,
      '--source-region', primary.conn.region, '--source-prefix', prefixes.refused, '--identifier-map', `${SOURCE_CERT}=${resources.certificateArn}`], readinessEnv());
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('NOT_READY');
    expect(out.stdout).toContain(`widgets.${group}/${ns}/w1`);
    expect(out.stdout).toMatch(/Report: s3:\/\/.+\/readiness\/.+\.json/);
  });

  it('is NOT_READY when the recovery point seals its Secrets with a key the recovery side cannot use, and shows no value', async () => {
    const before = await recovery.snapshot();
    const r = await readiness('sealed');
    expect(await recovery.snapshot()).toEqual(before);
    expect(r.status).toBe('NOT_READY');
    expect(ofKind(r, 'secrets-key')).toEqual([expect.objectContaining({ severity: 'NOT_READY', type: 'kms-key', id: secretsKey, detail: expect.stringContaining('AccessDenied') })]);
    expect(r.dryRun).toBeUndefined();
    const report = (await getObjectBytes(s3, bucket, r.report!.replace(`s3://${bucket}/`, ''))).toString('utf8');
    for (const text of [JSON.stringify(r), lastStdout, report]) {
      expect(text).not.toContain(SECRET_VALUE);
      expect(text).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
    }
  });

  it('is AT_RISK when the newest recovery point is older than the RPO target', async () => {
    // The recovery point's manifest says it completed three hours ago (it is the test's own copy).
    const key = `${prefixes.app}${primary.conn.clusterName}/${recoveryPoints.app}/manifest.json`;
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const manifest = JSON.parse(await out.Body!.transformToString()) as { startedAt: string; completedAt: string };
    manifest.startedAt = new Date(Date.now() - 3 * 3600_000 - 5000).toISOString();
    manifest.completedAt = new Date(Date.now() - 3 * 3600_000).toISOString();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest) }));
    const r = await readiness('app', { RPO_TARGET_MINUTES: '60' });
    expect(r.rpo).toMatchObject({ targetSeconds: 3600, met: false });
    expect(r.rpo.recoveryPointAgeSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(ofKind(r, 'rpo')).toEqual([expect.objectContaining({ severity: 'AT_RISK', id: recoveryPoints.app })]);
  });

  it('answers FAILED, naming the bucket, when the source bucket does not exist, and reports Ready 0', async () => {
    const { response, stdout } = await invokeBundle<ReadinessResponse & { problems: unknown }>({
      action: 'readiness', source: { clusterName: primary.conn.clusterName, region: primary.conn.region, bucket: 'no-such-bucket-readiness' },
    }, readinessEnv());
    expect(response).toMatchObject({ status: 'FAILED', reason: 'invalid-input', error: 'bucket no-such-bucket-readiness does not exist' });
    expect(stdout).toMatch(/"Ready":0/);
  });

  it('is NOT_READY when there is no usable recovery point', async () => {
    const r = await readiness('empty');
    expect(r.status).toBe('NOT_READY');
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'NOT_READY', kind: 'rpo' })]);
    expect(r.rpo).toMatchObject({ met: false });
    expect(r.rpo.recoveryPointAgeSeconds).toBeUndefined();
  });
});
