import type { ClusterConnection } from '../../../lib/eks';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { silentLogger } from '../../../lib/observability/DelegateLogger';
import { recoveryPointFolder } from '../../../lib/recovery-point';
import { runRestore, type ExistingResourcePolicy, type RestoreOutcome } from '../../../lib/restore';
import { fakeS3, type FakeS3 } from '../recovery-point/fakeS3';
import { writeRecoveryPoint, type RecoveryPointObjectSpec } from '../recovery-point/writeRecoveryPoint';

// A recovery point shaped like a 1.33+ cluster's (issue 28): the stand-in's 1.20 serves none of
// IPAddress, ServiceCIDR or LeaseCandidate, so what restore does with a current API server's own objects is
// shown here, through runRestore, against a fake recovery cluster that already holds its own defaults.
const BUCKET = 'recovery-bucket';
const ID = '20261207T030000Z-1a2b';
const FOLDER = recoveryPointFolder('eks/', 'prod', ID);
const REPORT = `${FOLDER}restores/r133.json`;

type Json = Record<string, unknown>;
interface ReportRow { resource: string; namespace?: string; name: string; outcome: string; skipped?: string; reason?: string }

const AUTOUPDATE = { 'apf.kubernetes.io/autoupdate-spec': 'true' };
const CUSTOMIZED = { 'apf.kubernetes.io/autoupdate-spec': 'false' };
const RBAC_DEFAULT = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const IP_LABELS = { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' };

type ObjectSpec = Json & { apiVersion: string; kind: string; metadata: Json & { name: string; namespace?: string } };
const spec = (resource: string, object: ObjectSpec): RecoveryPointObjectSpec => ({ resource, object });

const ipAddress = (ip: string, ns: string, service: string): RecoveryPointObjectSpec => spec('ipaddresses.networking.k8s.io', {
  apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name: ip, labels: IP_LABELS }, spec: { parentRef: { group: '', resource: 'services', namespace: ns, name: service } },
});

/** What a small 1.33+ cluster's backup holds of the API server's own objects, beside a user's. */
const OBJECTS: RecoveryPointObjectSpec[] = [
  spec('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
  spec('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { clusterIP: '10.100.0.1', ports: [{ name: 'https', port: 443, targetPort: 443 }] } }),
  spec('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, clusterIP: '10.100.14.7', clusterIPs: ['10.100.14.7'], ports: [{ port: 80 }] } }),
  ipAddress('10.100.0.1', 'default', 'kubernetes'),
  ipAddress('10.100.14.7', 'shop', 'web'),
  ipAddress('10.100.0.10', 'kube-system', 'kube-dns'),
  spec('servicecidrs.networking.k8s.io', { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'kubernetes', finalizers: ['networking.k8s.io/service-cidr-finalizer'] }, spec: { cidrs: ['10.100.0.0/16'] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
  spec('servicecidrs.networking.k8s.io', { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'extra-services' }, spec: { cidrs: ['10.200.0.0/24'] } }),
  spec('endpointslices.discovery.k8s.io', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-x7k2p', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }, addressType: 'IPv4', endpoints: [] }),
  spec('leases.coordination.k8s.io', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'apiserver-7xq4hzfk2v', namespace: 'kube-system', labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver' } }, spec: { holderIdentity: 'apiserver-7xq4hzfk2v_0c1d', leaseDurationSeconds: 3600 } }),
  spec('leasecandidates.coordination.k8s.io', { apiVersion: 'coordination.k8s.io/v1beta1', kind: 'LeaseCandidate', metadata: { name: 'kube-controller-manager-ip-10-0-0-1', namespace: 'kube-system' }, spec: { leaseName: 'kube-controller-manager', binaryVersion: '1.33.1' } }),
  spec('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-apiserver-legacy-service-account-token-tracking', namespace: 'kube-system' }, data: { since: '2025-06-01' } }),
  spec('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'shop' }, data: { 'ca.crt': 'source CA' } }),
  spec('flowschemas.flowcontrol.apiserver.k8s.io', { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'exempt', annotations: AUTOUPDATE }, spec: { priorityLevelConfiguration: { name: 'exempt' }, matchingPrecedence: 1 } }),
  spec('flowschemas.flowcontrol.apiserver.k8s.io', { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'system-leader-election', annotations: AUTOUPDATE }, spec: { priorityLevelConfiguration: { name: 'leader-election' }, matchingPrecedence: 100 } }),
  spec('flowschemas.flowcontrol.apiserver.k8s.io', { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'workload-leader-election', annotations: CUSTOMIZED }, spec: { priorityLevelConfiguration: { name: 'leader-election' }, matchingPrecedence: 150 } }),
  spec('flowschemas.flowcontrol.apiserver.k8s.io', { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'shop-batch' }, spec: { priorityLevelConfiguration: { name: 'shop-low' }, matchingPrecedence: 5000 } }),
  spec('prioritylevelconfigurations.flowcontrol.apiserver.k8s.io', { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'workload-low', annotations: AUTOUPDATE }, spec: { type: 'Limited' } }),
  spec('prioritylevelconfigurations.flowcontrol.apiserver.k8s.io', { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'shop-low' }, spec: { type: 'Limited' } }),
  spec('clusterroles.rbac.authorization.k8s.io', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:controller:service-cidrs-controller', labels: RBAC_DEFAULT, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } }, rules: [] }),
  spec('clusterroles.rbac.authorization.k8s.io', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view', labels: RBAC_DEFAULT, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  spec('clusterroles.rbac.authorization.k8s.io', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'shop-reader' }, rules: [] }),
  spec('validatingadmissionpolicies.admissionregistration.k8s.io', { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'shop-replicas' }, spec: { failurePolicy: 'Fail', validations: [{ expression: 'object.spec.replicas <= 5' }] } }),
];

