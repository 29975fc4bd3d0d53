import { ACMClient } from '@aws-sdk/client-acm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EFSClient } from '@aws-sdk/client-efs';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

const CLASSES = { acm: ACMClient, ec2: EC2Client, ecr: ECRClient, efs: EFSClient, iam: IAMClient, kms: KMSClient, sns: SNSClient, sqs: SQSClient } as const;
type ServiceName = keyof typeof CLASSES;
type ClientOf<S extends ServiceName> = InstanceType<(typeof CLASSES)[S]>;

/** Lookups retry little: a readiness run checks hundreds of resources and a slow one is reported, not waited for. */
const MAX_ATTEMPTS = 3;

/**
 * The read-only clients the lookups use, one per service and region, built on first use. Endpoints come
 * from the SDK's own AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> handling, as lib/aws/clients.ts does.
 */
export class LookupClients {
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #clients = new Map<string, { destroy(): void }>();

  constructor(credentials: AwsCredentialIdentityProvider) {
    this.#credentials = credentials;
  }

  get<S extends ServiceName>(service: S, region: string): ClientOf<S> {
    const key = `${service}/${region}`;
    let client = this.#clients.get(key);
    if (!client) {
      const Class = CLASSES[service] as unknown as new (config: Record<string, unknown>) => ClientOf<S>;
      client = new Class({ region, credentials: this.#credentials, maxAttempts: MAX_ATTEMPTS });
      this.#clients.set(key, client);
    }
    return client as ClientOf<S>;
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}
