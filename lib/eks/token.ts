import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import type { AwsCredentialIdentity } from '@smithy/types';
import { regionalStsHost } from './stsHost';

/** Prefix of every EKS bearer token (aws-iam-authenticator `pkg/token`). */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header carrying the cluster name; it must be among the signed headers. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** What aws-iam-authenticator and `aws eks get-token` put in X-Amz-Expires. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/** The server accepts a token for 15 minutes from X-Amz-Date. */
export const TOKEN_SERVER_LIFETIME_MS = 15 * 60_000;
/** Clients treat a token as expired after 14 minutes (a minute's margin for clock skew). */
export const TOKEN_CLIENT_LIFETIME_MS = 14 * 60_000;

export interface MintEksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  /** Signing time. @default new Date() */
  now?: Date;
}

export interface EksToken {
  /** `k8s-aws-v1.` + base64url(presigned URL), no padding. A secret: never log it. */
  token: string;
  /** When clients should stop using it (signing time + 14 minutes). */
  expiresAt: Date;
  signedAt: Date;
}

/**
 * Mints an EKS bearer token: an STS GetCallerIdentity request presigned with SigV4, as
 * aws-iam-authenticator and `aws eks get-token` do. No network call is made.
 */
export async function mintEksToken(options: MintEksTokenOptions): Promise<EksToken> {
  const now = options.now ?? new Date();
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    // STS query params must not be double-encoded.
    uriEscapePath: true,
  });
  const hostname = regionalStsHost(options.region);
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: options.clusterName },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: now },
  );
  const url = presignedUrl(presigned.hostname, presigned.path, presigned.query ?? {});
  return {
    token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'),
    signedAt: now,
    expiresAt: new Date(now.getTime() + TOKEN_CLIENT_LIFETIME_MS),
  };
}

function presignedUrl(hostname: string, path: string, query: Record<string, string | string[] | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return `https://${hostname}${path}?${params.toString()}`;
}

/** Decodes a token back to its presigned URL (for diagnostics and tests; the URL is itself a credential). */
export function decodeEksToken(token: string): URL {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) throw new Error('not an EKS token');
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}
