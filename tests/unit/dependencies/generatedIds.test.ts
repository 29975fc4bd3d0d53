import { DependencyCollector, locateGeneratedIds, scanObject, sourceMentionPatterns, type AwsDependency } from '../../../lib/dependencies';
import { mayReferenceAws } from '../../../lib/dependencies/mayReferenceAws';
import { loadFixture } from './loadFixture';

const options = { clusterAccount: '111122223333', clusterRegion: 'us-east-1' };
const json = (obj: unknown) => Buffer.from(JSON.stringify(obj), 'utf8');

function found(...objects: Array<Record<string, unknown>>): Array<[string, string, string]> {
  const collector = new DependencyCollector(options);
  for (const o of objects) collector.observe(o);
  return collector.result().flatMap((d: AwsDependency) => d.references.map((r): [string, string, string] => [d.type, d.id, r.path]));
}

describe('generated ids anywhere (issue 24)', () => {
  it.each([
    ['subnet-0123456789abcdef0', [['ec2-subnet', 'subnet-0123456789abcdef0']]],
    ['subnet-12345678', [['ec2-subnet', 'subnet-12345678']]],
    ['sg-0fedcba9876543210,sg-01234567', [['ec2-security-group', 'sg-0fedcba9876543210'], ['ec2-security-group', 'sg-01234567']]],
    ['ami-0123456789abcdef0', [['ec2-ami', 'ami-0123456789abcdef0']]],
    ['eni-0123456789abcdef0 igw-01234567 vpc-0123456789abcdef0', [['ec2-network-interface', 'eni-0123456789abcdef0'], ['ec2-internet-gateway', 'igw-01234567'], ['ec2-vpc', 'vpc-0123456789abcdef0']]],
    ['vpce-0123456789abcdef0', [['ec2-vpc-endpoint', 'vpce-0123456789abcdef0']]],
    ['eipalloc-0123456789abcdef0', [['ec2-elastic-ip', 'eipalloc-0123456789abcdef0']]],
    ['fs-01234567::fsap-0123456789abcdef0', [['efs-file-system', 'fs-01234567'], ['efs-access-point', 'fsap-0123456789abcdef0']]],
    ['aws://us-east-1a/vol-0123456789abcdef0', [['ebs-volume', 'vol-0123456789abcdef0']]],
    // Prose and look-alikes are not ids.
    ['the subnet-id field names a subnet-style value', []],
    ['subnet-0123456789abcdef', []], // 16 digits
    ['subnet-0123456789ABCDEF0', []], // upper case
    ['mysubnet-0123456789abcdef0', []],
    ['subnet-0123456789abcdef0-old', []],
    ['sg-012345678', []], // 9 digits
    ['a3f1c2de-4e2c-4b1a-9c8d-8d3f5a6b7c8d', []],
  ])('%s', (text, expected) => {
    expect(locateGeneratedIds(text).map(({ type, id }) => [type, id])).toEqual(expected);
  });
});

describe('the scanner in custom resources and EFS handles (issue 24)', () => {
  it('finds the subnet, security group and AMI ids and the bare KMS key id of a Karpenter EC2NodeClass', () => {
    expect(found(loadFixture('ec2nodeclass-karpenter'))).toEqual([
      ['ec2-ami', 'ami-0123456789abcdef0', 'spec.amiSelectorTerms[1].id'],
      ['ec2-security-group', 'sg-0fedcba9876543210', 'spec.securityGroupSelectorTerms[0].id'],
      ['ec2-subnet', 'subnet-0a1b2c3d4e5f60718', 'spec.subnetSelectorTerms[1].id'],
      ['ec2-subnet', 'subnet-12345678', 'spec.subnetSelectorTerms[2].id'],
      ['kms-key', '1234abcd-12ab-34cd-56ef-1234567890ab', 'spec.blockDeviceMappings[0].ebs.kmsKeyID'],
    ]);
  });

  it('finds the subnet ids of an IngressClassParams', () => {
    expect(found(loadFixture('ingressclassparams-alb'))).toEqual([
      ['ec2-subnet', 'subnet-0aaaaaaaaaaaaaaa1', 'spec.subnets.ids[0]'],
      ['ec2-subnet', 'subnet-0bbbbbbbbbbbbbbb2', 'spec.subnets.ids[1]'],
    ]);
  });

  it.each([
    ['fs-0123456789abcdef0', ['fs-0123456789abcdef0']],
    ['fs-0123456789abcdef0:/data', ['fs-0123456789abcdef0']],
    ['fs-0123456789abcdef0::fsap-0fedcba9876543210', ['fs-0123456789abcdef0', 'fsap-0fedcba9876543210']],
    ['fs-0123456789abcdef0:/data:fsap-0fedcba9876543210', ['fs-0123456789abcdef0', 'fsap-0fedcba9876543210']],
    ['efs:fs-0123456789abcdef0', ['fs-0123456789abcdef0']],
    ['efs:fs-0123456789abcdef0::fsap-0fedcba9876543210', ['fs-0123456789abcdef0', 'fsap-0fedcba9876543210']],
    ['efs:fs-0123456789abcdef0:/data:fsap-0fedcba9876543210', ['fs-0123456789abcdef0', 'fsap-0fedcba9876543210']],
    ['fs-0123456789abcdef0::', ['fs-0123456789abcdef0']],
    ['efs:fs-01234567:', ['fs-01234567']],
  ])('reads the EFS CSI handle %s: file system and access point, with the zone\'s region', (handle, ids) => {
    const pv = {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'shared' },
      spec: {
        csi: { driver: 'efs.csi.aws.com', volumeHandle: handle },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-west-2a'] }] }] } },
      },
    };
    const collector = new DependencyCollector(options);
    collector.observeJson(json(pv));
    expect(collector.result().map((d) => [d.id, d.region, d.crossRegion]).sort()).toEqual(ids.map((id) => [id, 'us-west-2', true]).sort());
  });

  it('types an s3files: handle\'s file system and access point as S3 Files, and refuses malformed handles', () => {
    const pv = (volumeHandle: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'p' }, spec: { csi: { driver: 'efs.csi.aws.com', volumeHandle } } });
    expect(found(pv('s3files:fs-0123456789abcdef0:/x:fsap-0fedcba9876543210')).map(([type, id]) => [type, id])).toEqual([
      ['s3files-access-point', 'fsap-0fedcba9876543210'], ['s3files-file-system', 'fs-0123456789abcdef0'],
    ]);
    expect(found(pv('nfs:fs-0123456789abcdef0'), pv('fs-0123456789abcdef0:a:b:c'), pv('efs:fs-xyz'))).toEqual([]);
  });

  it('never reads a CustomResourceDefinition\'s schema or its documentation', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ec2nodeclasses.karpenter.k8s.aws' },
      spec: {
        group: 'karpenter.k8s.aws', names: { kind: 'EC2NodeClass', plural: 'ec2nodeclasses' }, scope: 'Cluster',
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
            kmsKeyID: { type: 'string', description: 'e.g. arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
            id: { type: 'string', pattern: 'subnet-[0-9a-z]+', example: 'subnet-0123456789abcdef0', description: 'The subnet id, like subnet-0123456789abcdef0 in us-east-1' },
          } } } } },
        }],
      },
    };
    expect(mayReferenceAws(json(crd))).toBe(true);
    expect(found(crd)).toEqual([]);
  });
});

