import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { prepareForRestore } from '../../lib/restore';
import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { mapRestoreDelegates } from './restoreDelegates';
import { invokeBundle, unique } from './helpers';

// Issue 13 end to end: a cross-account, cross-region restore (primary 123456789012/us-east-1 -> recovery
// 444455556666/us-west-2) through the bundled handler, with the objects read back from the recovery cluster.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const prefix = `xlate/${unique('run')}/`;
const ns = unique('xlate');
const pvMapped = `${ns}-mapped`;
const pvUnmapped = `${ns}-unmapped`;
const SRC = { account: primary.conn.account, region: primary.conn.region };
const DST = { account: recovery.conn.account, region: recovery.conn.region };

const suffix = ns.slice('xlate-'.length);
const volumeId = (): string => `vol-0${randomBytes(8).toString('hex')}`;
const IRSA_ROLE = `arn:aws:iam::${SRC.account}:role/orders-irsa-${suffix}`;
const NODE_ROLE = `arn:aws:iam::${SRC.account}:role/node-role-${suffix}`;
const NODE_ROLE_RECOVERY = `arn:aws:iam::${DST.account}:role/recovery-node-role`;
const OWN_IMAGE = `${SRC.account}.dkr.ecr.${SRC.region}.amazonaws.com/shop/orders:1.4.2`;
// Another account's registry, in a third region (not the failed one): it is theirs, never moved.
const VENDOR_IMAGE = '210987654321.dkr.ecr.eu-west-1.amazonaws.com/vendor/agent:3.1';
const PUBLIC_IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const TOPIC = `arn:aws:sns:${SRC.region}:${SRC.account}:order-events-${suffix}`;
const BUCKET_NAME = `orders-archive-${suffix}`;
const CERT = `arn:aws:acm:${SRC.region}:${SRC.account}:certificate/${randomUUID()}`;
const CERT_RECOVERY = `arn:aws:acm:${DST.region}:${DST.account}:certificate/${randomUUID()}`;
const VOLUME_MAPPED = volumeId();
const VOLUME_RECOVERY = volumeId();
const VOLUME_UNMAPPED = volumeId();
const identifierMap = { [CERT]: CERT_RECOVERY, [VOLUME_MAPPED]: VOLUME_RECOVERY };
// What the recovery point holds of this test (kube-system too: aws-auth); cluster-scoped types other tests
// create (storage classes, CRDs, webhooks) are left out. Other tests' PVs remain and are filtered below.
const RESOURCES = ['namespaces', 'serviceaccounts', 'deployments.apps', 'ingresses.networking.k8s.io', 'persistentvolumes', 'configmaps'];

const to = (arn: string): string => arn.replace(`:${SRC.region}:`, `:${DST.region}:`).replace(`:${SRC.account}:`, `:${DST.account}:`);
const OUR_OBJECTS = {
  sa: { collection: `/api/v1/namespaces/${ns}/serviceaccounts`, name: 'orders', row: `serviceaccounts/${ns}/orders`, label: `ServiceAccount/${ns}/orders` },
  deployment: { collection: `/apis/apps/v1/namespaces/${ns}/deployments`, name: 'orders', row: `deployments.apps/${ns}/orders`, label: `Deployment/${ns}/orders` },
  ingress: { collection: `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`, name: 'shop', row: `ingresses.networking.k8s.io/${ns}/shop`, label: `Ingress/${ns}/shop` },
  pvMapped: { collection: '/api/v1/persistentvolumes', name: pvMapped, row: `persistentvolumes//${pvMapped}`, label: `PersistentVolume/${pvMapped}` },
  pvUnmapped: { collection: '/api/v1/persistentvolumes', name: pvUnmapped, row: `persistentvolumes//${pvUnmapped}`, label: `PersistentVolume/${pvUnmapped}` },
  awsAuth: { collection: '/api/v1/namespaces/kube-system/configmaps', name: 'aws-auth', row: 'configmaps/kube-system/aws-auth', label: 'ConfigMap/kube-system/aws-auth' },
  namespace: { collection: '/api/v1/namespaces', name: ns, row: `namespaces//${ns}`, label: `Namespace/${ns}` },
};
const OUR_LABELS = new Set(Object.values(OUR_OBJECTS).map((o) => o.label));

