import { gzipSync } from 'node:zlib';
import type { KubeObject, StandInClient } from './StandInClient';

// What the GitOps and webhook restore tests back up (issue 24, items 3-4): Argo CD and Flux appliers with
// CRDs of our own, written from the shapes of the upstream CRDs (structural v1 schemas, so the API server
// prunes what they do not declare, as the real ones make it), objects carrying their ownership marks, a
// Helm release Secret, and admission webhooks whose Services have no endpoints (no controller-manager runs
// in the stand-in, so a Service with a selector never gets any).

type Json = Record<string, unknown>;

const str = { type: 'string' };
const bool = { type: 'boolean' };
const free = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const obj = (properties: Json, extra: Json = {}) => ({ type: 'object', properties, ...extra });
const namespacedRef = obj({ kind: str, name: str, namespace: str, apiVersion: str });
const dependsOn = { type: 'array', items: obj({ name: str, namespace: str }) };

/** Argo CD's Application spec, as far as these tests write it. */
const applicationSpec = obj({
  project: str,
  source: obj({ repoURL: str, path: str, targetRevision: str, chart: str, helm: free }),
  destination: obj({ server: str, name: str, namespace: str }),
  syncPolicy: obj({
    automated: obj({ prune: bool, selfHeal: bool, allowEmpty: bool, enabled: bool }),
    syncOptions: { type: 'array', items: str },
  }),
});

interface CrdShape { group: string; version: string; plural: string; kind: string; schema: Json }

export const GITOPS_CRDS: readonly CrdShape[] = [
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', kind: 'Application', schema: obj({
    apiVersion: str, kind: str, metadata: { type: 'object' }, spec: applicationSpec,
    // A pending sync the controller runs on sight.
    operation: obj({ sync: obj({ revision: str, prune: bool }), initiatedBy: obj({ username: str, automated: bool }) }),
    status: free,
  }, { required: ['spec'] }) },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'applicationsets', kind: 'ApplicationSet', schema: obj({
    apiVersion: str, kind: str, metadata: { type: 'object' },
    spec: obj({
      generators: { type: 'array', items: free },
      template: obj({ metadata: free, spec: applicationSpec }),
      syncPolicy: obj({ applicationsSync: { type: 'string', enum: ['create-only', 'create-update', 'create-delete', 'sync'] }, preserveResourcesOnDeletion: bool }),
      goTemplate: bool,
    }),
    status: free,
  }) },
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations', kind: 'Kustomization', schema: obj({
    apiVersion: str, kind: str, metadata: { type: 'object' },
    spec: obj({
      interval: str, path: str, prune: bool, suspend: bool, targetNamespace: str, serviceAccountName: str,
      sourceRef: namespacedRef, dependsOn,
    }, { required: ['interval', 'prune', 'sourceRef'] }),
    status: free,
  }) },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', kind: 'HelmRelease', schema: obj({
    apiVersion: str, kind: str, metadata: { type: 'object' },
    spec: obj({
      interval: str, suspend: bool, releaseName: str, targetNamespace: str, storageNamespace: str, dependsOn,
      chart: obj({ spec: obj({ chart: str, version: str, sourceRef: namespacedRef }) }),
      chartRef: namespacedRef,
      values: free,
    }, { required: ['interval'] }),
    status: free,
  }) },
];

export interface GitopsScenario {
  ns: string;
  /** Names of the webhook configurations (cluster-scoped, unique per run). */
  validating: string;
  mutating: string;
}

export const helmReleaseData = (release: Json): string => Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')).toString('base64');

