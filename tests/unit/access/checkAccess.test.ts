import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccessCheckError, CallerIdentityError, checkAccess, remediateBackupAccess, UNKNOWN_ROLE_ARN_PLACEHOLDER } from '../../../lib/access';
import { KubeNetworkError } from '../../../lib/kube/errors';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { ALL_RESOURCES, CALLER_ARN, connection, FakeCluster, ROLE_ARN } from './fakeCluster';

const stsMock = mockClient(STSClient);
const sts = new STSClient({ region: 'eu-west-1' });
beforeEach(() => {
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Arn: CALLER_ARN, Account: '111122223333' });
});

const commandsOf = (r: { remediation: Array<{ commands: string[] }> }) => r.remediation.flatMap((x) => x.commands);

describe('checkAccess status', () => {
  it('is ACCESS_OK with every type readable and no remediation', async () => {
    const kube = new FakeCluster();
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report).toMatchObject({ status: 'ACCESS_OK', readable: ALL_RESOURCES, unreadable: [], remediation: [], existingMapping: 'none' });
    expect(report.identity).toMatchObject({ callerArn: CALLER_ARN, roleArn: ROLE_ARN });
    expect(report.summary).toBe(`${ROLE_ARN} can list all 5 resource types of cluster prod`);
  });

  it('is PARTIAL_ACCESS for a view-like role, naming secrets as unreadable and offering the fix', async () => {
    const kube = new FakeCluster({ review: (a) => a.resource !== 'secrets', awsAuth: `- rolearn: ${ROLE_ARN}\n  username: viewer\n  groups: [view]\n` });
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report.status).toBe('PARTIAL_ACCESS');
    expect(report.unreadable).toEqual([{ resource: 'secrets', reason: 'forbidden' }]);
    expect(report.readable).toEqual(ALL_RESOURCES.filter((r) => r !== 'secrets'));
    expect(report.summary).toMatch(/can list 4 of 5 .* without: secrets$/);
    // Mapped in aws-auth already: the fix replaces that mapping.
    expect(report.existingMapping).toBe('aws-auth');
    expect(commandsOf(report)[0]).toMatch(/^eksctl delete iamidentitymapping .* --arn arn:aws:iam::111122223333:role\/eks-delegate-role$/);
  });

  it('is NOT_AUTHENTICATED when discovery answers 401, with eksctl and access-entry commands naming the role ARN', async () => {
    const kube = new FakeCluster({ discoveryStatus: 401 });
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report.status).toBe('NOT_AUTHENTICATED');
    expect(report.existingMapping).toBe('none');
    expect(kube.reviews).toEqual([]);
    const commands = commandsOf(report);
    expect(commands).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^eksctl create iamidentitymapping --cluster prod --region eu-west-1 --arn ${ROLE_ARN} --group system:masters`)),
      expect.stringMatching(new RegExp(`^aws eks create-access-entry .*--principal-arn ${ROLE_ARN} `)),
      expect.stringMatching(/^aws eks associate-access-policy .*AmazonEKSAdminViewPolicy --access-scope type=cluster$/),
    ]));
    expect(commands.some((c) => c.startsWith('eksctl delete'))).toBe(false);
    expect(report.summary).toMatch(/401 Unauthorized: arn:aws:iam::111122223333:role\/eks-delegate-role is not mapped/);
  });

  it('is NO_ACCESS when authenticated but discovery itself is forbidden', async () => {
    const kube = new FakeCluster({ discoveryStatus: 403 });
    const report = await checkAccess({ sts, connection: connection({ authenticationMode: 'API' }), kube });
    expect(report).toMatchObject({ status: 'NO_ACCESS', readable: [], existingMapping: 'access-entry' });
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^API discovery answered 403/)]));
    expect(report.remediation.map((r) => r.kind)).toEqual(['access-entry', 'least-privilege']);
  });

  it('is NO_ACCESS when every review says no', async () => {
    const kube = new FakeCluster({ review: () => false });
    const report = await checkAccess({ sts, connection: connection({ authenticationMode: 'CONFIG_MAP' }), kube });
    expect(report.status).toBe('NO_ACCESS');
    expect(report.unreadable.map((u) => u.resource)).toEqual(ALL_RESOURCES);
    expect(report.existingMapping).toBe('aws-auth');
  });

  it('keeps a type whose review fails (500) as unreadable with reason review-failed, not as forbidden', async () => {
    const kube = new FakeCluster({ review: (a) => (a.resource === 'pods' ? 500 : true) });
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report.status).toBe('PARTIAL_ACCESS');
    expect(report.unreadable).toEqual([{ resource: 'pods', reason: 'review-failed', detail: expect.stringMatching(/HTTP 500/) }]);
  });
});

describe('the summary', () => {
  it('names Secrets first among the unreadable types', async () => {
    const kube = new FakeCluster({ review: (a) => a.resource !== 'secrets' && a.resource !== 'configmaps' });
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report.summary).toMatch(/without: secrets, configmaps$/);
  });

  it('names five unreadable types and counts the rest, which stay listed in unreadable', async () => {
    const kube = new FakeCluster({ extraResources: 8, review: (a) => a.resource === 'namespaces' || a.resource === 'deployments' });
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report.unreadable).toHaveLength(11);
    expect(report.summary).toMatch(/can list 2 of 13 .*without: secrets, configmaps, pods, extra0, extra1 and 6 more \(see unreadable\)$/);
  });

  it('keeps identity notes out of the cluster warnings', async () => {
    const report = await checkAccess({ sts, connection: connection(), kube: new FakeCluster({ discoveryStatus: 401 }) });
    expect(report.identity.warnings).toHaveLength(1);
    expect(report.warnings).toEqual([]);
  });
});

describe('the SelfSubjectAccessReviews', () => {
  it('ask for a cluster-wide list of each discovered type (no subresources, no namespace)', async () => {
    const kube = new FakeCluster();
    await checkAccess({ sts, connection: connection(), kube });
    expect(kube.reviews).toHaveLength(ALL_RESOURCES.length);
    expect(kube.reviews).toEqual(expect.arrayContaining([
      { verb: 'list', group: '', version: 'v1', resource: 'secrets' },
      { verb: 'list', group: 'apps', version: 'v1', resource: 'deployments' },
    ]));
    expect(kube.reviews.some((r) => r.namespace !== undefined || r.resource?.includes('/'))).toBe(false);
  });

  it('run concurrently, never more than the concurrency limit at once', async () => {
    const kube = new FakeCluster({ reviewDelayMs: 20 });
    await checkAccess({ sts, connection: connection(), kube }, { concurrency: 2 });
    expect(kube.maxInFlight).toBe(2);
  });
});

describe('failures of the check itself', () => {
  it('throws CallerIdentityError before touching the cluster when STS fails', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(new Error('ExpiredToken'));
    const kube = new FakeCluster();
    await expect(checkAccess({ sts, connection: connection(), kube })).rejects.toThrow(CallerIdentityError);
    expect(kube.requests).toEqual([]);
  });

  it('throws AccessCheckError (not NO_ACCESS) when the API server cannot be reached', async () => {
    const unreachable: KubeTransport = { request: async (req: KubeRequest): Promise<KubeResponse> => { throw new KubeNetworkError(req.path, 'connect ECONNREFUSED'); } };
    const err = await checkAccess({ sts, connection: connection(), kube: unreachable }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessCheckError);
    expect((err as AccessCheckError).message).toMatch(/cluster prod .*ECONNREFUSED/);
  });
});

describe('existing mapping in API_AND_CONFIG_MAP mode', () => {
  it('is access-entry when aws-auth is readable and does not list the role', async () => {
    const kube = new FakeCluster({ review: (a) => a.resource !== 'secrets', awsAuth: '- rolearn: arn:aws:iam::111122223333:role/other\n  username: x\n  groups: []\n' });
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report.existingMapping).toBe('access-entry');
    expect(report.remediation.map((r) => r.kind)).toEqual(['access-entry', 'least-privilege']);
  });

  it('matches the role in aws-auth case-insensitively, as aws-iam-authenticator does', async () => {
    const kube = new FakeCluster({ review: (a) => a.resource !== 'secrets', awsAuth: `- rolearn: ${ROLE_ARN.toUpperCase()}\n  groups: [view]\n` });
    expect((await checkAccess({ sts, connection: connection(), kube })).existingMapping).toBe('aws-auth');
  });

  it('is unknown when aws-auth cannot be read, and the fix covers both cases', async () => {
    const kube = new FakeCluster({ review: (a) => a.resource !== 'secrets', awsAuth: 403 });
    const report = await checkAccess({ sts, connection: connection(), kube });
    expect(report.existingMapping).toBe('unknown');
    expect(report.remediation.map((r) => r.kind)).toEqual(['aws-auth', 'access-entry', 'least-privilege']);
  });
});

describe('remediateBackupAccess', () => {
  it('offers the create commands after a 401 without reading aws-auth', async () => {
    const kube = new FakeCluster();
    const out = await remediateBackupAccess({ sts, connection: connection(), kube }, 401);
    expect(out.identity?.roleArn).toBe(ROLE_ARN);
    expect(commandsOf(out)).toEqual(expect.arrayContaining([expect.stringMatching(/^eksctl create iamidentitymapping .*--no-duplicate-arns$/)]));
    expect(kube.requests).toEqual([]);
  });

  it('still offers the commands, with a placeholder ARN and a warning, when STS fails', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(new Error('ExpiredToken'));
    const out = await remediateBackupAccess({ sts, connection: connection({ authenticationMode: 'API' }), kube: new FakeCluster() }, 403);
    expect(out.identity).toBeUndefined();
    expect(commandsOf(out)[0]).toContain(`--principal-arn ${UNKNOWN_ROLE_ARN_PLACEHOLDER}`);
    expect(out.warnings.join('\n')).toMatch(/ExpiredToken.*replace DELEGATE_ROLE_ARN/);
  });
});
