// One read-only call per resource type, the least privileged one that proves the resource exists where
// the recovery cluster would use it (DESIGN.md section 11). Nothing here writes.
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { classifyLookupError } from './classifyLookupError';
import type { LookupClients } from './LookupClients';
import { countSetItems, jsonCall, queryCall, restJsonGet } from './protocols';
import type { LookupResult, LookupTarget } from './types';

const PRESENT: LookupResult = { state: 'present' };
const EC2_VERSION = '2016-11-15';
const ECR = 'AmazonEC2ContainerRegistry_V20150921';
const JSON_1_1 = 'application/x-amz-json-1.1';

/** Looks one resource up; never throws for an AWS answer (missing and not-checkable are results). */
export async function lookupAwsResource(target: LookupTarget, clients: LookupClients, signal?: AbortSignal): Promise<LookupResult> {
  const { region, id } = target;
  try {
    switch (target.type) {
      case 'iam-role':
        // The role name is the ARN's last path segment (`role/path/to/name`).
        await queryCall(clients.get('iam', region), 'GetRole', '2010-05-08', { RoleName: id.slice(id.lastIndexOf('/') + 1) }, signal);
        return PRESENT;
      case 'ecr-repository': {
        const image = target.image;
        if (!image) return { state: 'not-checkable', detail: 'no repository name' };
        await jsonCall(clients.get('ecr', region), `${ECR}.DescribeRepositories`, JSON_1_1, { registryId: image.registryId, repositoryNames: [image.repository] }, signal);
        return PRESENT;
      }
      case 'ecr-image': {
        const image = target.image;
        if (!image || (!image.tag && !image.digest)) return { state: 'not-checkable', detail: 'no tag or digest' };
        const imageId = image.digest ? { imageDigest: image.digest } : { imageTag: image.tag };
        const out = await jsonCall(clients.get('ecr', region), `${ECR}.DescribeImages`, JSON_1_1, { registryId: image.registryId, repositoryName: image.repository, imageIds: [imageId] }, signal);
        if (!Array.isArray(out.imageDetails) || out.imageDetails.length === 0) return { state: 'missing', detail: `${image.digest ? `digest ${image.digest}` : `tag ${image.tag}`} not in the repository` };
        return PRESENT;
      }
      case 'kms-key': {
        const out = await clients.kms(region).send(new DescribeKeyCommand({ KeyId: id }), signal ? { abortSignal: signal } : {});
        const state = out.KeyMetadata?.KeyState;
        if (state && state !== 'Enabled') return { state: 'missing', detail: `the key exists but is ${state}` };
        return PRESENT;
      }
      case 'acm-certificate': {
        const out = await jsonCall(clients.get('acm', region), 'CertificateManager.DescribeCertificate', JSON_1_1, { CertificateArn: id }, signal);
        const status = (out.Certificate as { Status?: string } | undefined)?.Status;
        if (status && status !== 'ISSUED') return { state: 'missing', detail: `the certificate exists but is ${status}` };
        return PRESENT;
      }
      case 'efs-file-system':
        return presentIf(listLength((await restJsonGet(clients.get('efs', region), '/2015-02-01/file-systems', { FileSystemId: id }, signal)).FileSystems));
      case 'efs-access-point':
        return presentIf(listLength((await restJsonGet(clients.get('efs', region), '/2015-02-01/access-points', { AccessPointId: id }, signal)).AccessPoints));
      case 'ebs-volume':
        return presentIf(countSetItems(await queryCall(clients.get('ec2', region), 'DescribeVolumes', EC2_VERSION, { 'VolumeId.1': id }, signal), 'volumeSet'));
      case 'ebs-snapshot':
        return presentIf(countSetItems(await queryCall(clients.get('ec2', region), 'DescribeSnapshots', EC2_VERSION, { 'SnapshotId.1': id }, signal), 'snapshotSet'));
      case 'ec2-security-group':
        return presentIf(countSetItems(await queryCall(clients.get('ec2', region), 'DescribeSecurityGroups', EC2_VERSION, { 'GroupId.1': id }, signal), 'securityGroupInfo'));
      case 'ec2-subnet':
        return presentIf(countSetItems(await queryCall(clients.get('ec2', region), 'DescribeSubnets', EC2_VERSION, { 'SubnetId.1': id }, signal), 'subnetSet'));
      case 'sns-topic':
        await queryCall(clients.get('sns', region), 'GetTopicAttributes', '2010-03-31', { TopicArn: id }, signal);
        return PRESENT;
      case 'sqs-queue': {
        // arn:aws:sqs:<region>:<account>:<name>
        const [, , , , account, name] = id.split(':');
        await jsonCall(clients.get('sqs', region), 'AmazonSQS.GetQueueUrl', 'application/x-amz-json-1.0', { QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }, signal);
        return PRESENT;
      }
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    return classifyLookupError(err);
  }
}

function listLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function presentIf(count: number): LookupResult {
  return count ? PRESENT : { state: 'missing', detail: 'not found' };
}
