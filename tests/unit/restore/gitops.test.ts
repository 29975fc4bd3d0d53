import { GITOPS_PAUSED_ANNOTATION, mapGitopsNamespaces, pauseGitops, prepareObject, resumeGitops } from '../../../lib/restore';

type Json = Record<string, unknown>;
const APPS = 'applications.argoproj.io';
const APPSETS = 'applicationsets.argoproj.io';
const KUSTOMIZATIONS = 'kustomizations.kustomize.toolkit.fluxcd.io';
const HELMRELEASES = 'helmreleases.helm.toolkit.fluxcd.io';
const automated = { prune: true, selfHeal: true };
const obj = (spec: Json, extra: Json = {}): Json => ({ metadata: { name: 'x', namespace: 'argocd' }, spec, ...extra });
const annotationOf = (o: Json) => ((o.metadata as Json).annotations as Record<string, string> | undefined)?.[GITOPS_PAUSED_ANNOTATION];

describe('pauseGitops: one applier kind per row', () => {
  const cases: Array<[string, string, Json, Json, Json[]]> = [
    ['Application: automated sync and a pending operation removed', APPS,
      obj({ syncPolicy: { automated, syncOptions: ['CreateNamespace=true'] } }, { operation: { sync: { revision: 'abc' } } }),
      obj({ syncPolicy: { syncOptions: ['CreateNamespace=true'] } }),
      [{ path: 'spec.syncPolicy.automated', value: automated }, { path: 'operation', value: { sync: { revision: 'abc' } } }]],
    ['ApplicationSet: the template\'s automated sync removed, applicationsSync create-only (was unset)', APPSETS,
      obj({ template: { spec: { syncPolicy: { automated } } }, generators: [] }),
      obj({ template: { spec: { syncPolicy: {} } }, generators: [], syncPolicy: { applicationsSync: 'create-only' } }),
      [{ path: 'spec.template.spec.syncPolicy.automated', value: automated }, { path: 'spec.syncPolicy' }]],
    ['ApplicationSet with a syncPolicy: only applicationsSync recorded', APPSETS,
      obj({ template: { spec: {} }, syncPolicy: { applicationsSync: 'sync', preserveResourcesOnDeletion: true } }),
      obj({ template: { spec: {} }, syncPolicy: { applicationsSync: 'create-only', preserveResourcesOnDeletion: true } }),
      [{ path: 'spec.syncPolicy.applicationsSync', value: 'sync' }]],
    ['ApplicationSet already create-only and manual: nothing held', APPSETS,
      obj({ template: { spec: {} }, syncPolicy: { applicationsSync: 'create-only' } }),
      obj({ template: { spec: {} }, syncPolicy: { applicationsSync: 'create-only' } }), []],
    ['Kustomization: suspended (was unset)', KUSTOMIZATIONS, obj({ interval: '10m' }), obj({ interval: '10m', suspend: true }), [{ path: 'spec.suspend' }]],
    ['HelmRelease: suspended (was false)', HELMRELEASES, obj({ suspend: false }), obj({ suspend: true }), [{ path: 'spec.suspend', value: false }]],
    ['Kustomization suspended in the recovery point: left as it is', KUSTOMIZATIONS, obj({ suspend: true }), obj({ suspend: true }), []],
    ['Application without automated sync: nothing held', APPS, obj({ syncPolicy: {} }), obj({ syncPolicy: {} }), []],
    ['AppProject: applies nothing, holds nothing', 'appprojects.argoproj.io', obj({ destinations: [{ namespace: '*' }] }), obj({ destinations: [{ namespace: '*' }] }), []],
    ['any other kind: untouched', 'deployments.apps', obj({ suspend: false }), obj({ suspend: false }), []],
  ];
  it.each(cases)('%s', (_name, resource, input, expected, held) => {
    const o = structuredClone(input);
    const result = pauseGitops(resource, o);
    expect(result ?? []).toEqual(held);
    if (held.length) {
      expect(JSON.parse(annotationOf(o) ?? 'null')).toEqual(held);
      delete ((o.metadata as Json).annotations as Json)[GITOPS_PAUSED_ANNOTATION];
      delete (o.metadata as Json).annotations;
    }
    expect(o).toEqual(expected);
  });

  it('resume puts back exactly the recovery point\'s object, and a second resume finds nothing', () => {
    for (const [, resource, input] of cases) {
      const o = structuredClone(input);
      pauseGitops(resource, o);
      resumeGitops(o);
      expect(o).toEqual(input);
      expect(resumeGitops(o)).toBeUndefined();
    }
  });

  it('keeps the annotation of an object held already (a backup of a paused recovery cluster): its values are the real ones', () => {
    const held = [{ path: 'spec.suspend', value: false }];
    const o = obj({ suspend: true }, {});
    (o.metadata as Json).annotations = { [GITOPS_PAUSED_ANNOTATION]: JSON.stringify(held) };
    expect(pauseGitops(KUSTOMIZATIONS, o)).toEqual(held);
    expect(annotationOf(o)).toBe(JSON.stringify(held));
    resumeGitops(o);
    expect(o).toEqual(obj({ suspend: false }));
  });

  it('refuses to resume from an annotation it cannot read, changing nothing', () => {
    const o = obj({ suspend: true });
    (o.metadata as Json).annotations = { [GITOPS_PAUSED_ANNOTATION]: '{"not":"a list"}' };
    const before = structuredClone(o);
    expect(() => resumeGitops(o)).toThrow(/is not a JSON list/);
    expect(o).toEqual(before);
  });
});

