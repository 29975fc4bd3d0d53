import { KMSClient } from '@aws-sdk/client-kms';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AwsReadClient, type ReadService } from './AwsReadClient';

/** KMS lookups retry little: a readiness run checks hundreds of resources and a slow one is reported, not waited for. */
const KMS_MAX_ATTEMPTS = 3;

export interface LookupClientsOptions {
  /**
   * Endpoint overrides by service id (`iam`, `ecr`, `acm`, `efs`, `ec2`, `sns`, `sqs`): AWS_ENDPOINT_URL_<ID>,
   * else AWS_ENDPOINT_URL, read in lib/config. @default {} (the services' own endpoints)
   */
  endpoints?: Readonly<Partial<Record<ReadService, string>>>;
}

/**
 * The read-only clients the lookups use, one per service and region, built on first use. KMS is the SDK's
 * (the delegate carries it anyway, for Secrets; it honours AWS_ENDPOINT_URL_KMS itself); the other services
 * are AwsReadClient, told their endpoint override.
 */
export class LookupClients {
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #endpoints: Readonly<Partial<Record<ReadService, string>>>;
  readonly #clients = new Map<string, AwsReadClient>();
  readonly #kms = new Map<string, KMSClient>();

  constructor(credentials: AwsCredentialIdentityProvider, options: LookupClientsOptions = {}) {
    this.#credentials = credentials;
    this.#endpoints = options.endpoints ?? {};
  }

  get(service: ReadService, region: string): AwsReadClient {
    const key = `${service}/${region}`;
    let client = this.#clients.get(key);
    if (!client) {
      const endpoint = this.#endpoints[service];
      this.#clients.set(key, client = new AwsReadClient({ service, region, credentials: this.#credentials, ...(endpoint ? { endpoint } : {}) }));
    }
    return client;
  }

  kms(region: string): KMSClient {
    let client = this.#kms.get(region);
    if (!client) this.#kms.set(region, client = new KMSClient({ region, credentials: this.#credentials, maxAttempts: KMS_MAX_ATTEMPTS }));
    return client;
  }

  destroy(): void {
    for (const client of this.#kms.values()) client.destroy();
    this.#kms.clear();
    this.#clients.clear();
  }
}