export async function seedGitopsScenario(c: StandInClient, ns: string): Promise<GitopsScenario> {
  const must = async (method: string, path: string, body: unknown) => {
    const res = await c.kube(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body}`);
  };
  for (const crd of GITOPS_CRDS) {
    await c.apply('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${crd.plural}.${crd.group}` },
      spec: { group: crd.group, scope: 'Namespaced', names: { plural: crd.plural, singular: crd.kind.toLowerCase(), kind: crd.kind, listKind: `${crd.kind}List` },
        versions: [{ name: crd.version, served: true, storage: true, schema: { openAPIV3Schema: crd.schema } }] },
    } as KubeObject);
  }
  for (const crd of GITOPS_CRDS) await waitForServed(c, `/apis/${crd.group}/${crd.version}`, crd.plural);
  await must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const at = (group: string, version: string, plural: string) => (group === '' ? `/api/v1/namespaces/${ns}/${plural}` : `/apis/${group}/${version}/namespaces/${ns}/${plural}`);

  await must('POST', at('argoproj.io', 'v1alpha1', 'applications'), {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: ns, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: { project: 'default', source: { repoURL: 'https://git.example.com/shop.git', path: 'deploy', targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: ns },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] } },
    operation: { sync: { revision: 'abc123', prune: true }, initiatedBy: { username: 'admin' } },
  });
  await must('POST', at('argoproj.io', 'v1alpha1', 'applications'), {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'manual', namespace: ns },
    spec: { project: 'default', source: { repoURL: 'https://git.example.com/tools.git', path: '.' }, destination: { server: 'https://kubernetes.default.svc', namespace: ns } },
  });
  await must('POST', at('argoproj.io', 'v1alpha1', 'applicationsets'), {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'shops', namespace: ns },
    spec: { generators: [{ list: { elements: [{ region: 'east' }] } }],
      template: { metadata: { name: '{{region}}-shop' }, spec: { project: 'default', source: { repoURL: 'https://git.example.com/shop.git', path: '{{region}}' },
        destination: { server: 'https://kubernetes.default.svc', namespace: ns }, syncPolicy: { automated: { prune: true } } } } },
  });
  await must('POST', at('kustomize.toolkit.fluxcd.io', 'v1', 'kustomizations'), {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: ns },
    spec: { interval: '10m', path: './apps', prune: true, targetNamespace: ns, sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: ns } },
  });
  await must('POST', at('helm.toolkit.fluxcd.io', 'v2', 'helmreleases'), {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'web', namespace: ns },
    spec: { interval: '5m', suspend: false, targetNamespace: ns, chart: { spec: { chart: 'web', version: '1.2.3', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: ns } } }, values: { replicas: 2 } },
  });

  // What the appliers made, with their ownership marks (label and annotation tracking, Flux labels).
  await must('POST', at('', 'v1', 'configmaps'), {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: {
      name: 'shop-settings', namespace: ns,
      labels: { 'app.kubernetes.io/instance': `${ns}_shop`, 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': ns },
      annotations: { 'argocd.argoproj.io/tracking-id': `${ns}_shop:/ConfigMap:${ns}/shop-settings` },
    }, data: { mode: 'dr' },
  });

  // A Helm 3 release revision, as Helm stores it.
  await must('POST', at('', 'v1', 'secrets'), {
    apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1',
    metadata: { name: 'sh.helm.release.v1.web.v1', namespace: ns, labels: { owner: 'helm', name: 'web', status: 'deployed', version: '1', modifiedAt: '1765000000' } },
    data: { release: helmReleaseData({
      name: 'web', namespace: ns, version: 1, info: { status: 'deployed', first_deployed: '2026-12-01T00:00:00Z', description: 'Install complete' },
      chart: { metadata: { name: 'web', version: '1.2.3' } }, config: { replicas: 2, password: 'not-to-be-logged' }, manifest: '---\n# Source: web/templates/cm.yaml\n',
    }) },
  });

  // Webhook Services: two with a selector and no pods (no endpoints), one selector-less with a ready address.
  const service = (name: string, spec: Json) => must('POST', at('', 'v1', 'services'), { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
  await service('policy-webhook', { selector: { app: 'policy' }, ports: [{ port: 443, targetPort: 9443 }] });
  await service('inject-webhook', { selector: { app: 'inject' }, ports: [{ port: 443, targetPort: 9443 }] });
  await service('ready-webhook', { ports: [{ port: 443 }] });
  await must('POST', at('', 'v1', 'endpoints'), {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ready-webhook', namespace: ns }, subsets: [{ addresses: [{ ip: '192.0.2.44' }], ports: [{ port: 443 }] }],
  });
  const selector = { matchLabels: { 'gitops-webhook-test': ns } };
  const svcRef = (name: string) => ({ service: { namespace: ns, name, port: 443, path: '/hook' } });
  const validating = `${ns}-policy`;
  const mutating = `${ns}-inject`;
  await must('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: validating },
    webhooks: [
      { name: 'policy.gitops.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', clientConfig: svcRef('policy-webhook'),
        namespaceSelector: selector, rules: [
          { operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['services'] },
          { operations: ['CREATE', 'UPDATE'], apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['ingresses'] },
        ] },
      // Its Service has a ready address: not named (it only watches deletes, which nothing here makes).
      { name: 'ready.gitops.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', clientConfig: svcRef('ready-webhook'),
        namespaceSelector: selector, rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] },
    ],
  });
  await must('POST', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: mutating },
    webhooks: [
      { name: 'inject.gitops.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', clientConfig: svcRef('inject-webhook'),
        namespaceSelector: selector, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] },
      { name: 'url.gitops.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Ignore',
        clientConfig: { url: 'https://hooks.example.invalid/mutate' },
        namespaceSelector: selector, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] },
    ],
  });
  // Labelled last, so the webhooks did not see the seeding itself.
  const nsObj = (await c.kube('GET', `/api/v1/namespaces/${ns}`)).json<KubeObject>();
  await must('PUT', `/api/v1/namespaces/${ns}`, { ...nsObj, metadata: { ...nsObj.metadata, labels: { ...(nsObj.metadata.labels as object), 'gitops-webhook-test': ns } } });
  return { ns, validating, mutating };
}

async function waitForServed(c: StandInClient, groupVersionPath: string, plural: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await c.kube('GET', groupVersionPath);
    if (res.status === 200 && res.json<{ resources: Array<{ name: string }> }>().resources.some((r) => r.name === plural)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${plural} never appeared in ${groupVersionPath}`);
}