describe('mapGitopsNamespaces (velero #7848)', () => {
  const mapNs = (ns: string) => ({ shop: 'shop-dr', argocd: 'argocd-dr', 'flux-system': 'flux-dr' } as Record<string, string>)[ns] ?? ns;
  const cases: Array<[string, string, Json, Json]> = [
    ['Argo CD tracking-id: the object\'s namespace and an app namespace follow', 'deployments.apps',
      { metadata: { annotations: { 'argocd.argoproj.io/tracking-id': 'argocd_shop:apps/Deployment:shop/web' } } },
      { metadata: { annotations: { 'argocd.argoproj.io/tracking-id': 'argocd-dr_shop:apps/Deployment:shop-dr/web' } } }],
    ['tracking-id of a core, cluster-scoped object', 'namespaces',
      { metadata: { annotations: { 'argocd.argoproj.io/tracking-id': 'shop:/Namespace:/shop' } } },
      { metadata: { annotations: { 'argocd.argoproj.io/tracking-id': 'shop:/Namespace:/shop' } } }],
    ['instance label <namespace>_<app> follows; a plain app name (or a Helm release name) does not', 'services',
      { metadata: { labels: { 'app.kubernetes.io/instance': 'argocd_shop', 'argocd.argoproj.io/instance': 'shop' } } },
      { metadata: { labels: { 'app.kubernetes.io/instance': 'argocd-dr_shop', 'argocd.argoproj.io/instance': 'shop' } } }],
    ['Flux ownership labels follow', 'configmaps',
      { metadata: { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system', 'helm.toolkit.fluxcd.io/namespace': 'shop' } } },
      { metadata: { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-dr', 'helm.toolkit.fluxcd.io/namespace': 'shop-dr' } } }],
    ['Application destination', APPS, { metadata: {}, spec: { destination: { namespace: 'shop', server: 'https://kubernetes.default.svc' } } },
      { metadata: {}, spec: { destination: { namespace: 'shop-dr', server: 'https://kubernetes.default.svc' } } }],
    ['ApplicationSet template destination (a template expression is no namespace)', APPSETS,
      { metadata: {}, spec: { template: { spec: { destination: { namespace: 'shop' } } } } },
      { metadata: {}, spec: { template: { spec: { destination: { namespace: 'shop-dr' } } } } }],
    ['Kustomization target, source and dependencies', KUSTOMIZATIONS,
      { metadata: {}, spec: { targetNamespace: 'shop', sourceRef: { kind: 'GitRepository', name: 'repo', namespace: 'flux-system' }, dependsOn: [{ name: 'infra', namespace: 'flux-system' }, { name: 'local' }] } },
      { metadata: {}, spec: { targetNamespace: 'shop-dr', sourceRef: { kind: 'GitRepository', name: 'repo', namespace: 'flux-dr' }, dependsOn: [{ name: 'infra', namespace: 'flux-dr' }, { name: 'local' }] } }],
    ['HelmRelease target, storage and chart source', HELMRELEASES,
      { metadata: {}, spec: { targetNamespace: 'shop', storageNamespace: 'shop', chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } } } } },
      { metadata: {}, spec: { targetNamespace: 'shop-dr', storageNamespace: 'shop-dr', chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-dr' } } } } }],
    ['AppProject destinations (a pattern is kept)', 'appprojects.argoproj.io',
      { metadata: {}, spec: { destinations: [{ namespace: 'shop', server: '*' }, { namespace: 'team-*', server: '*' }] } },
      { metadata: {}, spec: { destinations: [{ namespace: 'shop-dr', server: '*' }, { namespace: 'team-*', server: '*' }] } }],
    ['unmapped namespaces stay', KUSTOMIZATIONS, { metadata: {}, spec: { targetNamespace: 'other' } }, { metadata: {}, spec: { targetNamespace: 'other' } }],
  ];
  it.each(cases)('%s', (_name, resource, input, expected) => {
    const o = structuredClone(input);
    mapGitopsNamespaces(resource, o, mapNs);
    expect(o).toEqual(expected);
  });
});

describe('prepareObject with gitops', () => {
  const app = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
    metadata: { name: 'shop', namespace: 'argocd', uid: 'u1', resourceVersion: '7', labels: { 'app.kubernetes.io/instance': 'argocd_root' } },
    spec: { destination: { namespace: 'shop' }, syncPolicy: { automated } }, status: { sync: { status: 'Synced' } },
  };
  it('off (the default): the applier is restored as it is, bar the usual server fields', () => {
    expect(prepareObject(APPS, app)).toEqual({ object: { apiVersion: app.apiVersion, kind: app.kind, metadata: { name: 'shop', namespace: 'argocd', labels: app.metadata.labels }, spec: app.spec } });
  });
  it('pause with namespaceMapping: held and marked, its namespaces and tracking label mapped', () => {
    const { object, gitopsHeld, gitopsMapped } = prepareObject(APPS, app, { gitops: 'pause', namespaceMapping: { shop: 'shop-dr', argocd: 'argocd-dr' } });
    expect(gitopsHeld).toEqual([{ path: 'spec.syncPolicy.automated', value: automated }]);
    expect(gitopsMapped).toBe(2);
    expect(object).toEqual({
      apiVersion: app.apiVersion, kind: app.kind,
      metadata: { name: 'shop', namespace: 'argocd-dr', labels: { 'app.kubernetes.io/instance': 'argocd-dr_root' },
        annotations: { [GITOPS_PAUSED_ANNOTATION]: JSON.stringify(gitopsHeld) } },
      spec: { destination: { namespace: 'shop-dr' }, syncPolicy: {} },
    });
  });
});
