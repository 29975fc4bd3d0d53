import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  keepExistingReason, NEVER_RESTORED_TYPES, OBJECT_RULES, restoreOrder, skipReason, type RecoveryPointFacts,
} from '../../../lib/restore';

const facts = (uids: string[] = [], selectorServices: string[] = []): RecoveryPointFacts => ({
  selectorServices: new Set(selectorServices),
  hasUid: (uid) => uids.includes(uid),
});

describe('restoreOrder', () => {
  it("puts Velero's priority types first in its order, the rest by name, webhooks and APIServices last", () => {
    const order = restoreOrder([
      'widgets.example.com', 'validatingwebhookconfigurations.admissionregistration.k8s.io', 'deployments.apps', 'secrets',
      'namespaces', 'customresourcedefinitions.apiextensions.k8s.io', 'apiservices.apiregistration.k8s.io', 'configmaps',
      'mutatingwebhookconfigurations.admissionregistration.k8s.io', 'services', 'persistentvolumeclaims', 'persistentvolumes',
      'serviceaccounts', 'clusterroles.rbac.authorization.k8s.io', 'pods',
    ]);
    expect(order).toEqual([
      'customresourcedefinitions.apiextensions.k8s.io', 'namespaces', 'persistentvolumes', 'persistentvolumeclaims',
      'clusterroles.rbac.authorization.k8s.io', 'serviceaccounts', 'secrets', 'configmaps',
      'deployments.apps', 'pods', 'services', 'widgets.example.com',
      'mutatingwebhookconfigurations.admissionregistration.k8s.io', 'validatingwebhookconfigurations.admissionregistration.k8s.io',
      'apiservices.apiregistration.k8s.io',
    ]);
  });
});

