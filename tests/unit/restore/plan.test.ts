import { restoreOrder, skipReason, type RecoveryPointFacts } from '../../../lib/restore';

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
  ];
  it.each(cases)('%s', (_what, resource, obj, f, expected) => {
    expect(skipReason(resource, obj, f)?.skip).toBe(expected);
  });
});