/** Served by the fake recovery cluster, per group version. */
const DISCOVERY: Record<string, Array<{ name: string; kind: string; namespaced: boolean }>> = {
  '/api/v1': [
    { name: 'namespaces', kind: 'Namespace', namespaced: false }, { name: 'services', kind: 'Service', namespaced: true },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
  ],
  '/apis/networking.k8s.io/v1': [{ name: 'ipaddresses', kind: 'IPAddress', namespaced: false }, { name: 'servicecidrs', kind: 'ServiceCIDR', namespaced: false }],
  '/apis/discovery.k8s.io/v1': [{ name: 'endpointslices', kind: 'EndpointSlice', namespaced: true }],
  '/apis/coordination.k8s.io/v1': [{ name: 'leases', kind: 'Lease', namespaced: true }],
  '/apis/coordination.k8s.io/v1beta1': [{ name: 'leasecandidates', kind: 'LeaseCandidate', namespaced: true }],
  '/apis/flowcontrol.apiserver.k8s.io/v1': [{ name: 'flowschemas', kind: 'FlowSchema', namespaced: false }, { name: 'prioritylevelconfigurations', kind: 'PriorityLevelConfiguration', namespaced: false }],
  '/apis/rbac.authorization.k8s.io/v1': [{ name: 'clusterroles', kind: 'ClusterRole', namespaced: false }],
  '/apis/admissionregistration.k8s.io/v1': [{ name: 'validatingadmissionpolicies', kind: 'ValidatingAdmissionPolicy', namespaced: false }],
};

/** What the recovery cluster's own API server made: its copies of the defaults, by collection path. */
const RECOVERY_CLUSTER_HAS: Record<string, Json[]> = {
  '/apis/networking.k8s.io/v1/servicecidrs': [{ metadata: { name: 'kubernetes' }, spec: { cidrs: ['172.20.0.0/16'] } }],
  '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas': ['exempt', 'system-leader-election', 'workload-leader-election'].map((name) => ({ metadata: { name, annotations: AUTOUPDATE } })),
  '/apis/rbac.authorization.k8s.io/v1/clusterroles': [{ metadata: { name: 'view', labels: RBAC_DEFAULT, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } }, rules: [] }],
};

const json = (status: number, body: unknown): KubeResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });

function recoveryCluster(): KubeTransport & { writes: KubeRequest[] } {
  const writes: KubeRequest[] = [];
  return {
    writes,
    async request(req) {
      const path = req.path.split('?')[0] ?? '';
      if (req.method === 'POST' && path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') return json(201, { status: { allowed: true } });
      if (req.method === 'GET') {
        const served = DISCOVERY[path];
        if (served) return json(200, { kind: 'APIResourceList', groupVersion: path.replace(/^\/apis?\//, ''), resources: served.map((r) => ({ ...r, verbs: ['create', 'get', 'list', 'update'] })) });
        const items = RECOVERY_CLUSTER_HAS[path];
        if (items) return json(200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items });
        if (path.startsWith('/apis/') && path.split('/').length === 3) return json(404, { kind: 'Status', code: 404 });
        if (/\/(namespaces\/[^/]+\/)?[a-z]+$/.test(path)) return json(200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [] });
        const existing = Object.entries(RECOVERY_CLUSTER_HAS).flatMap(([collection, objs]) => objs.map((o) => [`${collection}/${String((o.metadata as Json).name)}`, o] as const));
        const found = existing.find(([p]) => p === path);
        return found ? json(200, found[1]) : json(404, { kind: 'Status', code: 404 });
      }
      writes.push(req);
      return json(req.method === 'POST' ? 201 : 200, req.body);
    },
  };
}

const connection: ClusterConnection = {
  name: 'dr', arn: 'arn:aws:eks:us-west-2:444455556666:cluster/dr', region: 'us-west-2', account: '444455556666',
  endpoint: 'https://dr.example', caPem: '', kubernetesVersion: '1.33', platformVersion: 'eks.5', authenticationMode: 'API',
  endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: [], status: 'ACTIVE',
};

async function restore(existingResourcePolicy: ExistingResourcePolicy): Promise<{ outcome: RestoreOutcome; rows: ReportRow[]; writes: KubeRequest[] }> {
  const s3: FakeS3 = fakeS3();
  await writeRecoveryPoint(s3, BUCKET, FOLDER, OBJECTS);
  const kube = recoveryCluster();
  const outcome = await runRestore({
    source: { bucket: BUCKET, folder: FOLDER }, dryRun: false, existingResourcePolicy,
    filters: { includeNamespaces: [], excludeNamespaces: [], includeResources: [], excludeResources: [] },
    namespaceMapping: {}, report: { bucket: BUCKET, key: REPORT }, restoreId: 'r133', concurrency: 1,
  }, { connection, kube, sourceS3: s3.client, reportS3: s3.client, logger: silentLogger });
  const stored = s3.objects.get(REPORT);
  if (!stored) throw new Error('no report was written');
  const rows = (JSON.parse(stored.toString('utf8')) as { objects: ReportRow[] }).objects;
  return { outcome, rows, writes: kube.writes.filter((w) => !w.path.includes('selfsubjectaccessreviews')) };
}

const row = (rows: ReportRow[], resource: string, name: string, namespace?: string): ReportRow | undefined =>
  rows.find((r) => r.resource === resource && r.name === name && r.namespace === namespace);
const written = (writes: KubeRequest[]) => writes.map((w) => `${w.method} ${w.path.split('?')[0] ?? ''}`);

describe('restore of a 1.33+ recovery point: what the API server owns', () => {
  it.each<ExistingResourcePolicy>(['skip', 'update'])('writes only the user\'s objects (existingResourcePolicy %s)', async (policy) => {
    const { outcome, writes } = await restore(policy);
    expect(outcome).toMatchObject({ status: 'COMPLETED', failed: 0, created: 7 });
    // Creates in restore order, tier by tier (the types of the "everything else" tier are written at once,
    // so in any order among themselves); nothing of the API server's own, and no copy of a default replaced.
    const posts = written(writes);
    expect(posts.slice(0, 2)).toEqual(['POST /api/v1/namespaces', 'POST /apis/rbac.authorization.k8s.io/v1/clusterroles']);
    expect(posts.slice(2, 6).sort()).toEqual([
      'POST /api/v1/namespaces/shop/services',
      'POST /apis/flowcontrol.apiserver.k8s.io/v1/flowschemas',
      'POST /apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations',
      'POST /apis/networking.k8s.io/v1/servicecidrs',
    ]);
    expect(posts.slice(6)).toEqual(['POST /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies']);
    expect(writes.map((w) => String(((w.body as Json).metadata as Json).name)).sort()).toEqual(
      ['extra-services', 'shop', 'shop-batch', 'shop-low', 'shop-reader', 'shop-replicas', 'web'],
    );
  });

  it('says in the report why each of the API server\'s own objects was not restored', async () => {
    const { outcome, rows } = await restore('skip');
    expect(outcome.skipped).toMatchObject({ notRestorable: 14, exists: 2 });
    for (const ip of ['10.100.0.1', '10.100.14.7', '10.100.0.10']) {
      expect(row(rows, 'ipaddresses.networking.k8s.io', ip)).toMatchObject({ outcome: 'skipped', skipped: 'notRestorable', reason: expect.stringMatching(/ClusterIP allocations: restored Services get addresses of the recovery cluster/) });
    }
    expect(row(rows, 'servicecidrs.networking.k8s.io', 'kubernetes')).toMatchObject({ skipped: 'notRestorable', reason: expect.stringMatching(/default ServiceCIDR/) });
    expect(row(rows, 'servicecidrs.networking.k8s.io', 'extra-services')).toMatchObject({ outcome: 'created' });
    expect(row(rows, 'services', 'kubernetes', 'default')).toMatchObject({ skipped: 'notRestorable', reason: expect.stringMatching(/API server's own Service/) });
    expect(row(rows, 'leases.coordination.k8s.io', 'apiserver-7xq4hzfk2v', 'kube-system')).toMatchObject({ skipped: 'notRestorable', reason: expect.stringMatching(/API server's identity/) });
    expect(row(rows, 'leasecandidates.coordination.k8s.io', 'kube-controller-manager-ip-10-0-0-1', 'kube-system')).toMatchObject({ skipped: 'notRestorable' });
    expect(row(rows, 'endpointslices.discovery.k8s.io', 'web-x7k2p', 'shop')).toMatchObject({ skipped: 'notRestorable', reason: expect.stringMatching(/rebuilds it/) });
    expect(row(rows, 'configmaps', 'kube-apiserver-legacy-service-account-token-tracking', 'kube-system')).toMatchObject({ skipped: 'notRestorable' });
    expect(row(rows, 'configmaps', 'kube-root-ca.crt', 'shop')).toMatchObject({ skipped: 'notRestorable' });
    for (const [resource, name] of [
      ['flowschemas.flowcontrol.apiserver.k8s.io', 'exempt'], ['flowschemas.flowcontrol.apiserver.k8s.io', 'system-leader-election'],
      ['prioritylevelconfigurations.flowcontrol.apiserver.k8s.io', 'workload-low'],
    ] as const) {
      expect(row(rows, resource, name)).toMatchObject({ skipped: 'notRestorable', reason: expect.stringMatching(/API server's own flow control configuration/) });
    }
    expect(row(rows, 'clusterroles.rbac.authorization.k8s.io', 'system:controller:service-cidrs-controller')).toMatchObject({ skipped: 'notRestorable', reason: expect.stringMatching(/bootstrap RBAC/) });
  });

  it('keeps the recovery cluster\'s own copy of a default the source customized, even with existingResourcePolicy update', async () => {
    const { rows, writes } = await restore('update');
    expect(writes.filter((w) => w.method === 'PUT')).toEqual([]);
    expect(row(rows, 'flowschemas.flowcontrol.apiserver.k8s.io', 'workload-leader-election')).toMatchObject({
      outcome: 'exists', skipped: 'exists', reason: expect.stringMatching(/^exists in the recovery cluster, which keeps its own: a customized copy of the API server's suggested flow control/),
    });
    expect(row(rows, 'clusterroles.rbac.authorization.k8s.io', 'view')).toMatchObject({
      outcome: 'exists', reason: expect.stringMatching(/customized copy of the API server's bootstrap RBAC.*re-apply the customization by hand/),
    });
  });
});