describe('skipReason', () => {
  const cases: Array<[string, string, Record<string, unknown>, RecoveryPointFacts, string | undefined]> = [
    ['nodes are never restored', 'nodes', { metadata: { name: 'ip-10-0-0-1' } }, facts(), 'notRestorable'],
    ['events in both groups', 'events.events.k8s.io', { metadata: { name: 'e', namespace: 'a' } }, facts(), 'notRestorable'],
    ['leases', 'leases.coordination.k8s.io', { metadata: { name: 'kube-apiserver-x', namespace: 'kube-system' } }, facts(), 'notRestorable'],
    ["the API server's own Service", 'services', { metadata: { name: 'kubernetes', namespace: 'default' } }, facts(), 'notRestorable'],
    ['a Service of the same name elsewhere is restored', 'services', { metadata: { name: 'kubernetes', namespace: 'shop' } }, facts(), undefined],
    ["the API server's client CA ConfigMap", 'configmaps', { metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' } }, facts(), 'notRestorable'],
    ['kube-root-ca.crt', 'configmaps', { metadata: { name: 'kube-root-ca.crt', namespace: 'shop' } }, facts(), 'notRestorable'],
    ['service account token Secrets', 'secrets', { type: 'kubernetes.io/service-account-token', metadata: { name: 'x', namespace: 'shop' } }, facts(), 'notRestorable'],
    ['other Secrets are restored', 'secrets', { type: 'Opaque', metadata: { name: 'x', namespace: 'shop' } }, facts(), undefined],
    ['endpoints of a selector Service', 'endpoints', { metadata: { name: 'web', namespace: 'shop' } }, facts([], ['shop/web']), 'notRestorable'],
    ['endpoints of a selector-less Service are the user\'s own', 'endpoints', { metadata: { name: 'db', namespace: 'shop' } }, facts([], ['shop/web']), undefined],
    ['endpoint slices of a selector Service', 'endpointslices.discovery.k8s.io',
      { metadata: { name: 'web-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } } }, facts([], ['shop/web']), 'notRestorable'],
    ['bootstrap RBAC', 'clusterroles.rbac.authorization.k8s.io', { metadata: { name: 'view', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } } }, facts(), 'notRestorable'],
    ['automanaged APIServices', 'apiservices.apiregistration.k8s.io', { metadata: { name: 'v1.apps', labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } } }, facts(), 'notRestorable'],
    ['a pod whose ReplicaSet is in the recovery point', 'pods',
      { metadata: { name: 'web-1', namespace: 'shop', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d', uid: 'rs-uid', controller: true }] } }, facts(['rs-uid']), 'owned'],
    ['a pod whose controller is not in the recovery point is restored', 'pods',
      { metadata: { name: 'web-1', namespace: 'shop', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d', uid: 'gone', controller: true }] } }, facts(['rs-uid']), undefined],
    ['a non-controller owner does not make it owned', 'configmaps',
      { metadata: { name: 'c', namespace: 'shop', ownerReferences: [{ kind: 'Widget', name: 'w', uid: 'w-uid' }] } }, facts(['w-uid']), undefined],
    // What a 1.33+ API server makes by itself (issue 28).
    ['IPAddress allocations', 'ipaddresses.networking.k8s.io',
      { metadata: { name: '10.100.0.1' }, spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'kubernetes' } } }, facts(), 'notRestorable'],
    ['the default ServiceCIDR', 'servicecidrs.networking.k8s.io', { metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.100.0.0/16'] } }, facts(), 'notRestorable'],
    ["a user's ServiceCIDR is restored", 'servicecidrs.networking.k8s.io', { metadata: { name: 'extra' }, spec: { cidrs: ['10.200.0.0/24'] } }, facts(), undefined],
    ['lease candidates', 'leasecandidates.coordination.k8s.io', { metadata: { name: 'kcm-x', namespace: 'kube-system' } }, facts(), 'notRestorable'],
    ['storage versions', 'storageversions.internal.apiserver.k8s.io', { metadata: { name: 'apps.deployments' } }, facts(), 'notRestorable'],
    ['DRA resource slices', 'resourceslices.resource.k8s.io', { metadata: { name: 'node-1-gpu' } }, facts(), 'notRestorable'],
    ['the legacy token tracking ConfigMap', 'configmaps', { metadata: { name: 'kube-apiserver-legacy-service-account-token-tracking', namespace: 'kube-system' } }, facts(), 'notRestorable'],
    ['bootstrap token Secrets', 'secrets', { type: 'bootstrap.kubernetes.io/token', metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' } }, facts(), 'notRestorable'],
    ['mandatory APF objects, whatever their annotation', 'flowschemas.flowcontrol.apiserver.k8s.io',
      { metadata: { name: 'catch-all', annotations: { 'apf.kubernetes.io/autoupdate-spec': 'false' } } }, facts(), 'notRestorable'],
    ['autoupdated APF objects', 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io',
      { metadata: { name: 'workload-low', annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' } } }, facts(), 'notRestorable'],
    ['customized suggested APF objects are not skipped (restored where missing)', 'flowschemas.flowcontrol.apiserver.k8s.io',
      { metadata: { name: 'workload-leader-election', annotations: { 'apf.kubernetes.io/autoupdate-spec': 'false' } } }, facts(), undefined],
    ['customized bootstrap RBAC is not skipped (restored where missing)', 'clusterroles.rbac.authorization.k8s.io',
      { metadata: { name: 'edit', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } }, facts(), undefined],
    ['endpoint slices mirrored from Endpoints', 'endpointslices.discovery.k8s.io',
      { metadata: { name: 'db-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } } }, facts(), 'notRestorable'],
    ["a selector-less Service's own endpoint slice is restored", 'endpointslices.discovery.k8s.io',
      { metadata: { name: 'db-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } } }, facts([], ['shop/web']), undefined],
    ["trust bundles of Kubernetes' own signers", 'clustertrustbundles.certificates.k8s.io',
      { metadata: { name: 'kubernetes.io:kube-apiserver-serving:abc' }, spec: { signerName: 'kubernetes.io/kube-apiserver-serving', trustBundle: '' } }, facts(), 'notRestorable'],
    ["a user's trust bundle is restored", 'clustertrustbundles.certificates.k8s.io',
      { metadata: { name: 'example.com:ca:x' }, spec: { signerName: 'example.com/ca', trustBundle: '' } }, facts(), undefined],
    ["a user's ValidatingAdmissionPolicy is restored", 'validatingadmissionpolicies.admissionregistration.k8s.io', { metadata: { name: 'replicas' } }, facts(), undefined],
  ];
  it.each(cases)('%s', (_what, resource, obj, f, expected) => {
    expect(skipReason(resource, obj, f)?.skip).toBe(expected);
  });
});

describe('keepExistingReason', () => {
  const rbac = (annotations: Record<string, string>) => ({ metadata: { name: 'edit', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations } });
  it.each<[string, string, Record<string, unknown>, boolean]>([
    ['customized bootstrap RBAC', 'clusterroles.rbac.authorization.k8s.io', rbac({ 'rbac.authorization.kubernetes.io/autoupdate': 'false' }), true],
    ['customized suggested APF', 'flowschemas.flowcontrol.apiserver.k8s.io', { metadata: { name: 'global-default', annotations: { 'apf.kubernetes.io/autoupdate-spec': 'false' } } }, true],
    ["a user's ClusterRole: the policy decides", 'clusterroles.rbac.authorization.k8s.io', { metadata: { name: 'shop-reader' } }, false],
    ["a user's FlowSchema: the policy decides", 'flowschemas.flowcontrol.apiserver.k8s.io', { metadata: { name: 'shop-batch' } }, false],
  ])('%s', (_what, resource, obj, kept) => {
    expect(keepExistingReason(resource, obj, facts()) !== undefined).toBe(kept);
  });
});

describe('restoreOrder: admission last', () => {
  it('puts admission policies and their bindings before the webhooks, after everything else', () => {
    expect(restoreOrder([
      'validatingwebhookconfigurations.admissionregistration.k8s.io', 'validatingadmissionpolicybindings.admissionregistration.k8s.io',
      'widgets.example.com', 'validatingadmissionpolicies.admissionregistration.k8s.io', 'configmaps',
    ])).toEqual([
      'configmaps', 'widgets.example.com', 'validatingadmissionpolicies.admissionregistration.k8s.io',
      'validatingadmissionpolicybindings.admissionregistration.k8s.io', 'validatingwebhookconfigurations.admissionregistration.k8s.io',
    ]);
  });
});

describe('docs/never-restored.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/never-restored.md'), 'utf8');
  it.each(Object.keys(NEVER_RESTORED_TYPES))('lists %s', (resource) => {
    expect(doc).toContain(`\`${resource}\``);
  });
  it.each(OBJECT_RULES.flatMap((rule) => rule.resources.map((r) => [r, rule.objects] as const)))('lists %s: %s', (resource, objects) => {
    const line = doc.split('\n').find((l) => l.includes(`\`${resource}\``) && l.includes(objects));
    expect(line).toBeDefined();
  });
});
