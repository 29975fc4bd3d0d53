import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { decodeEksToken, mintEksToken } from '../../lib/eks';
import { atLeast, majorMinor, parseKubeVersion } from '../standin/kubeVersion';
import { StandInClient, type RoleCredentials } from '../standin/StandInClient';
import { CLI, delegateNode, run, unique } from './helpers';

// The delegate's token against the real kube-apiserver, through the token webhook that implements
// aws-iam-authenticator's checks: what is accepted, and what must be rejected with 401.
const standIn = StandInClient.fromEnv();
const { clusterName, region } = standIn.conn;
let admin: RoleCredentials;
let unmapped: RoleCredentials;

const creds = (c: RoleCredentials) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken });

beforeAll(async () => {
  admin = await standIn.issueRoleCredentials(unique('delegate-admin'));
  unmapped = await standIn.issueRoleCredentials(unique('delegate-unmapped'));
  await standIn.setAwsAuth([{ rolearn: admin.roleArn, username: 'eks-delegate:{{SessionName}}', groups: ['system:masters'] }]);
});

afterAll(async () => {
  await standIn.setAwsAuth([]);
});

describe('a token minted by the delegate', () => {
  it('reads /version and passes a SelfSubjectAccessReview', async () => {
    const { token } = await mintEksToken({ clusterName, region, credentials: creds(admin) });
    const version = await standIn.kubeAs(token, 'GET', '/version');
    expect(version.status).toBe(200);
    // Any server the stand-in runs (1.20 built here, a current one through KUBEBUILDER_ASSETS): at least 1.20,
    // and the version DescribeCluster reports.
    const served = parseKubeVersion(version.json<{ gitVersion: string }>().gitVersion);
    expect(atLeast(served, 1, 20)).toBe(true);
    expect(majorMinor(served)).toBe(standIn.conn.kubernetesVersion);

    const review = await standIn.kubeAs(token, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'list', resource: 'secrets' } },
    });
    expect(review.status).toBe(201);
    expect(review.json<{ status: { allowed: boolean } }>().status.allowed).toBe(true);
  });

  it('is mapped to the aws-auth username with the session name filled in', async () => {
    const { token } = await mintEksToken({ clusterName, region, credentials: creds(admin) });
    expect((await standIn.kubeAs(token, 'GET', '/api/v1/namespaces')).status).toBe(200);
    const last = (await standIn.recentReviews()).at(-1);
    expect(last).toEqual({ authenticated: true, username: 'eks-delegate:delegate' });
  });

  it('is rejected with 401 when signed for another cluster name', async () => {
    const { token } = await mintEksToken({ clusterName: 'some-other-cluster', region, credentials: creds(admin) });
    expect((await standIn.kubeAs(token, 'GET', '/version')).status).toBe(401);
  });

  it('is rejected with 401 when older than 15 minutes', async () => {
    const { token } = await mintEksToken({ clusterName, region, credentials: creds(admin), now: new Date(Date.now() - 16 * 60_000) });
    expect((await standIn.kubeAs(token, 'GET', '/version')).status).toBe(401);
    // ...while one 14 minutes old is still accepted: the limit is the server's 15 minutes, not less.
    const { token: older } = await mintEksToken({ clusterName, region, credentials: creds(admin), now: new Date(Date.now() - 14 * 60_000) });
    expect((await standIn.kubeAs(older, 'GET', '/version')).status).toBe(200);
  });

  it('is rejected with 401 when its signature is tampered with', async () => {
    const { token } = await mintEksToken({ clusterName, region, credentials: creds(admin) });
    const url = decodeEksToken(token);
    const sig = url.searchParams.get('X-Amz-Signature')!;
    url.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    const tampered = `k8s-aws-v1.${Buffer.from(url.toString()).toString('base64url')}`;
    expect((await standIn.kubeAs(tampered, 'GET', '/version')).status).toBe(401);
  });

  it('is rejected with 401 when signed with the wrong secret key', async () => {
    const { token } = await mintEksToken({ clusterName, region, credentials: { ...creds(admin), secretAccessKey: 'not-the-secret' } });
    expect((await standIn.kubeAs(token, 'GET', '/version')).status).toBe(401);
  });

  it('is rejected with 401 when the role is not mapped', async () => {
    const { token } = await mintEksToken({ clusterName, region, credentials: creds(unmapped) });
    expect((await standIn.kubeAs(token, 'GET', '/version')).status).toBe(401);
    expect((await standIn.recentReviews()).at(-1)).toEqual({ authenticated: false, reason: `ARN ${unmapped.roleArn} is not mapped` });
  });
});

