import { DescribeClusterCommand, EKSClient, ResourceNotFoundException, type Cluster, type ClusterStatus } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterNotActiveError, ClusterNotFoundError, describeClusterConnection, InvalidClusterConnectionError } from '../../../lib/eks';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-1' });

let caPem: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubernetes',
    '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt')], { stdio: 'ignore' });
  caPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
});
afterEach(() => eksMock.reset());

const cluster = (over: Partial<Cluster> = {}): Cluster => ({
  name: 'prod', arn: 'arn:aws:eks:us-east-1:123456789012:cluster/prod', status: 'ACTIVE', version: '1.31',
  platformVersion: 'eks.12', endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
  certificateAuthority: { data: Buffer.from(caPem).toString('base64') },
  accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
  resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: [] },
  ...over,
});

describe('describeClusterConnection', () => {
  it('turns DescribeCluster into a connection description', async () => {
    eksMock.on(DescribeClusterCommand, { name: 'prod' }).resolves({ cluster: cluster() });
    await expect(describeClusterConnection(eks, 'prod', 'us-east-1')).resolves.toEqual({
      name: 'prod', arn: 'arn:aws:eks:us-east-1:123456789012:cluster/prod', region: 'us-east-1', account: '123456789012',
      endpoint: 'https://abcdef.gr7.us-east-1.eks.amazonaws.com', caPem, kubernetesVersion: '1.31', platformVersion: 'eks.12',
      authenticationMode: 'API_AND_CONFIG_MAP', endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: [], status: 'ACTIVE',
    });
  });

  it('defaults the authentication mode to CONFIG_MAP for clusters created before access entries', async () => {
    eksMock.on(DescribeClusterCommand).resolves({ cluster: cluster({ accessConfig: undefined }) });
    expect((await describeClusterConnection(eks, 'prod', 'us-east-1')).authenticationMode).toBe('CONFIG_MAP');
  });

  it('says clearly when the cluster does not exist', async () => {
    eksMock.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: 'No cluster found for name: nope.', $metadata: {} }));
    await expect(describeClusterConnection(eks, 'nope', 'us-east-1')).rejects.toThrow(ClusterNotFoundError);
    await expect(describeClusterConnection(eks, 'nope', 'us-east-1')).rejects.toThrow('cluster nope not found in us-east-1');
  });

  it.each<ClusterStatus>(['CREATING', 'UPDATING', 'DELETING', 'FAILED'])('refuses a cluster that is %s', async (status) => {
    eksMock.on(DescribeClusterCommand).resolves({ cluster: cluster({ status }) });
    const err = await describeClusterConnection(eks, 'prod', 'us-east-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterNotActiveError);
    expect(err).toMatchObject({ status, message: `cluster prod is ${status}, not ACTIVE` });
  });

  it('refuses a plain http endpoint (the token is a credential)', async () => {
    eksMock.on(DescribeClusterCommand).resolves({ cluster: cluster({ endpoint: 'http://10.0.0.1' }) });
    await expect(describeClusterConnection(eks, 'prod', 'us-east-1')).rejects.toThrow(/is not https/);
  });

  it.each([
    ['missing', undefined, /no certificate authority data/],
    ['not PEM', Buffer.from('hello').toString('base64'), /not a PEM certificate/],
    ['a corrupt certificate', Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64'), /not a valid certificate/],
  ])('refuses a CA that is %s', async (_what, data, message) => {
    eksMock.on(DescribeClusterCommand).resolves({ cluster: cluster({ certificateAuthority: data === undefined ? undefined : { data } }) });
    const err = await describeClusterConnection(eks, 'prod', 'us-east-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidClusterConnectionError);
    expect((err as Error).message).toMatch(message);
  });
});
