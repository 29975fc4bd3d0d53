// EC2's four read calls readiness makes (DescribeVolumes, DescribeSnapshots, DescribeSecurityGroups,
// DescribeSubnets), as signed Query requests: @aws-sdk/client-ec2 would add 1.1 MB to a bundle whose
// target is 1.5 MB (bench "bundle-size") for four calls whose answer readiness reads as "how many items, or
// which error code". Signed with the SDK's own SigV4 signer and the delegate's credential chain.
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** The EC2 API version the Query calls name. */
const EC2_API_VERSION = '2016-11-15';
/** A call is tried this many times when the network or EC2 (5xx, throttling) fails. */
const ATTEMPTS = 3;

/** An EC2 error answer, named by its code like an SDK error (classifyLookupError reads `name`). */
export class Ec2QueryError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface Ec2QueryOptions {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** AWS_ENDPOINT_URL_EC2 (or AWS_ENDPOINT_URL), as the SDK would honour it. @default https://ec2.<region>.amazonaws.com[.cn] */
  endpoint?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

export class Ec2Query {
  readonly #endpoint: URL;
  readonly #signer: SignatureV4;
  readonly #fetch: typeof fetch;

  constructor(options: Ec2QueryOptions) {
    this.#endpoint = new URL(options.endpoint ?? `https://ec2.${options.region}.amazonaws.com${options.region.startsWith('cn-') ? '.cn' : ''}/`);
    this.#signer = new SignatureV4({ service: 'ec2', region: options.region, credentials: options.credentials, sha256: Hash.bind(null, 'sha256') });
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** How many items the answer's `<setName>` holds; throws Ec2QueryError for an error answer. */
  async countItems(action: string, params: Record<string, string>, setName: string, signal?: AbortSignal): Promise<number> {
    const body = new URLSearchParams({ Action: action, Version: EC2_API_VERSION, ...params }).toString();
    for (let attempt = 1; ; attempt++) {
      const signed = await this.#signer.sign(new HttpRequest({
        method: 'POST', protocol: this.#endpoint.protocol, hostname: this.#endpoint.hostname,
        ...(this.#endpoint.port ? { port: Number(this.#endpoint.port) } : {}), path: this.#endpoint.pathname, body,
        headers: { host: this.#endpoint.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      }));
      let res: Response;
      try {
        res = await this.#fetch(this.#endpoint, { method: 'POST', headers: signed.headers, body, ...(signal ? { signal } : {}) });
      } catch (err) {
        if (signal?.aborted || attempt >= ATTEMPTS) throw err;
        continue;
      }
      const text = await res.text();
      const answer = parseEc2Answer(res.status, text, setName);
      if (typeof answer === 'number') return answer;
      if (attempt >= ATTEMPTS || !(res.status >= 500 || answer.name === 'RequestLimitExceeded' || answer.name === 'Throttling')) throw answer;
    }
  }
}

/**
 * An EC2 Query answer: the number of `<item>`s directly inside `<setName>` on success, else the error (its
 * `<Code>`). Only the set's own items are counted: a volume's `<attachmentSet>` holds items of its own.
 */
export function parseEc2Answer(status: number, xml: string, setName: string): number | Ec2QueryError {
  if (status < 200 || status >= 300) {
    const code = /<Code>([^<]+)<\/Code>/.exec(xml)?.[1] ?? `HTTP${status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? xml.slice(0, 200);
    return new Ec2QueryError(code, message, status);
  }
  if (new RegExp(`<${setName}\\s*/>`).test(xml)) return 0;
  const open = xml.indexOf(`<${setName}>`);
  const close = xml.lastIndexOf(`</${setName}>`);
  if (open < 0 || close < open) return new Ec2QueryError('UnexpectedAnswer', `no <${setName}> in EC2's answer`, status);
  // Count items at depth one: every <item> opened while no other <item> of the set is open.
  let depth = 0;
  let count = 0;
  const tags = /<(\/?)item>/g;
  tags.lastIndex = open;
  for (let m = tags.exec(xml); m && m.index < close; m = tags.exec(xml)) {
    if (m[1] === '/') depth--;
    else if (depth++ === 0) count++;
  }
  return count;
}
