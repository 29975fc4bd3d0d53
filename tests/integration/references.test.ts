import { randomBytes } from 'node:crypto';
import { prepareForRestore } from '../../lib/restore';
import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { invokeBundle, unique } from './helpers';
import { mapRestoreDelegates } from './restoreDelegates';

// Issue 24 end to end: objects shaped as Karpenter, the AWS Load Balancer Controller, External Secrets and
// the EBS and EFS CSI drivers write them (their CRDs with real-shaped schemas and documentation), backed up
// in the primary (123456789012/us-east-1, cluster `standin`) and restored into the recovery cluster
// (444455556666/us-west-2, `standin-dr`). Every generated id and every value naming the source's region,
// zones, account or cluster must come back translated or be listed in untranslatedReferences.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const prefix = `refs/${unique('run')}/`;
const ns = unique('refs');
const SRC = { account: primary.conn.account, region: primary.conn.region, cluster: primary.conn.clusterName };
const DST = { account: recovery.conn.account, region: recovery.conn.region, cluster: recovery.conn.clusterName };

const hex = (digits: number): string => randomBytes(Math.ceil(digits / 2)).toString('hex').slice(0, digits);
const id = (kind: string): string => `${kind}-0${hex(16)}`;
const SUBNET_MAPPED = id('subnet');
const SUBNET_MAPPED_RECOVERY = id('subnet');
const SUBNET_NODES = id('subnet');
const SUBNET_ALB = [id('subnet'), id('subnet')] as const;
const SG_NODES = id('sg');
const AMI = id('ami');
const VPC = id('vpc');
const VOLUME = id('vol');
const FILE_SYSTEM = id('fs');
const FILE_SYSTEM_RECOVERY = id('fs');
const ACCESS_POINT = id('fsap');
const KMS_KEY = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
const ESO_ROLE = `arn:aws:iam::${SRC.account}:role/external-secrets-${ns}`;
const QUEUE_URL = `https://sqs.${SRC.region}.amazonaws.com/${SRC.account}/orders-${ns}`;
const zone = (region: string, letter: string): string => `${region}${letter}`;
const identifierMap = { [SUBNET_MAPPED]: SUBNET_MAPPED_RECOVERY, [FILE_SYSTEM]: FILE_SYSTEM_RECOVERY };
const zoneMap = { [zone(SRC.region, 'a')]: zone(DST.region, 'a') };

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';
const RESOURCES = [
  CRDS, 'namespaces', 'configmaps', 'deployments.apps', 'storageclasses.storage.k8s.io', 'persistentvolumes',
  'ec2nodeclasses.karpenter.k8s.aws', 'ingressclassparams.elbv2.k8s.aws', 'secretstores.external-secrets.io',
  'clustersecretstores.external-secrets.io', 'ecrauthorizationtokens.generators.external-secrets.io',
];

interface Rewrite { path: string; from: string; to: string; kind: string }
interface UntranslatedReference { type: string; id: string; objects: string[] }
interface RestoreResponse {
  status: string; created: number; failed: number; report: string; problems?: string[];
  failures: Array<{ resource: string; namespace?: string; name: string; error: string }>;
  translations: Record<string, number>;
  untranslatedReferences: UntranslatedReference[];
}
interface ReportRow { resource: string; namespace?: string; name: string; outcome: string; reason?: string; rewrites?: Rewrite[] }

/** One object of the corpus: where it lives, its Velero-style resource name, and how the response labels it. */
interface Corpus { resource: string; collection: string; object: KubeObject; label: string; row: string }
const corpus: Corpus[] = [];
const crdNames: string[] = [];

// ---- CRDs: structural apiextensions.k8s.io/v1 schemas whose documentation names ids, the region and the cluster.
const str = (description: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'string', description, ...extra });
const obj = (properties: Record<string, unknown>, description = ''): Record<string, unknown> => ({ type: 'object', description, properties });
const list = (items: Record<string, unknown>, description: string): Record<string, unknown> => ({ type: 'array', description, items });
const tags = (description: string): Record<string, unknown> => ({ type: 'object', description, additionalProperties: { type: 'string' } });

