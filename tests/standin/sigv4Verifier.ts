import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * An independent SigV4 presigned-URL verifier, written from the AWS specification rather than with
 * @smithy/signature-v4, so that it cross-checks the delegate's signer instead of agreeing with it by
 * construction. STS verifies presigned GETs with the empty-payload hash.
 */
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export interface PresignedRequest {
  method: string;
  url: URL;
  /** Header values, lower-case names; `host` is taken from the URL when absent. */
  headers: Record<string, string>;
}

export function expectedSignature(req: PresignedRequest, secretAccessKey: string): string {
  const q = req.url.searchParams;
  const credential = q.get('X-Amz-Credential') ?? '';
  const amzDate = q.get('X-Amz-Date') ?? '';
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  const [, date, region, service, terminator] = credential.split('/');
  const scope = `${date}/${region}/${service}/${terminator}`;

  const pairs: Array<[string, string]> = [];
  q.forEach((v, k) => {
    if (k !== 'X-Amz-Signature') pairs.push([uriEncode(k), uriEncode(v)]);
  });
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  const canonicalQuery = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const headers: Record<string, string> = { host: req.url.host, ...req.headers };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, req.url.pathname || '/', canonicalQuery, canonicalHeaders, signedHeaders.join(';'), EMPTY_SHA256].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const kDate = hmac(`AWS4${secretAccessKey}`, date ?? '');
  const kRegion = hmac(kDate, region ?? '');
  const kService = hmac(kRegion, service ?? '');
  const kSigning = hmac(kService, terminator ?? '');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

export function signatureMatches(req: PresignedRequest, secretAccessKey: string): boolean {
  const given = Buffer.from(req.url.searchParams.get('X-Amz-Signature') ?? '', 'utf8');
  const want = Buffer.from(expectedSignature(req, secretAccessKey), 'utf8');
  return given.length === want.length && timingSafeEqual(given, want);
}
