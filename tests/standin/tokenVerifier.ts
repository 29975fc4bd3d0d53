import { signatureMatches } from './sigv4Verifier';

/**
 * What EKS's aws-iam-authenticator does with a bearer token, check by check and in its order
 * (DESIGN section 5): the stand-in's webhook runs this for every TokenReview.
 */
export interface IdentityRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The caller's ARN as STS reports it, e.g. arn:aws:sts::123456789012:assumed-role/R/S. */
  arn: string;
}

export type VerifyResult =
  | { ok: true; arn: string; canonicalArn: string; sessionName: string | undefined; accessKeyId: string }
  | { ok: false; reason: string };

const ALLOWED_PARAMS = new Set([
  'Action', 'Version', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
  'X-Amz-Security-Token', 'X-Amz-Signature', 'X-Amz-SignedHeaders',
]);
const PREFIX = 'k8s-aws-v1.';
const MAX_TOKEN_LENGTH = 4096;
const MAX_AGE_MS = 15 * 60_000;

export interface VerifyOptions {
  clusterName: string;
  now: Date;
  /** Access key id -> who it is and its secret (STS's side of the check). */
  lookup: (accessKeyId: string) => IdentityRecord | undefined;
}

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}

export function verifyEksToken(token: string, opts: VerifyOptions): VerifyResult {
  if (token.length > MAX_TOKEN_LENGTH) return fail('token is too large');
  if (!token.startsWith(PREFIX)) return fail('token is missing expected "k8s-aws-v1." prefix');
  const encoded = token.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return fail('token is not base64url');
  let url: URL;
  try {
    url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return fail('token does not decode to a URL');
  }
  if (url.protocol !== 'https:') return fail(`unexpected scheme ${url.protocol}`);
  if (!/^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(url.hostname) || url.hostname.includes('vpce-')) {
    return fail(`unexpected hostname ${url.hostname}`);
  }
  if (url.pathname !== '/') return fail('unexpected path');
  const seen = new Set<string>();
  for (const key of url.searchParams.keys()) {
    if (!ALLOWED_PARAMS.has(key)) return fail(`non-allowlisted query parameter ${key}`);
    if (seen.has(key)) return fail(`duplicate query parameter ${key}`);
    seen.add(key);
  }
  const q = url.searchParams;
  if (q.get('Action') !== 'GetCallerIdentity') return fail('unexpected action');
  const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signed.includes('x-k8s-aws-id')) return fail('client did not sign the x-k8s-aws-id header');
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 0 || expires > 900) return fail('invalid X-Amz-Expires');
  const date = parseAmzDate(q.get('X-Amz-Date') ?? '');
  if (!date) return fail('invalid X-Amz-Date');
  if (opts.now.getTime() - date.getTime() > MAX_AGE_MS) return fail('token has expired (X-Amz-Date older than 15 minutes)');

  // The real server now sends the URL to STS with x-k8s-aws-id set to its own cluster ID: STS checks the
  // signature over that header, so a token minted for another cluster fails here.
  const accessKeyId = (q.get('X-Amz-Credential') ?? '').split('/')[0] ?? '';
  const identity = opts.lookup(accessKeyId);
  if (!identity) return fail('sts: InvalidClientTokenId');
  if (identity.sessionToken !== undefined && q.get('X-Amz-Security-Token') !== identity.sessionToken) {
    return fail('sts: session token mismatch');
  }
  if (!signatureMatches({ method: 'GET', url, headers: { 'x-k8s-aws-id': opts.clusterName } }, identity.secretAccessKey)) {
    return fail('sts: SignatureDoesNotMatch');
  }
  const { canonicalArn, sessionName } = canonicalizeArn(identity.arn);
  return { ok: true, arn: identity.arn, canonicalArn, sessionName, accessKeyId };
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** arn:aws:sts::A:assumed-role/R/S -> arn:aws:iam::A:role/R (aws-auth role ARNs carry no path). */
export function canonicalizeArn(arn: string): { canonicalArn: string; sessionName: string | undefined } {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (m) return { canonicalArn: `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`, sessionName: m[4] };
  return { canonicalArn: arn, sessionName: undefined };
}