function crd(group: string, version: string, kind: string, plural: string, scope: 'Cluster' | 'Namespaced', spec: Record<string, unknown>): KubeObject {
  const name = `${plural}.${group}`;
  crdNames.push(name);
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name },
    spec: {
      group, scope, names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: obj({ apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec }) } }],
    },
  };
}

const CRD_OBJECTS: KubeObject[] = [
  crd('karpenter.k8s.aws', 'v1', 'EC2NodeClass', 'ec2nodeclasses', 'Cluster', obj({
    role: str(`Role is the AWS identity nodes use, e.g. KarpenterNodeRole-${SRC.cluster}.`),
    amiSelectorTerms: list(obj({ alias: str('Alias, e.g. al2023@latest.'), id: str('ID is the ami id in EC2, like ami-0123456789abcdef0.', { pattern: 'ami-[0-9a-z]+' }) }), 'AMISelectorTerms.'),
    subnetSelectorTerms: list(obj({
      id: str(`ID is the subnet id in EC2, like subnet-0123456789abcdef0 in ${SRC.region}a.`, { pattern: 'subnet-[0-9a-z]+' }),
      tags: tags(`Tags, e.g. karpenter.sh/discovery: ${SRC.cluster}.`),
    }), 'SubnetSelectorTerms is a list of subnet selector terms. The terms are ORed.'),
    securityGroupSelectorTerms: list(obj({ id: str('ID is the security group id in EC2, like sg-01234567.', { pattern: 'sg-[0-9a-z]+' }), name: str('Name.'), tags: tags('Tags.') }), 'SecurityGroupSelectorTerms.'),
    blockDeviceMappings: list(obj({
      deviceName: str('The device name, e.g. /dev/xvda.'),
      ebs: obj({
        volumeSize: str('Size, e.g. 20Gi.'), volumeType: str('Type.', { enum: ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'] }), encrypted: { type: 'boolean' },
        kmsKeyID: str(`KMSKeyID, e.g. arn:aws:kms:${SRC.region}:${SRC.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab or 1234abcd-12ab-34cd-56ef-1234567890ab.`),
      }),
    }), 'BlockDeviceMappings.'),
    metadataOptions: obj({ httpTokens: str('IMDSv2.', { default: 'required', enum: ['required', 'optional'] }) }),
  }, 'EC2NodeClassSpec is the top level specification for the AWS Karpenter Provider.')),
  crd('elbv2.k8s.aws', 'v1beta1', 'IngressClassParams', 'ingressclassparams', 'Cluster', obj({
    scheme: str('Scheme.', { enum: ['internal', 'internet-facing'] }),
    group: obj({ name: str('Name of the IngressGroup.') }),
    subnets: obj({
      ids: list(str('SubnetID, like subnet-0123456789abcdef0.', { pattern: '^subnet-[0-9a-f]+$' }), `IDs of the subnets, in ${SRC.region} for example.`),
      tags: { type: 'object', description: 'Tags.', additionalProperties: { type: 'array', items: { type: 'string' } } },
    }),
  })),
  crd('external-secrets.io', 'v1beta1', 'SecretStore', 'secretstores', 'Namespaced', awsProviderSchema()),
  crd('external-secrets.io', 'v1beta1', 'ClusterSecretStore', 'clustersecretstores', 'Cluster', awsProviderSchema()),
  crd('generators.external-secrets.io', 'v1alpha1', 'ECRAuthorizationToken', 'ecrauthorizationtokens', 'Namespaced', obj({
    region: str(`Region specifies the region to operate in, e.g. ${SRC.region}.`), role: str(`You can assume a role, e.g. arn:aws:iam::${SRC.account}:role/ecr-reader.`),
  })),
];

function awsProviderSchema(): Record<string, unknown> {
  return obj({
    provider: obj({
      aws: obj({
        service: str('Service defines which service should be used to fetch the secrets.', { enum: ['SecretsManager', 'ParameterStore'] }),
        region: str(`AWS Region to be used for the provider, e.g. ${SRC.region}.`),
        role: str('Role is a Role ARN which the provider will assume.'),
        auth: obj({ jwt: obj({ serviceAccountRef: obj({ name: str('The name of the ServiceAccount resource being referred to.') }) }) }),
      }),
    }),
  });
}

// ---- The objects that use them, and the core objects around them.
function add(resource: string, collection: string, object: KubeObject): void {
  const kind = String(object['kind']);
  const { name, namespace } = object.metadata;
  corpus.push({ resource, collection, object, label: namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`, row: `${resource}/${namespace ?? ''}/${name}` });
}
const nodeClass = `${ns}-default`;
add('ec2nodeclasses.karpenter.k8s.aws', '/apis/karpenter.k8s.aws/v1/ec2nodeclasses', {
  apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: nodeClass },
  spec: {
    role: `KarpenterNodeRole-${SRC.cluster}`,
    amiSelectorTerms: [{ alias: 'al2023@latest' }, { id: AMI }],
    subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': SRC.cluster } }, { id: SUBNET_MAPPED }, { id: SUBNET_NODES }],
    securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': SRC.cluster } }, { id: SG_NODES }, { tags: { [`kubernetes.io/cluster/${SRC.cluster}`]: 'owned' } }],
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi', volumeType: 'gp3', encrypted: true, kmsKeyID: KMS_KEY } }],
    metadataOptions: { httpTokens: 'required' },
  },
});
add('ingressclassparams.elbv2.k8s.aws', '/apis/elbv2.k8s.aws/v1beta1/ingressclassparams', {
  apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'IngressClassParams', metadata: { name: `${ns}-internal` },
  spec: { scheme: 'internal', group: { name: 'internal' }, subnets: { ids: [...SUBNET_ALB] } },
});
const awsProvider = (extra: Record<string, unknown>) => ({ provider: { aws: { service: 'SecretsManager', region: SRC.region, ...extra } } });
add('secretstores.external-secrets.io', `/apis/external-secrets.io/v1beta1/namespaces/${ns}/secretstores`, {
  apiVersion: 'external-secrets.io/v1beta1', kind: 'SecretStore', metadata: { name: 'aws-secrets', namespace: ns },
  spec: awsProvider({ role: ESO_ROLE }),
});
add('clustersecretstores.external-secrets.io', '/apis/external-secrets.io/v1beta1/clustersecretstores', {
  apiVersion: 'external-secrets.io/v1beta1', kind: 'ClusterSecretStore', metadata: { name: `${ns}-parameters` },
  spec: awsProvider({ service: 'ParameterStore', auth: { jwt: { serviceAccountRef: { name: 'external-secrets' } } } }),
});
add('ecrauthorizationtokens.generators.external-secrets.io', `/apis/generators.external-secrets.io/v1alpha1/namespaces/${ns}/ecrauthorizationtokens`, {
  apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', metadata: { name: 'ecr-pull', namespace: ns },
  spec: { region: SRC.region },
});
const deployment = (name: string, container: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': name } },
  spec: {
    replicas: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } },
    template: { metadata: { labels: { 'app.kubernetes.io/name': name } }, spec: { serviceAccountName: name, containers: [{ name: 'controller', ...container }] } },
  },
});
add('deployments.apps', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('aws-load-balancer-controller', {
  image: 'public.ecr.aws/eks/aws-load-balancer-controller:v2.8.2',
  args: [`--cluster-name=${SRC.cluster}`, '--ingress-class=alb', `--aws-region=${SRC.region}`, `--aws-vpc-id=${VPC}`],
}));
add('deployments.apps', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('karpenter', {
  image: 'public.ecr.aws/karpenter/controller:1.0.6',
  env: [{ name: 'CLUSTER_NAME', value: SRC.cluster }, { name: 'INTERRUPTION_QUEUE', value: `Karpenter-${SRC.cluster}` }],
}));
add('configmaps', `/api/v1/namespaces/${ns}/configmaps`, {
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders-config', namespace: ns },
  data: {
    QUEUE_URL, CLUSTER_TAG: `kubernetes.io/cluster/${SRC.cluster}`, DR_REGION: 'eu-west-1',
    NOTES: 'Subnet-style ids go in the subnet-ids field; the standin cluster runbook says which.',
  },
});
add('storageclasses.storage.k8s.io', '/apis/storage.k8s.io/v1/storageclasses', {
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: `${ns}-gp3` },
  provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', encrypted: 'true' }, volumeBindingMode: 'WaitForFirstConsumer',
  allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', values: [zone(SRC.region, 'a'), zone(SRC.region, 'b')] }] }],
});
const zoneAffinity = (zones: string[]) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: zones }] }] } });
add('persistentvolumes', '/api/v1/persistentvolumes', {
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${ns}-ebs` },
  spec: {
    capacity: { storage: '20Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: `${ns}-gp3`,
    csi: { driver: 'ebs.csi.aws.com', volumeHandle: VOLUME, fsType: 'ext4' }, nodeAffinity: zoneAffinity([zone(SRC.region, 'a')]),
  },
});
add('persistentvolumes', '/api/v1/persistentvolumes', {
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${ns}-efs` },
  spec: {
    capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: '',
    csi: { driver: 'efs.csi.aws.com', volumeHandle: `efs:${FILE_SYSTEM}::${ACCESS_POINT}` },
  },
});
const labelOf = (name: string): string => corpus.find((c) => c.object.metadata.name === name)?.label ?? name;

let recoveryCreds: RoleCredentials;
let backupLocation: string;

async function waitUntilServed(c: StandInClient, collection: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await c.kube('GET', collection)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${collection} not served`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function read(c: StandInClient, collection: string, name: string): Promise<KubeObject> {
  const res = await c.kube('GET', `${collection}/${encodeURIComponent(name)}`);
  if (res.status !== 200) throw new Error(`GET ${collection}/${name}: ${res.status} ${res.body}`);
  return res.json<KubeObject>();
}

async function readJson<T>(location: string, file = ''): Promise<T> {
  return JSON.parse((await getObjectBytes(s3, bucket, `${location.replace(`s3://${bucket}/`, '')}${file}`)).toString('utf8')) as T;
}

/** Applies the report's rewrites to a copy of the source object (paths as lib/dependencies renders them). */
function rewritten(source: Record<string, unknown>, rewrites: Rewrite[]): Record<string, unknown> {
  const copy = structuredClone(source);
  for (const { path, from, to } of rewrites) {
    const keys = [...path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)]
      .map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(`"${m[3] ?? ''}"`) as string)));
    let container = copy as Record<string | number, unknown>;
    for (const key of keys.slice(0, -1)) container = container[key] as Record<string | number, unknown>;
    const last = keys[keys.length - 1]!;
    container[last] = String(container[last]).replace(from, to);
  }
  return copy;
}

/**
 * The oracle, independent of the scanner: every string of an object (not keys, not managedFields) that
 * holds a generated id, or the source's region, one of its zones, its account or its cluster name as a
 * whole token. Deliberately simpler than lib/dependencies: what it finds, the delegate must account for.
 */
function sourceValues(object: unknown): string[] {
  const found: string[] = [];
  const patterns = [
    /(?<![\w-])(?:subnet|sg|vol|snap|fs|fsap|ami|eni|igw|vpc|eipalloc)-(?:[0-9a-f]{17}|[0-9a-f]{8})(?![\w-])/g,
    new RegExp(`(?<![\\w-])${SRC.region}[a-z]?(?![\\w-])`, 'g'),
    new RegExp(`(?<!\\d)${SRC.account}(?!\\d)`, 'g'),
    new RegExp(`(?<![\\w.-])${SRC.cluster}(?![\\w.-])`, 'g'),
  ];
  const visit = (value: unknown, key: string | number | undefined): void => {
    if (key === 'managedFields' || key === 'name' || key === 'namespace') return;
    if (typeof value === 'string') {
      if (/\s/.test(value) && !value.includes('amazonaws.com')) return; // prose: tokens of sentences are not references
      for (const pattern of patterns) for (const m of value.matchAll(pattern)) found.push(m[0]);
    } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, i));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(object, undefined);
  return [...new Set(found)];
}

beforeAll(async () => {
  const delegates = await mapRestoreDelegates(primary, recovery, unique('refs-source'));
  recoveryCreds = delegates.recoveryCreds;
  for (const definition of CRD_OBJECTS) await primary.apply('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', definition);
  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const { collection } of corpus) await waitUntilServed(primary, collection);
  for (const { collection, object } of corpus) await primary.apply(collection, object);
  const backup = await invokeBundle<{ status: string; location: string }>(
    { action: 'backup', includeNamespaces: [ns], includeResources: RESOURCES },
    primary.delegateEnv(delegates.sourceCreds, { RECOVERY_PREFIX: prefix }),
  );
  expect(backup.response.status).toBe('COMPLETED');
  backupLocation = backup.response.location;
}, 180_000);
afterAll(() => s3.destroy());

describe(`references of real-shaped workloads (${SRC.account}/${SRC.region}/${SRC.cluster} -> ${DST.account}/${DST.region}/${DST.cluster})`, () => {
  it('backup\'s awsDependencies holds the ids inside custom resources and the efs: handle\'s access point, nothing from CRD schemas', async () => {
    const manifest = await readJson<{ awsDependencies: Array<{ type: string; id: string; references: Array<{ kind: string; name: string; path: string }> }> }>(backupLocation, 'manifest.json');
    const where = (depId: string) => manifest.awsDependencies.filter((d) => d.id === depId).map((d) => [d.type, ...d.references.map((r) => `${r.kind}/${r.name} ${r.path}`)]);
    expect(where(SUBNET_NODES)).toEqual([['ec2-subnet', `EC2NodeClass/${nodeClass} spec.subnetSelectorTerms[2].id`]]);
    expect(where(SG_NODES)).toEqual([['ec2-security-group', `EC2NodeClass/${nodeClass} spec.securityGroupSelectorTerms[1].id`]]);
    expect(where(AMI)).toEqual([['ec2-ami', `EC2NodeClass/${nodeClass} spec.amiSelectorTerms[1].id`]]);
    expect(where(KMS_KEY)).toEqual([['kms-key', `EC2NodeClass/${nodeClass} spec.blockDeviceMappings[0].ebs.kmsKeyID`]]);
    expect(where(SUBNET_ALB[1])).toEqual([['ec2-subnet', `IngressClassParams/${ns}-internal spec.subnets.ids[1]`]]);
    expect(where(ACCESS_POINT)).toEqual([['efs-access-point', `PersistentVolume/${ns}-efs spec.csi.volumeHandle`]]);
    expect(where(FILE_SYSTEM)).toEqual([['efs-file-system', `PersistentVolume/${ns}-efs spec.csi.volumeHandle`]]);
    expect(manifest.awsDependencies.filter((d) => d.references.some((r) => r.kind === 'CustomResourceDefinition'))).toEqual([]);
  });

  it('restores every object, translates what can be, and lists every other source id, region, zone, account and cluster name with its object', async () => {
    const { response } = await invokeBundle<RestoreResponse>({
      action: 'restore', includeNamespaces: [ns], includeResources: RESOURCES, identifierMap, zoneMap,
      source: { clusterName: SRC.cluster, region: SRC.region, recoveryPointId: 'latest-any' },
    }, recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix }));
    const ours = new Set([...corpus.map((c) => c.row), ...crdNames.map((n) => `${CRDS}//${n}`)]);
    expect(response.failures.filter((f) => ours.has(`${f.resource}/${f.namespace ?? ''}/${f.name}`))).toEqual([]);

    // Every object of ours is created, with exactly these rewrites.
    const report = await readJson<{ objects: ReportRow[] }>(response.report);
    const rows = new Map(report.objects.map((r) => [`${r.resource}/${r.namespace ?? ''}/${r.name}`, r]));
    for (const { row } of corpus) expect([row, rows.get(row)?.outcome]).toEqual([row, 'created']);
    for (const name of crdNames) expect(['created', 'exists']).toContain(rows.get(`${CRDS}//${name}`)?.outcome);
    const rewritesOf = (name: string) => rows.get(corpus.find((c) => c.object.metadata.name === name)!.row)?.rewrites ?? [];
    const karpenterTag = (terms: string, i: number) => `spec.${terms}[${i}].tags["karpenter.sh/discovery"]`;
    // In document order (the API server keeps a custom resource's keys sorted).
    expect(rewritesOf(nodeClass)).toEqual([
      { path: karpenterTag('securityGroupSelectorTerms', 0), from: SRC.cluster, to: DST.cluster, kind: 'cluster-name' },
      { path: karpenterTag('subnetSelectorTerms', 0), from: SRC.cluster, to: DST.cluster, kind: 'cluster-name' },
      { path: 'spec.subnetSelectorTerms[1].id', from: SUBNET_MAPPED, to: SUBNET_MAPPED_RECOVERY, kind: 'identifier' },
    ]);
    expect(rewritesOf(`${ns}-internal`)).toEqual([]);
    expect(rewritesOf('aws-secrets')).toEqual([{ path: 'spec.provider.aws.region', from: SRC.region, to: DST.region, kind: 'region' }]);
    expect(rewritesOf(`${ns}-parameters`)).toEqual([{ path: 'spec.provider.aws.region', from: SRC.region, to: DST.region, kind: 'region' }]);
    expect(rewritesOf('ecr-pull')).toEqual([{ path: 'spec.region', from: SRC.region, to: DST.region, kind: 'region' }]);
    const args = 'spec.template.spec.containers[0].args';
    expect(rewritesOf('aws-load-balancer-controller')).toEqual([
      { path: `${args}[0]`, from: SRC.cluster, to: DST.cluster, kind: 'cluster-name' },
      { path: `${args}[2]`, from: SRC.region, to: DST.region, kind: 'region' },
    ]);
    expect(rewritesOf('karpenter')).toEqual([{ path: 'spec.template.spec.containers[0].env[0].value', from: SRC.cluster, to: DST.cluster, kind: 'cluster-name' }]);
    expect(rewritesOf('orders-config')).toEqual([]);
    expect(rewritesOf(`${ns}-gp3`)).toEqual([
      { path: 'allowedTopologies[0].matchLabelExpressions[0].values[0]', from: zone(SRC.region, 'a'), to: zone(DST.region, 'a'), kind: 'zone' },
    ]);
    expect(rewritesOf(`${ns}-ebs`)).toEqual([
      { path: 'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]', from: zone(SRC.region, 'a'), to: zone(DST.region, 'a'), kind: 'zone' },
    ]);
    expect(rewritesOf(`${ns}-efs`)).toEqual([{ path: 'spec.csi.volumeHandle', from: FILE_SYSTEM, to: FILE_SYSTEM_RECOVERY, kind: 'identifier' }]);
    expect(response.translations).toMatchObject({ identifiers: expect.any(Number), regions: expect.any(Number), zones: expect.any(Number), clusterNames: expect.any(Number) });
    expect(response.translations['clusterNames']).toBeGreaterThanOrEqual(4);
    expect(response.translations['zones']).toBeGreaterThanOrEqual(2);

    // Each restored object equals its source but for exactly those rewrites.
    for (const { resource, collection, object, row } of corpus) {
      const source = prepareForRestore(resource, await read(primary, collection, object.metadata.name));
      const restored = prepareForRestore(resource, await read(recovery, collection, object.metadata.name));
      expect(restored).toEqual(rewritten(source, rows.get(row)?.rewrites ?? []));
    }

    // What stays is listed with its object, exactly; CRDs never are.
    const listed = response.untranslatedReferences
      .map((r) => ({ ...r, objects: r.objects.filter((o) => corpus.some((c) => c.label === o) || o.startsWith('CustomResourceDefinition/')) }))
      .filter((r) => r.objects.length > 0);
    const ec2NodeClass = labelOf(nodeClass);
    const config = labelOf('orders-config');
    expect(listed).toEqual([
      { type: 'account-id', id: SRC.account, objects: [config] },
      { type: 'availability-zone', id: zone(SRC.region, 'b'), objects: [labelOf(`${ns}-gp3`)] },
      // A ConfigMap value, and a tag key of the EC2NodeClass (keys are never rewritten).
      { type: 'cluster-name', id: SRC.cluster, objects: [config, ec2NodeClass].sort() },
      { type: 'ebs-volume', id: VOLUME, objects: [labelOf(`${ns}-ebs`)] },
      { type: 'ec2-ami', id: AMI, objects: [ec2NodeClass] },
      { type: 'ec2-security-group', id: SG_NODES, objects: [ec2NodeClass] },
      ...[SUBNET_NODES, ...SUBNET_ALB].map((subnet) => ({ type: 'ec2-subnet', id: subnet, objects: [subnet === SUBNET_NODES ? ec2NodeClass : labelOf(`${ns}-internal`)] }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
      { type: 'ec2-vpc', id: VPC, objects: [labelOf('aws-load-balancer-controller')] },
      { type: 'efs-access-point', id: ACCESS_POINT, objects: [labelOf(`${ns}-efs`)] },
      // A role ARN in a custom resource is not a known field: it is listed, not rewritten.
      { type: 'iam-role', id: ESO_ROLE, objects: [labelOf('aws-secrets')] },
      { type: 'kms-key', id: KMS_KEY, objects: [ec2NodeClass] },
      { type: 'region', id: SRC.region, objects: [config] },
    ]);

    // The oracle: every source value left in a restored object is accounted for by a listed reference of that
    // object (the recovery-side ids the operator mapped to are not source values).
    const recoverySide = new Set(Object.values(identifierMap));
    for (const { collection, object, label } of corpus) {
      const restored = await read(recovery, collection, object.metadata.name);
      for (const value of sourceValues(restored).filter((v) => !recoverySide.has(v))) {
        const accounted = listed.some((r) => r.objects.includes(label) && (r.id === value || r.id.includes(value)));
        expect([label, value, accounted]).toEqual([label, value, true]);
      }
    }
    // And the recovery cluster's own CRDs carry their documentation as written.
    const restoredCrd = await read(recovery, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', 'ec2nodeclasses.karpenter.k8s.aws');
    expect(JSON.stringify(restoredCrd['spec'])).toContain(`subnet-0123456789abcdef0 in ${SRC.region}a`);
  });

  it('refuses a zoneMap whose key is not a zone of the source region, naming the field, and writes nothing', async () => {
    const before = await recovery.snapshot();
    const { response } = await invokeBundle<RestoreResponse>({
      action: 'restore', includeNamespaces: [ns], includeResources: RESOURCES, dryRun: true,
      zoneMap: { 'eu-west-1a': zone(DST.region, 'a') },
      source: { clusterName: SRC.cluster, region: SRC.region, recoveryPointId: 'latest-any' },
    }, recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix }));
    expect(response.status).toBe('FAILED');
    expect(response.problems).toEqual([`zoneMap["eu-west-1a"]: eu-west-1a is not a zone of the source region ${SRC.region}`]);
    expect(await recovery.snapshot()).toEqual(before);
  });
});
