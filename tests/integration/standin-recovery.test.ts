import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mintEksToken } from '../../lib/eks';
import { atLeast } from '../standin/kubeVersion';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { unique } from './helpers';

// The recovery cluster the restore tests write into: a second real API server in another account and
// region, with its own CA, DescribeCluster and webhook, sharing moto (S3/STS) and the bucket.
const primary = StandInClient.fromEnv();
const recovery = StandInClient.fromEnv('recovery');
const creds = (c: RoleCredentials) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken });
const tokenFor = async (c: StandInClient, role: RoleCredentials) =>
  (await mintEksToken({ clusterName: c.conn.clusterName, region: c.conn.region, credentials: creds(role) })).token;

let delegate: RoleCredentials;
let primaryAdmin: RoleCredentials;

beforeAll(async () => {
  delegate = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName!);
  primaryAdmin = await primary.issueRoleCredentials(unique('primary-admin'));
  await primary.setAwsAuth([{ rolearn: primaryAdmin.roleArn, username: 'primary-admin', groups: ['system:masters'] }]);
});

afterAll(async () => {
  await primary.setAwsAuth([]);
});

describe('the recovery cluster', () => {
  it('is a second API server of the same version, in account 444455556666 and us-west-2, with the same moto and bucket', async () => {
    expect(recovery.conn).toMatchObject({
      clusterName: 'standin-dr', region: 'us-west-2', account: '444455556666',
      delegateRoleName: 'ArpioPrimaryK8sDel-444455556666-us-west-2',
      motoUrl: primary.conn.motoUrl, bucket: primary.conn.bucket, kubernetesVersion: primary.conn.kubernetesVersion,
    });
    expect(primary.conn.delegateRoleName).toBeUndefined();
    for (const field of ['apiServerUrl', 'controlUrl', 'caPem', 'adminToken'] as const) expect(recovery.conn[field]).not.toBe(primary.conn[field]);
    const [p, r] = await Promise.all([primary.serverVersion(), recovery.serverVersion()]);
    expect(atLeast(r, 1, 20)).toBe(true);
    expect(r).toEqual(p);
  });

  it('keeps its own objects: an object created in one cluster is not in the other', async () => {
    const name = unique('only-in-recovery');
    await recovery.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    try {
      expect((await recovery.kube('GET', `/api/v1/namespaces/${name}`)).status).toBe(200);
      expect((await primary.kube('GET', `/api/v1/namespaces/${name}`)).status).toBe(404);
    } finally {
      await recovery.delete(`/api/v1/namespaces/${name}`);
    }
  });

  it('is described by its own EKS API: ARN in us-west-2 and 444455556666, its endpoint and CA', async () => {
    const eks = new EKSClient({ region: 'us-west-2', endpoint: recovery.conn.controlUrl, credentials: creds(delegate) });
    try {
      const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'standin-dr' }));
      expect(cluster).toMatchObject({
        name: 'standin-dr', arn: 'arn:aws:eks:us-west-2:444455556666:cluster/standin-dr', status: 'ACTIVE',
        endpoint: recovery.conn.apiServerUrl, version: recovery.conn.kubernetesVersion,
      });
      expect(Buffer.from(cluster!.certificateAuthority!.data!, 'base64').toString()).toBe(recovery.conn.caPem);
      // The primary cluster is not known there, as another region's cluster would not be.
      await expect(eks.send(new DescribeClusterCommand({ name: primary.conn.clusterName }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      eks.destroy();
    }
  });

  it('issues delegate credentials that STS reports as the role in account 444455556666', async () => {
    expect(delegate.roleArn).toBe('arn:aws:iam::444455556666:role/ArpioPrimaryK8sDel-444455556666-us-west-2');
    const sts = new STSClient({ region: 'us-west-2', endpoint: recovery.conn.motoUrl, credentials: creds(delegate) });
    try {
      const me = await sts.send(new GetCallerIdentityCommand({}));
      expect(me.Account).toBe('444455556666');
      expect(me.Arn).toBe(`arn:aws:sts::444455556666:assumed-role/${recovery.conn.delegateRoleName}/delegate`);
    } finally {
      sts.destroy();
    }
  });

  it('gives the delegate an environment for the recovery cluster, reading the shared bucket', async () => {
    const env = recovery.delegateEnv(delegate);
    expect(env).toMatchObject({
      AWS_REGION: 'us-west-2', CLUSTER_NAME: 'standin-dr', RECOVERY_BUCKET: primary.conn.bucket,
      AWS_ENDPOINT_URL_EKS: recovery.conn.controlUrl, AWS_ENDPOINT_URL_S3: primary.conn.motoUrl, AWS_ENDPOINT_URL_STS: primary.conn.motoUrl,
      AWS_ACCESS_KEY_ID: delegate.accessKeyId,
    });
    // What the primary's delegate wrote, the recovery account's delegate can read (moto keeps one bucket namespace).
    const key = `${unique('cross-account')}/manifest.json`;
    const admin = primary.s3();
    const asDelegate = new S3Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true, credentials: creds(delegate) });
    try {
      await admin.send(new PutObjectCommand({ Bucket: primary.conn.bucket, Key: key, Body: '{"written":"by the primary"}' }));
      const got = await asDelegate.send(new GetObjectCommand({ Bucket: env.RECOVERY_BUCKET, Key: key }));
      expect(await got.Body!.transformToString()).toBe('{"written":"by the primary"}');
    } finally {
      admin.destroy();
      asDelegate.destroy();
    }
  });
});

