// The recovery account's side of readiness (tests and demo): the AWS resources an application needs there
// (an IRSA role, an ECR image tag, an ACM certificate), created in moto or taken away, and an endpoint that
// refuses every call as a service refuses a role without the permission.
import { ACMClient, DeleteCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchDeleteImageCommand, CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoleCredentials, StandInClient } from './StandInClient';

/** The recovery account's AWS resources the application needs, created in moto with the recovery delegate's credentials. */
export class RecoveryAccountResources {
  readonly roleName: string;
  readonly repository: string;
  readonly tag = '2.0';
  certificateArn = '';
  /** An EBS volume and an EFS file system, the kind of generated ids an operator maps in identifierMap. */
  volumeId = '';
  fileSystemId = '';
  /** What the application's environment names: a topic and a queue (customer-named: translated by account and region). */
  readonly topic: string;
  readonly queue: string;
  readonly #efs: EFSClient;
  readonly #sns: SNSClient;
  readonly #sqs: SQSClient;
  readonly #iam: IAMClient;
  readonly #ec2: EC2Client;
  readonly #ecr: ECRClient;
  readonly #acm: ACMClient;
  readonly #region: string;

  constructor(recovery: StandInClient, creds: RoleCredentials, names: { roleName: string; repository: string; topic?: string; queue?: string }) {
    const config = {
      region: recovery.conn.region, endpoint: recovery.conn.motoUrl,
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    };
    this.#region = recovery.conn.region;
    this.#iam = new IAMClient(config);
    this.#ecr = new ECRClient(config);
    this.#acm = new ACMClient(config);
    this.#ec2 = new EC2Client(config);
    this.#efs = new EFSClient(config);
    this.#sns = new SNSClient(config);
    this.#sqs = new SQSClient(config);
    this.topic = names.topic ?? `${names.roleName}-events`;
    this.queue = names.queue ?? `${names.roleName}-jobs`;
    this.roleName = names.roleName;
    this.repository = names.repository;
  }

  async createAll(): Promise<void> {
    await this.#iam.send(new CreateRoleCommand({ RoleName: this.roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }));
    await this.#ecr.send(new CreateRepositoryCommand({ repositoryName: this.repository }));
    await this.#ecr.send(new PutImageCommand({
      repositoryName: this.repository, imageTag: this.tag,
      imageManifest: JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${'b'.repeat(64)}` }, layers: [],
      }),
    }));
    const { cert, key } = selfSignedCertificate();
    const out = await this.#acm.send(new ImportCertificateCommand({ Certificate: cert, PrivateKey: key }));
    this.certificateArn = out.CertificateArn ?? '';
    const volume = await this.#ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${this.#region}a`, Size: 1 }));
    this.volumeId = volume.VolumeId ?? '';
    this.fileSystemId = (await this.#efs.send(new CreateFileSystemCommand({ CreationToken: this.roleName }))).FileSystemId ?? '';
    await this.#sns.send(new CreateTopicCommand({ Name: this.topic }));
    await this.#sqs.send(new CreateQueueCommand({ QueueName: this.queue }));
  }

  /** The image tag gone: replication has not brought it to the recovery region. */
  async removeImage(): Promise<void> {
    await this.#ecr.send(new BatchDeleteImageCommand({ repositoryName: this.repository, imageIds: [{ imageTag: this.tag }] }));
  }

  /** The IRSA role, the image tag and the certificate gone: what a half-prepared recovery account looks like. */
  async removeAll(): Promise<void> {
    await this.#iam.send(new DeleteRoleCommand({ RoleName: this.roleName }));
    await this.#ecr.send(new BatchDeleteImageCommand({ repositoryName: this.repository, imageIds: [{ imageTag: this.tag }] }));
    await this.#acm.send(new DeleteCertificateCommand({ CertificateArn: this.certificateArn }));
  }

  destroy(): void {
    this.#iam.destroy();
    this.#ecr.destroy();
    this.#acm.destroy();
    this.#ec2.destroy();
    this.#efs.destroy();
    this.#sns.destroy();
    this.#sqs.destroy();
  }
}

function selfSignedCertificate(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'readiness-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=shop.example.com',
    '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) };
}

/**
 * An AWS endpoint that answers every call AccessDenied, as a service answers a delegate whose role lacks the
 * permission: pointed at by AWS_ENDPOINT_URL_<SERVICE> for one service only.
 */
export async function startAccessDeniedEndpoint(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' });
      res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'User is not authorized to perform this action' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