let sourceCreds: RoleCredentials;
let recoveryCreds: RoleCredentials;

interface Rewrite { path: string; from: string; to: string; kind: string }
interface UntranslatedReference { type: string; id: string; objects: string[]; objectsTruncated?: number }
interface RestoreResponse {
  status: string; dryRun: boolean; reason?: string; error?: string; problems?: string[];
  created: number; updated: number; failed: number; report: string;
  skipped: Record<string, number>;
  failures: Array<{ resource: string; namespace?: string; name: string; error: string }>;
  translations: { arns: number; images: number; identifiers: number; regions: number; zones: number; clusterNames: number };
  untranslatedReferences: UntranslatedReference[];
}
interface ReportRow { resource: string; namespace?: string; name: string; outcome: string; reason?: string; rewrites?: Rewrite[] }

function restore(extra: Record<string, unknown> = {}): Promise<RestoreResponse> {
  return invokeBundle<RestoreResponse>({
    action: 'restore', includeNamespaces: [ns, 'kube-system'], includeResources: RESOURCES, identifierMap,
    source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId: 'latest-any' },
    ...extra,
  }, recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix })).then((r) => r.response);
}

async function reportRows(location: string): Promise<Map<string, ReportRow>> {
  const key = location.replace(`s3://${bucket}/`, '');
  const report = JSON.parse((await getObjectBytes(s3, bucket, key)).toString('utf8')) as { objects: ReportRow[] };
  return new Map(report.objects.map((r) => [`${r.resource}/${r.namespace ?? ''}/${r.name}`, r]));
}

async function read(c: StandInClient, collection: string, name: string): Promise<KubeObject> {
  const res = await c.kube('GET', `${collection}/${encodeURIComponent(name)}`);
  if (res.status !== 200) throw new Error(`GET ${collection}/${name}: ${res.status} ${res.body}`);
  return res.json<KubeObject>();
}

function mapRolesOf(configMap: KubeObject): Array<{ rolearn: string; username: string; groups: string[] }> {
  return parseYaml((configMap['data'] as { mapRoles: string }).mapRoles) as Array<{ rolearn: string; username: string; groups: string[] }>;
}

/** Sets `value` at a dotted path of plain keys and numeric indexes (`spec.template.spec.containers.0.image`). */
function setAt(object: Record<string, unknown>, path: Array<string | number>, value: string): void {
  let current: unknown = object;
  for (const key of path.slice(0, -1)) current = (current as Record<string | number, unknown>)[key];
  (current as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

/** Seeds the objects of issue 13's scenario in the primary. */
async function seed(c: StandInClient, namespace: string, withVolumes: boolean): Promise<void> {
  await c.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await c.apply(`/api/v1/namespaces/${namespace}/serviceaccounts`, {
    apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'orders', namespace, annotations: { 'eks.amazonaws.com/role-arn': IRSA_ROLE } },
  });
  await c.apply(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders', namespace, labels: { app: 'orders' } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'orders' } },
      template: {
        metadata: { labels: { app: 'orders' } },
        spec: {
          serviceAccountName: 'orders',
          containers: [
            { name: 'orders', image: OWN_IMAGE, env: [{ name: 'ORDER_TOPIC', value: TOPIC }, { name: 'ARCHIVE_BUCKET', value: BUCKET_NAME }], args: ['--region', SRC.region] },
            { name: 'agent', image: VENDOR_IMAGE },
            { name: 'proxy', image: PUBLIC_IMAGE },
          ],
        },
      },
    },
  });
  await c.apply(`/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`, {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: {
      name: 'shop', namespace,
      annotations: { 'kubernetes.io/ingress.class': 'alb', 'alb.ingress.kubernetes.io/scheme': 'internet-facing', 'alb.ingress.kubernetes.io/certificate-arn': CERT },
    },
    spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } }] } }] },
  });
  if (!withVolumes) return;
  await c.apply('/api/v1/persistentvolumes', {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pvMapped },
    spec: { capacity: { storage: '20Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: VOLUME_MAPPED, fsType: 'ext4' } },
  });
  await c.apply('/api/v1/persistentvolumes', {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pvUnmapped },
    spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
      awsElasticBlockStore: { volumeID: VOLUME_UNMAPPED, fsType: 'ext4' } },
  });
}