describe('authentication across the two clusters', () => {
  it('maps the recovery delegate role to system:masters in the recovery cluster', async () => {
    const token = await tokenFor(recovery, delegate);
    const review = await recovery.kubeAs(token, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: '*', group: '*', resource: '*' } },
    });
    expect(review.status).toBe(201);
    expect(review.json<{ status: { allowed: boolean } }>().status.allowed).toBe(true);
    expect((await recovery.recentReviews()).at(-1)).toEqual({ authenticated: true, username: 'eks-delegate' });
    const awsAuth = await recovery.kube('GET', '/api/v1/namespaces/kube-system/configmaps/aws-auth');
    expect(awsAuth.json<{ data: { mapRoles: string } }>().data.mapRoles).toContain('- system:masters');
  });

  it('does not let the recovery delegate role into the primary cluster', async () => {
    const token = await tokenFor(primary, delegate);
    expect((await primary.kubeAs(token, 'GET', '/api/v1/namespaces')).status).toBe(401);
    expect((await primary.recentReviews()).at(-1)).toEqual({ authenticated: false, reason: `ARN ${delegate.roleArn} is not mapped` });
  });

  it('does not let a role of the primary account into the recovery cluster, though the primary maps it to system:masters', async () => {
    expect((await primary.kubeAs(await tokenFor(primary, primaryAdmin), 'GET', '/api/v1/namespaces')).status).toBe(200);
    const token = await tokenFor(recovery, primaryAdmin);
    expect((await recovery.kubeAs(token, 'GET', '/api/v1/namespaces')).status).toBe(401);
    expect((await recovery.recentReviews()).at(-1)).toEqual({ authenticated: false, reason: `ARN ${primaryAdmin.roleArn} is not mapped` });
  });

  it('rejects a token minted for the primary cluster name at the recovery cluster', async () => {
    const token = await tokenFor(primary, delegate);
    expect((await recovery.kubeAs(token, 'GET', '/version')).status).toBe(401);
  });
});

describe('snapshot()', () => {
  it('is unchanged by a dry-run create and by writes to the other cluster, and changed by one real create', async () => {
    const before = await recovery.snapshot();
    expect(before.get('namespaces/kube-system')).toEqual(expect.any(String));
    expect(before.get('configmaps/kube-system/aws-auth')).toEqual(expect.any(String));
    expect([...before.keys()].some((k) => k.startsWith('events/') || k.startsWith('leases.coordination.k8s.io/kube-system/'))).toBe(false);

    const name = unique('snap');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '1' } };
    expect((await recovery.kube('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm)).status).toBe(201);
    await primary.apply('/api/v1/namespaces/default/configmaps', cm);
    try {
      expect(await recovery.snapshot()).toEqual(before);

      await recovery.apply('/api/v1/namespaces/default/configmaps', cm);
      const after = await recovery.snapshot();
      expect([...after.keys()].filter((k) => !before.has(k))).toEqual([`configmaps/default/${name}`]);
      expect([...before].filter(([k, rv]) => after.get(k) !== rv)).toEqual([]);
    } finally {
      await recovery.delete(`/api/v1/namespaces/default/configmaps/${name}`);
      await primary.delete(`/api/v1/namespaces/default/configmaps/${name}`);
    }
    expect(await recovery.snapshot()).toEqual(before);
  });

  it('sees an update as a changed resourceVersion', async () => {
    const name = unique('snap-update');
    await recovery.apply('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '1' } });
    try {
      const before = await recovery.snapshot();
      await recovery.apply('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '2' } });
      const after = await recovery.snapshot();
      expect([...after].filter(([k, rv]) => before.get(k) !== rv).map(([k]) => k)).toEqual([`configmaps/default/${name}`]);
    } finally {
      await recovery.delete(`/api/v1/namespaces/default/configmaps/${name}`);
    }
  });
});
