import { ACMClient } from '@aws-sdk/client-acm';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EFSClient } from '@aws-sdk/client-efs';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Ec2Query } from './Ec2Query';

const CLASSES = { acm: ACMClient, ecr: ECRClient, efs: EFSClient, iam: IAMClient, kms: KMSClient, sns: SNSClient, sqs: SQSClient } as const;
type ServiceName = keyof typeof CLASSES;
type ClientOf<S extends ServiceName> = InstanceType<(typeof CLASSES)[S]>;

/** Lookups retry little: a readiness run checks hundreds of resources and a slow one is reported, not waited for. */
const MAX_ATTEMPTS = 3;

export interface LookupClientsOptions {
  /** Where EC2 calls go instead of its regional endpoint (AWS_ENDPOINT_URL_EC2 or AWS_ENDPOINT_URL). @default the regional endpoint */
  ec2Endpoint?: string;
}

/**
 * The read-only clients the lookups use, one per service and region, built on first use. Endpoints come
 * from the SDK's own AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> handling, as lib/aws/clients.ts does;
 * EC2 (a Query client of our own, see Ec2Query) is told its override.
 */
export class LookupClients {
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #options: LookupClientsOptions;
  readonly #clients = new Map<string, { destroy(): void }>();
  readonly #ec2 = new Map<string, Ec2Query>();

  constructor(credentials: AwsCredentialIdentityProvider, options: LookupClientsOptions = {}) {
    this.#credentials = credentials;
    this.#options = options;
  }

  ec2(region: string): Ec2Query {
    let client = this.#ec2.get(region);
    if (!client) this.#ec2.set(region, client = new Ec2Query({ region, credentials: this.#credentials, ...(this.#options.ec2Endpoint ? { endpoint: this.#options.ec2Endpoint } : {}) }));
    return client;
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
