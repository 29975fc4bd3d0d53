import { EKSClient } from '@aws-sdk/client-eks';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsClients {
  s3: S3Client;
  sts: STSClient;
  eks: EKSClient;
  /**
   * KMS in `region` (a key is used in its own region), or in the delegate's for undefined; built on first
   * use, one per region (README "Secrets").
   */
  kmsFor(region: string | undefined): KMSClient;
  /** The same credential chain the clients use; the EKS token is signed with it. */
  credentials: AwsCredentialIdentityProvider;
  destroy(): void;
}

export interface AwsClientsOptions {
  region: string;
  /** Path-style S3 addressing (for emulators). @default false */
  s3ForcePathStyle?: boolean;
}

/**
 * The SDK clients, built once per invocation. Endpoints come from the SDK's own AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> handling; the EKS token never uses them (it names the real STS host).
 */
/** An S3 client for another region (a restore's source bucket), with the same credentials and addressing. */
export function createS3Client(opts: AwsClientsOptions & { credentials?: AwsCredentialIdentityProvider }): S3Client {
  return new S3Client({ region: opts.region, credentials: opts.credentials ?? defaultProvider(), maxAttempts: 5, forcePathStyle: opts.s3ForcePathStyle ?? false });
}

export function createAwsClients(opts: AwsClientsOptions): AwsClients {
  const credentials = defaultProvider();
  const common = { region: opts.region, credentials, maxAttempts: 5 };
  const s3 = new S3Client({ ...common, forcePathStyle: opts.s3ForcePathStyle ?? false });
  const sts = new STSClient(common);
  const eks = new EKSClient(common);
  const kms = new Map<string, KMSClient>();
  return {
    s3, sts, eks, credentials,
    kmsFor(region) {
      const r = region ?? opts.region;
      let client = kms.get(r);
      if (!client) kms.set(r, client = new KMSClient({ ...common, region: r }));
      return client;
    },
    destroy() {
      s3.destroy();
      sts.destroy();
      eks.destroy();
      for (const client of kms.values()) client.destroy();
    },
  };
}