beforeAll(async () => {
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('xlate-source'), { source: NODE_ROLE, recovery: NODE_ROLE_RECOVERY }));
  await seed(primary, ns, true);
  const backup = await invokeBundle<{ status: string }>(
    { action: 'backup', includeNamespaces: [ns, 'kube-system'], includeResources: RESOURCES },
    primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix }),
  );
  expect(backup.response.status).toBe('COMPLETED');
}, 120_000);
afterAll(() => s3.destroy());

describe(`translation across accounts and regions (${primary.conn.account}/${primary.conn.region} -> recovery cluster)`, () => {
  // The rewrites each of our objects must carry, in document order; nothing else of ours is rewritten.
  const expectedRewrites = (): Record<string, Rewrite[]> => ({
    [OUR_OBJECTS.sa.row]: [{ path: 'metadata.annotations["eks.amazonaws.com/role-arn"]', from: IRSA_ROLE, to: IRSA_ROLE.replace(SRC.account, DST.account), kind: 'arn' }],
    [OUR_OBJECTS.deployment.row]: [
      { path: 'spec.template.spec.containers[0].image', from: OWN_IMAGE, to: `${DST.account}.dkr.ecr.${DST.region}.amazonaws.com/shop/orders:1.4.2`, kind: 'image' },
      // `--region <source region>`: the SDK reads it, it follows the recovery region (issue 24).
      { path: 'spec.template.spec.containers[0].args[1]', from: SRC.region, to: DST.region, kind: 'region' },
      { path: 'spec.template.spec.containers[0].env[0].value', from: TOPIC, to: to(TOPIC), kind: 'arn' },
    ],
    [OUR_OBJECTS.ingress.row]: [{ path: 'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]', from: CERT, to: CERT_RECOVERY, kind: 'identifier' }],
    [OUR_OBJECTS.pvMapped.row]: [{ path: 'spec.csi.volumeHandle', from: VOLUME_MAPPED, to: VOLUME_RECOVERY, kind: 'identifier' }],
    [OUR_OBJECTS.awsAuth.row]: [
      { path: 'data.mapRoles[0].rolearn', from: sourceCreds.roleArn, to: sourceCreds.roleArn.replace(SRC.account, DST.account), kind: 'arn' },
      { path: 'data.mapRoles[1].rolearn', from: NODE_ROLE, to: NODE_ROLE.replace(SRC.account, DST.account), kind: 'arn' },
    ],
  });

  const isOurs = (r: UntranslatedReference): boolean => r.objects.some((o) => OUR_LABELS.has(o));

  function expectOurReferences(response: RestoreResponse): void {
    // Other tests' cluster-scoped objects (their PVs) may be in the recovery point: only ours are judged, and
    // of ours exactly one reference still points at the failed account/region, the unmapped volume.
    expect(response.untranslatedReferences.filter(isOurs)).toEqual([{ type: 'ebs-volume', id: VOLUME_UNMAPPED, objects: [OUR_OBJECTS.pvUnmapped.label] }]);
    const ourValues = [IRSA_ROLE, NODE_ROLE, sourceCreds.roleArn, OWN_IMAGE, TOPIC, CERT, VOLUME_MAPPED, VENDOR_IMAGE, PUBLIC_IMAGE, BUCKET_NAME];
    // Nor is any of our other values listed by way of an object whose label was truncated away.
    expect(response.untranslatedReferences.filter((r) => ourValues.some((v) => r.id.includes(v)))).toEqual([]);
  }

  it('a dry run reports every rewrite, object by object, and changes nothing in the recovery cluster', async () => {
    const before = await recovery.snapshot();
    const dry = await restore({ dryRun: true });
    expect(await recovery.snapshot()).toEqual(before);
    expect(dry).toMatchObject({ status: 'COMPLETED', dryRun: true, failed: 0, failures: [] });
    // 1 IRSA role + 1 SNS topic + 2 aws-auth roles; 1 own ECR image; the certificate and the mapped volume; the region arg.
    expect(dry.translations).toEqual({ arns: 4, images: 1, identifiers: 2, regions: 1, zones: 0, clusterNames: 0 });
    expectOurReferences(dry);

    const rows = await reportRows(dry.report);
    const withRewrites = Object.fromEntries([...rows].filter(([, row]) => row.rewrites !== undefined).map(([key, row]) => [key, row.rewrites]));
    expect(withRewrites).toEqual(expectedRewrites());
    for (const key of [OUR_OBJECTS.namespace.row, OUR_OBJECTS.pvUnmapped.row]) expect(rows.get(key)?.rewrites).toBeUndefined();
    expect(rows.get(OUR_OBJECTS.awsAuth.row)).toMatchObject({ outcome: 'updated', reason: expect.stringMatching(/^merged: 2 mapping\(s\) added/) });

    if (process.env.TRANSLATION_EXAMPLE_OUT) {
      // The README's example output (regenerate: TRANSLATION_EXAMPLE_OUT=<file> npx jest tests/integration/translation.test.ts).
      const { status, dryRun, created, updated, failed, translations, untranslatedReferences } = dry;
      const sample = [OUR_OBJECTS.deployment.row, OUR_OBJECTS.pvMapped.row].map((k) => rows.get(k));
      writeFileSync(process.env.TRANSLATION_EXAMPLE_OUT, `${JSON.stringify({
        event: { action: 'restore', dryRun: true, includeNamespaces: [ns, 'kube-system'], includeResources: RESOURCES, identifierMap, source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId: 'latest-any' } },
        response: { status, dryRun, created, updated, failed, translations, untranslatedReferences: untranslatedReferences.filter(isOurs) },
        reportRows: sample,
      }, null, 2)}\n`);
    }
  });

  it('the real restore writes the translated values, and leaves everything else byte-identical', async () => {
    const real = await restore();
    expect(real).toMatchObject({ status: 'COMPLETED', dryRun: false, failed: 0, failures: [] });
    expect(real.translations).toEqual({ arns: 4, images: 1, identifiers: 2, regions: 1, zones: 0, clusterNames: 0 });
    expectOurReferences(real);
    const rows = await reportRows(real.report);
    for (const [key, rewrites] of Object.entries(expectedRewrites())) expect(rows.get(key)?.rewrites).toEqual(rewrites);

    // Each object equals its source after the changes every restore makes, but for exactly the translated fields.
    const translated: Array<[keyof typeof OUR_OBJECTS, string, Array<[Array<string | number>, string]>]> = [
      ['sa', 'serviceaccounts', [[['metadata', 'annotations', 'eks.amazonaws.com/role-arn'], IRSA_ROLE.replace(SRC.account, DST.account)]]],
      ['deployment', 'deployments.apps', [
        [['spec', 'template', 'spec', 'containers', 0, 'image'], `${DST.account}.dkr.ecr.${DST.region}.amazonaws.com/shop/orders:1.4.2`],
        [['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value'], `arn:aws:sns:${DST.region}:${DST.account}:order-events-${suffix}`],
        [['spec', 'template', 'spec', 'containers', 0, 'args', 1], DST.region],
      ]],
      ['ingress', 'ingresses.networking.k8s.io', [[['metadata', 'annotations', 'alb.ingress.kubernetes.io/certificate-arn'], CERT_RECOVERY]]],
      ['pvMapped', 'persistentvolumes', [[['spec', 'csi', 'volumeHandle'], VOLUME_RECOVERY]]],
      ['pvUnmapped', 'persistentvolumes', []],
    ];
    for (const [which, resource, fields] of translated) {
      const { collection, name } = OUR_OBJECTS[which];
      const expected = prepareForRestore(resource, await read(primary, collection, name));
      for (const [path, value] of fields) setAt(expected, path, value);
      expect(prepareForRestore(resource, await read(recovery, collection, name))).toEqual(expected);
    }
    // The values that matter, read directly rather than through the comparison above.
    const deployment = await read(recovery, OUR_OBJECTS.deployment.collection, 'orders');
    const containers = (deployment['spec'] as { template: { spec: { containers: Array<{ image: string; env?: Array<{ value: string }>; args?: string[] }> } } }).template.spec.containers;
    expect(containers.map((c) => c.image)).toEqual([`${DST.account}.dkr.ecr.${DST.region}.amazonaws.com/shop/orders:1.4.2`, VENDOR_IMAGE, PUBLIC_IMAGE]);
    expect(containers[0]?.env?.map((e) => e.value)).toEqual([`arn:aws:sns:${DST.region}:${DST.account}:order-events-${suffix}`, BUCKET_NAME]);
    expect(containers[0]?.args).toEqual(['--region', DST.region]);
    expect((await read(recovery, '/api/v1/persistentvolumes', pvUnmapped))['spec']).toMatchObject({ awsElasticBlockStore: { volumeID: VOLUME_UNMAPPED } });

    // aws-auth merged: the recovery cluster's own mappings stay, the source's are added with the target's account.
    const sourceRoles = mapRolesOf(await read(primary, OUR_OBJECTS.awsAuth.collection, 'aws-auth'));
    const recoveryRoles = mapRolesOf(await read(recovery, OUR_OBJECTS.awsAuth.collection, 'aws-auth'));
    expect(recoveryRoles).toEqual([
      { rolearn: recoveryCreds.roleArn, username: 'eks-delegate', groups: ['system:masters'] },
      { rolearn: NODE_ROLE_RECOVERY, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      ...sourceRoles.map((r) => ({ ...r, rolearn: r.rolearn.replace(`::${SRC.account}:`, `::${DST.account}:`) })),
    ]);
    expect(recoveryRoles.map((r) => r.rolearn)).toContain(NODE_ROLE.replace(SRC.account, DST.account));
  });

  it('a second run, which finds everything in place, writes nothing and so reports no rewrite', async () => {
    const again = await restore();
    expect(again).toMatchObject({ status: 'COMPLETED', created: 0, updated: 0, failed: 0, translations: { arns: 0, images: 0, identifiers: 0, regions: 0, zones: 0, clusterNames: 0 } });
  });

  it('answers an identifierMap entry of the wrong kind with FAILED invalid-input naming it, and writes nothing', async () => {
    const before = await recovery.snapshot();
    const response = await restore({ identifierMap: { [VOLUME_MAPPED]: CERT_RECOVERY } });
    expect(response).toMatchObject({ status: 'FAILED', reason: 'invalid-input' });
    expect(response.problems).toEqual([
      `identifierMap[${JSON.stringify(VOLUME_MAPPED)}]: the replacement ${JSON.stringify(CERT_RECOVERY)} is not the same kind of identifier as its source (EBS volume ID)`,
    ]);
    expect(await recovery.snapshot()).toEqual(before);
  });
});

describe('same account, same region (a restore into a fresh cluster after a cluster loss)', () => {
  it('rewrites nothing and lists no untranslated reference', async () => {
    const sameNs = unique('xlate-same');
    const copy = `${sameNs}-copy`;
    const samePrefix = `${prefix}same/`;
    await seed(primary, sameNs, false);
    const env = primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: samePrefix });
    const resources = ['namespaces', 'serviceaccounts', 'deployments.apps', 'ingresses.networking.k8s.io'];
    const backup = await invokeBundle<{ status: string }>({ action: 'backup', includeNamespaces: [sameNs], includeResources: resources }, env);
    expect(backup.response.status).toBe('COMPLETED');

    const { response } = await invokeBundle<RestoreResponse>({
      action: 'restore', includeNamespaces: [sameNs], includeResources: resources, namespaceMapping: { [sameNs]: copy },
      source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId: 'latest-any' },
    }, env);
    expect(response).toMatchObject({ status: 'COMPLETED', failed: 0, created: 4, translations: { arns: 0, images: 0, identifiers: 0 }, untranslatedReferences: [] });
    const rows = await reportRows(response.report);
    expect([...rows.values()].filter((r) => r.rewrites !== undefined)).toEqual([]);
    for (const [collection, name, resource] of [
      ['serviceaccounts', 'orders', 'serviceaccounts'], ['deployments', 'orders', 'deployments.apps'], ['ingresses', 'shop', 'ingresses.networking.k8s.io'],
    ] as const) {
      const group = resource === 'serviceaccounts' ? '/api/v1' : resource === 'deployments.apps' ? '/apis/apps/v1' : '/apis/networking.k8s.io/v1';
      const source = prepareForRestore(resource, await read(primary, `${group}/namespaces/${sameNs}/${collection}`, name));
      const restored = prepareForRestore(resource, await read(primary, `${group}/namespaces/${copy}/${collection}`, name));
      expect(restored).toEqual({ ...source, metadata: { ...(source['metadata'] as object), namespace: copy } });
    }
  });
});
