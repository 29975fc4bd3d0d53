import type { KubeObject, StandInClient } from './StandInClient';
import { seedSampleApp, type SeededObject } from './sampleApp';

/**
 * What the restore tests back up (issue 12): the sample app plus a CRD with namespaced and cluster-scoped
 * custom resources, RBAC, secrets of several types, a Service of each type with hand-made Endpoints, a
 * bound PV and PVC, a Job, a standalone Pod, a Deployment's ReplicaSet and Pods made by hand (owned), and
 * admission webhooks whose Service does not exist (they would refuse every ConfigMap in the namespace).
 */
export interface RestoreScenario {
  ns: string;
  /** The API group of this scenario's CRD (unique per run). */
  group: string;
  seeded: SeededObject[];
  /** Objects a restore must not create: owned, or made by the control plane. */
  neverRestored: SeededObject[];
}

export async function seedRestoreScenario(c: StandInClient, ns: string): Promise<RestoreScenario> {
  const seeded = await seedSampleApp(c, ns);
  const neverRestored: SeededObject[] = [];
  const create = async (resource: string, collection: string, obj: KubeObject, restored = true): Promise<KubeObject> => {
    const res = await c.kube('POST', collection, obj);
    if (res.status !== 201) throw new Error(`POST ${collection}: ${res.status} ${res.body}`);
    const made = res.json<KubeObject>();
    const entry = { resource, collection, name: made.metadata.name, ...(made.metadata.namespace ? { namespace: made.metadata.namespace } : {}) };
    (restored ? seeded : neverRestored).push(entry);
    return made;
  };
  const api = (p: string) => `/api/v1/namespaces/${ns}/${p}`;
  const group = `${ns}.restore.example.com`;

  // RBAC and service accounts.
  await create('serviceaccounts', api('serviceaccounts'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: ns }, secrets: [{ name: 'builder-token-abcde' }, { name: 'registry' }] });
  await create('roles.rbac.authorization.k8s.io', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'builder', namespace: ns },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
  });
  await create('rolebindings.rbac.authorization.k8s.io', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'builder', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'builder' },
    subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: ns }],
  });
  await create('clusterroles.rbac.authorization.k8s.io', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${ns}-reader` },
    rules: [{ apiGroups: [group], resources: ['*'], verbs: ['get', 'list'] }],
  });
  await create('clusterrolebindings.rbac.authorization.k8s.io', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${ns}-reader` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${ns}-reader` },
    subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: ns }],
  });

  // Secrets of several types; the token Secret is the old cluster's and is never restored.
  await create('secrets', api('secrets'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'registry', namespace: ns }, type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from('{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}').toString('base64') } });
  await create('secrets', api('secrets'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: ns }, type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from('cert').toString('base64'), 'tls.key': Buffer.from('key').toString('base64') } });
  await create('secrets', api('secrets'), { apiVersion: 'v1', kind: 'Secret',
    metadata: { name: 'builder-token-abcde', namespace: ns, annotations: { 'kubernetes.io/service-account.name': 'builder' } }, type: 'kubernetes.io/service-account-token' }, false);

  // A Service of each type. The selector Service's hand-made Endpoints are the control plane's to rebuild;
  // the selector-less Service's Endpoints are the user's own and are restored.
  const svc = (name: string, spec: Record<string, unknown>) => create('services', api('services'), { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
  await svc('cluster-ip', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
  await svc('node-port', { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
  await svc('load-balancer', { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 443, targetPort: 8443 }] });
  await svc('external-name', { type: 'ExternalName', externalName: 'db.example.com' });
  await svc('headless', { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] });
  await svc('external-db', { ports: [{ port: 5432 }] });
  const endpoints = (name: string, ip: string, restored: boolean) => create('endpoints', api('endpoints'), {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns }, subsets: [{ addresses: [{ ip }], ports: [{ port: 5432 }] }],
  }, restored);
  await endpoints('cluster-ip', '10.1.0.5', false);
  await endpoints('external-db', '192.0.2.10', true);

  // A bound PV and PVC.
  await create('persistentvolumes', '/api/v1/persistentvolumes', {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${ns}-data`, annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } },
    spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'manual',
      hostPath: { path: '/data' }, claimRef: { kind: 'PersistentVolumeClaim', namespace: ns, name: 'data', uid: '0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a' } },
  });
  await create('persistentvolumeclaims', api('persistentvolumeclaims'), {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: ns, annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', volumeName: `${ns}-data`, resources: { requests: { storage: '5Gi' } } },
  });

  // A Job (the API server gives it controller-uid labels and a selector) and a standalone Pod.
  await create('jobs.batch', `/apis/batch/v1/namespaces/${ns}/jobs`, {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: ns },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'public.ecr.aws/docker/library/busybox:1.36' }] } } },
  });
  await create('pods', api('pods'), {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: ns },
    spec: { containers: [{ name: 'debug', image: 'public.ecr.aws/docker/library/busybox:1.36', command: ['sleep', '3600'] }] },
  });

  // What a Deployment's controllers would have made: a ReplicaSet owned by the Deployment, Pods owned by it.
  const deployment = (await c.kube('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).json<KubeObject & { spec: { template: Record<string, unknown> } }>();
  const controllerOf = (o: KubeObject, kind: string, apiVersion: string) => [{ apiVersion, kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }];
  const rs = await create('replicasets.apps', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'web-5d8f7c', namespace: ns, labels: { app: 'web' }, ownerReferences: controllerOf(deployment, 'Deployment', 'apps/v1') },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: deployment.spec.template },
  }, false);
  await create('pods', api('pods'), {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-5d8f7c-x2k4p', namespace: ns, labels: { app: 'web' }, ownerReferences: controllerOf(rs, 'ReplicaSet', 'apps/v1') },
    spec: { containers: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:1.27' }] },
  }, false);

  // A CRD with a namespaced and a cluster-scoped custom resource type.
  for (const [plural, kind, scope] of [['gadgets', 'Gadget', 'Namespaced'], ['racks', 'Rack', 'Cluster']] as const) {
    await create('customresourcedefinitions.apiextensions.k8s.io', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` },
      spec: { group, scope, names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    });
  }
  await waitForServed(c, `/apis/${group}/v1`, ['gadgets', 'racks']);
  await create(`gadgets.${group}`, `/apis/${group}/v1/namespaces/${ns}/gadgets`, { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g1', namespace: ns }, spec: { knobs: [1, 2, 3] } });
  await create(`racks.${group}`, `/apis/${group}/v1/racks`, { apiVersion: `${group}/v1`, kind: 'Rack', metadata: { name: `${ns}-rack-a` }, spec: { slots: 42 } });

  // Admission webhooks whose Service does not exist: created before anything else, they would refuse every
  // ConfigMap of the namespace; restored last, they cannot block the restore.
  const webhook = (kind: 'Validating' | 'Mutating') => ({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name: `${ns}-${kind.toLowerCase()}` },
    webhooks: [{
      name: `${kind.toLowerCase()}.${group}`, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail',
      clientConfig: { service: { namespace: ns, name: 'missing-webhook', port: 443 } },
      namespaceSelector: { matchLabels: { 'restore-webhook-test': ns } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
    }],
  });
  await create('validatingwebhookconfigurations.admissionregistration.k8s.io', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', webhook('Validating'));
  await create('mutatingwebhookconfigurations.admissionregistration.k8s.io', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', webhook('Mutating'));
  // The namespace gets the label last, so the webhooks did not block the seeding itself.
  const nsObj = (await c.kube('GET', `/api/v1/namespaces/${ns}`)).json<KubeObject>();
  const labelled = await c.kube('PUT', `/api/v1/namespaces/${ns}`, { ...nsObj, metadata: { ...nsObj.metadata, labels: { ...(nsObj.metadata.labels as object), 'restore-webhook-test': ns } } });
  if (labelled.status !== 200) throw new Error(`labelling namespace ${ns}: ${labelled.status} ${labelled.body}`);
  return { ns, group, seeded, neverRestored };
}

async function waitForServed(c: StandInClient, groupVersionPath: string, plurals: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await c.kube('GET', groupVersionPath);
    if (res.status === 200 && plurals.every((p) => res.json<{ resources: Array<{ name: string }> }>().resources.some((r) => r.name === p))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${plurals.join(', ')} never appeared in ${groupVersionPath}`);
}
