import { EKSClient } from '@aws-sdk/client-eks';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsClients {
  s3: S3Client;
  sts: STSClient;
  eks: EKSClient;
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
  return {
    s3, sts, eks, credentials,
    destroy() {
      s3.destroy();
      sts.destroy();
      eks.destroy();
    },
  };
}