describe('source mentions (restore only)', () => {
  const patterns = sourceMentionPatterns({ account: '111122223333', region: 'us-east-1', clusterName: 'prod' });
  const mentions = (value: unknown, key = 'value', extra: Record<string, unknown> = {}): Array<[string, string]> => {
    const seen: Array<[string, string]> = [];
    scanObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prod', namespace: 'prod' }, data: { [key]: value }, ...extra }, undefined, (s) => seen.push([s.type, s.id]), { sourceMentions: patterns });
    return seen;
  };

  it.each([
    ['us-east-1', [['region', 'us-east-1']]],
    ['--region=us-east-1', [['region', 'us-east-1']]],
    ['https://sqs.us-east-1.amazonaws.com/111122223333/orders', [['region', 'us-east-1'], ['account-id', '111122223333']]],
    ['us-east-1a', [['availability-zone', 'us-east-1a']]],
    ['aws://us-east-1c/vol-0123456789abcdef0', [['availability-zone', 'us-east-1c'], ['ebs-volume', 'vol-0123456789abcdef0']]],
    ['us-east-1-bos-1a', [['availability-zone', 'us-east-1-bos-1a']]],
    ['prod', [['cluster-name', 'prod']]],
    ['--cluster-name=prod', [['cluster-name', 'prod']]],
    ['kubernetes.io/cluster/prod', [['cluster-name', 'prod']]],
    // Not references: longer words, other regions, prose, an ARN (reported as itself), an ECR image.
    ['us-east-10', []],
    ['xus-east-1', []],
    ['us-east-1-backups', []],
    ['us-west-2', []],
    ['products', []],
    ['prod-db', []],
    ['prod.example.com', []],
    ['we run prod here', []],
    ['1111222233334', []],
  ])('%s', (value, expected) => {
    expect(mentions(value).filter(([type]) => type !== 'arn:sqs').sort()).toEqual([...expected].sort());
  });

  it('sights an ARN once, as the ARN, not its region and account again', () => {
    expect(mentions('arn:aws:sqs:us-east-1:111122223333:orders')).toEqual([['arn:sqs', 'arn:aws:sqs:us-east-1:111122223333:orders']]);
  });

  it('sights an ECR image as its repository, not the host\'s account and region', () => {
    const pod = { spec: { containers: [{ name: 'a', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/shop:1' }] } };
    expect(mentions('x', 'value', pod)).toEqual([['ecr-repository', 'arn:aws:ecr:us-east-1:111122223333:repository/shop']]);
  });

  it('does not take a field naming a Kubernetes object for the cluster, whatever the cluster is called', () => {
    const pod = { spec: { serviceAccountName: 'prod', volumes: [{ name: 'prod', persistentVolumeClaim: { claimName: 'prod' } }] } };
    expect(mentions('x', 'value', pod)).toEqual([]);
    expect(mentions('x', 'value', { spec: { values: { clusterName: 'prod' } } })).toEqual([['cluster-name', 'prod']]);
  });

  it('sights the cluster\'s name in a tag key (kubernetes.io/cluster/<name>), not in other keys', () => {
    const selector = { spec: { subnets: { tags: { 'kubernetes.io/cluster/prod': ['owned', 'shared'], 'kubernetes.io/role/internal-elb': ['1'], products: ['x'] } } } };
    expect(mentions('x', 'value', selector)).toEqual([['cluster-name', 'prod']]);
  });

  it('does not take the object\'s own name and namespace for references', () => {
    expect(mentions('nothing')).toEqual([]);
  });

  it('is off for the backup (no source facts)', () => {
    const seen: string[] = [];
    scanObject({ kind: 'ConfigMap', metadata: { name: 'a' }, data: { v: 'us-east-1 111122223333 prod' } }, 'us-east-1', (s) => seen.push(s.type));
    expect(seen).toEqual([]);
  });
});
