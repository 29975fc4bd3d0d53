// One read-only call per resource type, the least privileged one that proves the resource exists where
// the recovery cluster would use it (DESIGN.md section 11). Nothing here writes.
import { DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand } from '@aws-sdk/client-efs';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { classifyLookupError } from './classifyLookupError';
import type { LookupClients } from './LookupClients';
import type { LookupResult, LookupTarget } from './types';

const PRESENT: LookupResult = { state: 'present' };

/** Looks one resource up; never throws for an AWS answer (missing and not-checkable are results). */
export async function lookupAwsResource(target: LookupTarget, clients: LookupClients, signal?: AbortSignal): Promise<LookupResult> {
  const opts = signal ? { abortSignal: signal } : {};
  const { region, id } = target;
  try {
    switch (target.type) {
      case 'iam-role':
        // The role name is the ARN's last path segment (`role/path/to/name`).
        await clients.get('iam', region).send(new GetRoleCommand({ RoleName: id.slice(id.lastIndexOf('/') + 1) }), opts);
        return PRESENT;
      case 'ecr-repository': {
        const image = target.image;
        if (!image) return { state: 'not-checkable', detail: 'no repository name' };
        await clients.get('ecr', region).send(new DescribeRepositoriesCommand({ registryId: image.registryId, repositoryNames: [image.repository] }), opts);
        return PRESENT;
      }
      case 'ecr-image': {
        const image = target.image;
        if (!image || (!image.tag && !image.digest)) return { state: 'not-checkable', detail: 'no tag or digest' };
        const imageId = image.digest ? { imageDigest: image.digest } : { imageTag: image.tag };
        const out = await clients.get('ecr', region).send(new DescribeImagesCommand({ registryId: image.registryId, repositoryName: image.repository, imageIds: [imageId] }), opts);
        if (!out.imageDetails?.length) return { state: 'missing', detail: `${image.digest ? `digest ${image.digest}` : `tag ${image.tag}`} not in the repository` };
        return PRESENT;
      }
      case 'kms-key': {
        const out = await clients.get('kms', region).send(new DescribeKeyCommand({ KeyId: id }), opts);
        const state = out.KeyMetadata?.KeyState;
        if (state && state !== 'Enabled') return { state: 'missing', detail: `the key exists but is ${state}` };
        return PRESENT;
      }
      case 'acm-certificate': {
        const out = await clients.get('acm', region).send(new DescribeCertificateCommand({ CertificateArn: id }), opts);
        const status = out.Certificate?.Status;
        if (status && status !== 'ISSUED') return { state: 'missing', detail: `the certificate exists but is ${status}` };
        return PRESENT;
      }
      case 'efs-file-system':
        await clients.get('efs', region).send(new DescribeFileSystemsCommand({ FileSystemId: id }), opts);
        return PRESENT;
      case 'efs-access-point':
        await clients.get('efs', region).send(new DescribeAccessPointsCommand({ AccessPointId: id }), opts);
        return PRESENT;
      case 'ebs-volume':
        return presentIf(await clients.ec2(region).countItems('DescribeVolumes', { 'VolumeId.1': id }, 'volumeSet', signal));
      case 'ebs-snapshot':
        return presentIf(await clients.ec2(region).countItems('DescribeSnapshots', { 'SnapshotId.1': id }, 'snapshotSet', signal));
      case 'ec2-security-group':
        return presentIf(await clients.ec2(region).countItems('DescribeSecurityGroups', { 'GroupId.1': id }, 'securityGroupInfo', signal));
      case 'ec2-subnet':
        return presentIf(await clients.ec2(region).countItems('DescribeSubnets', { 'SubnetId.1': id }, 'subnetSet', signal));
      case 'sns-topic':
        await clients.get('sns', region).send(new GetTopicAttributesCommand({ TopicArn: id }), opts);
        return PRESENT;
      case 'sqs-queue': {
        // arn:aws:sqs:<region>:<account>:<name>
        const [, , , , account, name] = id.split(':');
        await clients.get('sqs', region).send(new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }), opts);
        return PRESENT;
      }
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    return classifyLookupError(err);
  }
}

function presentIf(count: number | undefined): LookupResult {
  return count ? PRESENT : { state: 'missing', detail: 'not found' };
}