describe('the reference client', () => {
  it('`aws eks get-token` (AWS CLI) produces a token of the same shape that the same server accepts', async () => {
    const out = await run('/usr/bin/aws', ['eks', 'get-token', '--cluster-name', clusterName, '--region', region], {
      AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: admin.sessionToken,
    });
    expect(out.code).toBe(0);
    const reference = (JSON.parse(out.stdout) as { status: { token: string } }).status.token;
    const { token } = await mintEksToken({ clusterName, region, credentials: creds(admin) });
    const [a, b] = [decodeEksToken(reference), decodeEksToken(token)];
    expect(b.host).toBe(a.host);
    expect([...b.searchParams.keys()].sort()).toEqual([...a.searchParams.keys()].sort());
    for (const p of ['Action', 'Version', 'X-Amz-Algorithm', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token']) {
      expect(b.searchParams.get(p)).toBe(a.searchParams.get(p));
    }
    expect((await standIn.kubeAs(reference, 'GET', '/version')).status).toBe(200);
  });
});

describe('the CLI as a kubectl exec credential plugin', () => {
  it('lets a real kubectl list namespaces of the local API server, with the kubeconfig the CLI writes', async () => {
    const generated = await run(delegateNode(), [CLI, 'kubeconfig', '--cluster-name', clusterName, '--region', region], {
      AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: admin.sessionToken,
      AWS_ENDPOINT_URL_EKS: standIn.conn.controlUrl, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    const config = JSON.parse(generated.stdout) as { users: Array<{ user: { exec: { command: string; args: string[] } } }>; clusters: Array<{ cluster: { server: string } }> };
    expect(config.clusters[0]!.cluster.server).toBe(standIn.conn.apiServerUrl);
    expect(config.users[0]!.user.exec).toMatchObject({ command: delegateNode(), args: [CLI, 'token', '--cluster-name', clusterName, '--region', region] });
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, generated.stdout);
    const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p)) ?? 'kubectl';
    const out = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'namespaces', '-o', 'name'], {
      AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: admin.sessionToken,
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']));

    // The same kubeconfig in another real client, @kubernetes/client-node, which runs the exec plugin itself.
    // (Jest sandboxes process.env, so the role's credentials go through the exec entry's env list.)
    const kc = new KubeConfig();
    kc.loadFromString(generated.stdout);
    const exec = kc.getCurrentUser()?.exec as { env?: Array<{ name: string; value: string }> } | undefined;
    expect(exec).toBeDefined();
    exec!.env = Object.entries({ AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: admin.sessionToken })
      .map(([name, value]) => ({ name, value }));
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
  });

  it('prints an ExecCredential with an expiration 14 minutes out', async () => {
    const out = await run(delegateNode(), [CLI, 'token', '--cluster-name', clusterName, '--region', region], {
      AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey, AWS_SESSION_TOKEN: admin.sessionToken,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    // kubectl shows an exec plugin's stderr to its user: nothing there, on Node 22 too (DEP0040 once was).
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const cred = JSON.parse(out.stdout) as { kind: string; apiVersion: string; status: { token: string; expirationTimestamp: string } };
    expect(cred.kind).toBe('ExecCredential');
    expect(cred.apiVersion).toBe('client.authentication.k8s.io/v1beta1');
    const minutes = (Date.parse(cred.status.expirationTimestamp) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(13);
    expect(minutes).toBeLessThanOrEqual(14);
    expect((await standIn.kubeAs(cred.status.token, 'GET', '/version')).status).toBe(200);
  });
});
