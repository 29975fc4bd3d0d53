// The read calls readiness makes to IAM, ECR, ACM, EFS, EC2, SNS and SQS, as SigV4-signed HTTP requests of
// our own. The SDK's clients for these seven services added 1.55 MB to a bundle whose target is 1.5 MB
// (bench "bundle-size") for one or two reads each, whose answer readiness reads only as "there" or "which
// error code". Signed with the SDK's own SigV4 signer and the delegate's credential chain; endpoints honour
// AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL as the SDK does (passed in from lib/config).
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** The services, by the id AWS_ENDPOINT_URL_<ID> uses, with their signing name and regional host. */
export const READ_SERVICES = {
  iam: { signingName: 'iam', host: 'iam' },
  ecr: { signingName: 'ecr', host: 'api.ecr' },
  acm: { signingName: 'acm', host: 'acm' },
  efs: { signingName: 'elasticfilesystem', host: 'elasticfilesystem' },
  ec2: { signingName: 'ec2', host: 'ec2' },
  sns: { signingName: 'sns', host: 'sns' },
  sqs: { signingName: 'sqs', host: 'sqs' },
} as const;
export type ReadService = keyof typeof READ_SERVICES;

/** A call is tried this many times when the network, the service (5xx) or throttling fails it. */
const ATTEMPTS = 3;
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled']);

/** An AWS error answer, named by its code like an SDK error (classifyLookupError reads `name`). */
export class AwsReadError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface AwsReadClientOptions {
  service: ReadService;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** The endpoint override for this service, if any. @default the service's regional (IAM: global) endpoint */
  endpoint?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

export interface ReadRequest {
  method: 'GET' | 'POST';
  /** @default '/' */
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

/** One service in one region: signs, sends and retries; error answers become AwsReadError. */
export class AwsReadClient {
  readonly #endpoint: URL;
  readonly #signer: SignatureV4;
  readonly #fetch: typeof fetch;

  constructor(options: AwsReadClientOptions) {
    const { endpoint, signingRegion } = resolveEndpoint(options.service, options.region, options.endpoint);
    this.#endpoint = endpoint;
    this.#signer = new SignatureV4({
      service: READ_SERVICES[options.service].signingName, region: signingRegion, credentials: options.credentials, sha256: Hash.bind(null, 'sha256'),
    });
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Sends the request; resolves with the body of a 2xx answer, rejects with AwsReadError otherwise. */
  async send(req: ReadRequest, parseError: (status: number, headers: Headers, body: string) => AwsReadError, signal?: AbortSignal): Promise<string> {
    const path = `${this.#endpoint.pathname.replace(/\/$/, '')}${req.path ?? '/'}`;
    for (let attempt = 1; ; attempt++) {
      const signed = await this.#signer.sign(new HttpRequest({
        method: req.method, protocol: this.#endpoint.protocol, hostname: this.#endpoint.hostname,
        ...(this.#endpoint.port ? { port: Number(this.#endpoint.port) } : {}), path, ...(req.query ? { query: req.query } : {}),
        headers: { host: this.#endpoint.host, ...req.headers }, ...(req.body !== undefined ? { body: req.body } : {}),
      }));
      const url = new URL(path, this.#endpoint);
      for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
      let res: Response;
      try {
        res = await this.#fetch(url, { method: req.method, headers: signed.headers, ...(req.body !== undefined ? { body: req.body } : {}), ...(signal ? { signal } : {}) });
      } catch (err) {
        if (signal?.aborted || attempt >= ATTEMPTS) throw err;
        continue;
      }
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) return text;
      const error = parseError(res.status, res.headers, text);
      if (attempt >= ATTEMPTS || !(res.status >= 500 || THROTTLING.has(error.name))) throw error;
    }
  }
}

/** The service's endpoint and signing region: the override, else `<host>.<region>.amazonaws.com[.cn]`; IAM is global per partition. */
export function resolveEndpoint(service: ReadService, region: string, override?: string): { endpoint: URL; signingRegion: string } {
  const china = region.startsWith('cn-');
  const gov = region.startsWith('us-gov-');
  // IAM has one endpoint per partition, signed for the partition's home region.
  const signingRegion = service === 'iam' ? (china ? 'cn-north-1' : gov ? 'us-gov-west-1' : 'us-east-1') : region;
  if (override) return { endpoint: new URL(override), signingRegion };
  if (service === 'iam') {
    return { endpoint: new URL(china ? 'https://iam.cn-north-1.amazonaws.com.cn/' : gov ? 'https://iam.us-gov.amazonaws.com/' : 'https://iam.amazonaws.com/'), signingRegion };
  }
  return { endpoint: new URL(`https://${READ_SERVICES[service].host}.${region}.amazonaws.com${china ? '.cn' : ''}/`), signingRegion };
}
