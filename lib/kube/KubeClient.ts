import { Agent, request as httpsRequest } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { createSecureContext } from 'node:tls';
import { urlToHttpOptions } from 'node:url';
import type { IncomingMessage } from 'node:http';
import { KubeBodyInterruptedError, KubeNetworkError, KubeTlsError } from './errors';
import { oneChunk } from './responseBody';
import type { KubeRequest, KubeResponse, KubeStreamResponse, KubeTransport } from './types';

/** Supplies the bearer token for each request; `invalidate` is called after a 401 so a fresh one is minted. */
export interface BearerTokenProvider {
  getToken(): Promise<string>;
  invalidate(token?: string): void;
}

export interface KubeClientOptions {
  /** https URL of the API server. Plain http is refused: the token is a credential. */
  endpoint: string;
  /** PEM of the cluster CA; TLS is always verified against it. */
  caPem: string;
  tokens: BearerTokenProvider;
  /** Sockets kept open to the API server. @default 16 */
  maxSockets?: number;
  /** Per-request timeout (no byte received for this long). @default 60_000 */
  requestTimeoutMs?: number;
  /** Attempts for retryable failures (429, 500, 502, 503, 504, network errors), including the first. @default 6 */
  maxAttempts?: number;
  /** First backoff delay; doubles each attempt, with jitter. @default 200 */
  baseDelayMs?: number;
  /** Cap on one backoff delay and on an honoured Retry-After. @default 30_000 */
  maxDelayMs?: number;
  /**
   * How long, from a request's first attempt, a request that gets no HTTP answer (connection refused or
   * reset, closed mid-answer, timed out) keeps being retried once its maxAttempts are spent, probing every 2-4 s.
   * A restarting kube-apiserver refuses connections for longer than the 3-6 s the attempts span: 1.20 on the
   * stand-in answers again 2-24 s after it starts (issue 15; the upper figures on 2 heavily shared cores).
   * An answering server's 429/5xx still gets maxAttempts only. 0 turns it off.
   * @default 60_000
   */
  unreachableRetryMs?: number;
  /** Clock for unreachableRetryMs, replaceable in tests. @default Date.now */
  now?: () => number;
  /** Sleep, replaceable in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about each retry (for logs). */
  onRetry?: (info: { path: string; attempt: number; delayMs: number; reason: string }) => void;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Longest backoff delay while an unreachable server is waited for (unreachableRetryMs); jittered down to half. */
const UNREACHABLE_PROBE_MS = 4_000;

/**
 * OpenSSL/Node codes for a server certificate that does not verify against the CA or does not name the
 * host. They are never retried and never downgraded: the bearer token is a credential.
 */
const TLS_VERIFICATION_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A request path that a URL would keep exactly as it is: absolute, no query or fragment, no dot segment,
 * only characters a path may hold unencoded (and percent escapes). Anything else goes through URL.
 */
const PLAIN_PATH = /^\/(?!.*\/\.)[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$/;

/**
 * The real KubeTransport: https with the cluster CA, the EKS bearer token, keep-alive sockets, and
 * retries with exponential backoff that honour Retry-After. Bodies come back raw (see KubeResponse).
 */
export class KubeClient implements KubeTransport {
  readonly #opts: KubeClientOptions;
  readonly #agent: Agent;
  readonly #base: URL;
  /** protocol, hostname, port (and auth) of the endpoint, as https.request takes them: computed once. */
  readonly #origin: { protocol: string; hostname: string; port?: string | number; auth?: string };

  constructor(opts: KubeClientOptions) {
    const base = new URL(opts.endpoint);
    if (base.protocol !== 'https:') throw new KubeNetworkError(opts.endpoint, 'refusing a non-https API server endpoint');
    this.#opts = opts;
    this.#base = base;
    const { protocol, hostname, port, auth } = urlToHttpOptions(base);
    this.#origin = { protocol: protocol ?? 'https:', hostname: hostname ?? base.hostname, ...(port !== undefined && port !== null && port !== '' ? { port } : {}), ...(auth ? { auth } : {}) };
    // One secure context for every socket: given only `ca`, each new TLS connection would build its own
    // context and parse the CA again (~2-3 ms of CPU per connection, issue 8).
    const secureContext = createSecureContext({ ca: opts.caPem });
    this.#agent = new Agent({ secureContext, keepAlive: true, maxSockets: opts.maxSockets ?? 16, rejectUnauthorized: true });
  }

  destroy(): void {
    this.#agent.destroy();
  }

  request(req: KubeRequest): Promise<KubeResponse> {
    return this.#withRetries(req, (token) => this.#once(req, token));
  }

  /** Like request(), but a 2xx body is handed over as it arrives (see KubeStreamResponse). */
  stream(req: KubeRequest): Promise<KubeStreamResponse> {
    return this.#withRetries(req, (token) => this.#open(req, token));
  }

  /** Retries what can be retried before a body is handed over: 429/5xx, network errors, one 401. */
  async #withRetries<R extends { status: number; headers: KubeResponse['headers'] }>(req: KubeRequest, once: (token: string) => Promise<R>): Promise<R> {
    const maxAttempts = req.maxAttempts ?? this.#opts.maxAttempts ?? 6;
    const sleep = this.#opts.sleep ?? defaultSleep;
    const now = this.#opts.now ?? Date.now;
    const unreachableUntil = now() + (this.#opts.unreachableRetryMs ?? 60_000);
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      const token = await this.#opts.tokens.getToken();
      let res: R | undefined;
      let failure: unknown;
      try {
        res = await once(token);
      } catch (err) {
        failure = err;
      }
      if (res) {
        // A 401 can mean the token aged out under us: mint a fresh one once before giving up.
        if (res.status === 401 && !reauthenticated) {
          reauthenticated = true;
          this.#opts.tokens.invalidate(token);
          attempt--;
          continue;
        }
        if (!RETRYABLE_STATUS.has(res.status) || attempt >= maxAttempts || (res.status === 429 && req.handBack429)) return res;
      } else if (req.signal?.aborted || failure instanceof KubeTlsError || (attempt >= maxAttempts && now() >= unreachableUntil)) {
        throw failure;
      }
      // Past maxAttempts only an unreachable server is waited for: probe it every 2-4 s, not ever more rarely.
      const delayMs = attempt >= maxAttempts ? UNREACHABLE_PROBE_MS * (0.5 + Math.random() / 2) : this.#delay(attempt, res);
      this.#opts.onRetry?.({ path: req.path, attempt, delayMs, reason: res ? `HTTP ${res.status}` : errorText(failure) });
      await sleep(delayMs, req.signal);
    }
  }

  #delay(attempt: number, res: { headers: KubeResponse['headers'] } | undefined): number {
    const max = this.#opts.maxDelayMs ?? 30_000;
    const retryAfter = res ? retryAfterMs(res.headers['retry-after']) : undefined;
    if (retryAfter !== undefined) return Math.min(retryAfter, max);
    const base = (this.#opts.baseDelayMs ?? 200) * 2 ** (attempt - 1);
    return Math.min(max, base / 2 + Math.random() * (base / 2));
  }

  /** One request; the whole body is read before it resolves. */
  #once(req: KubeRequest, token: string): Promise<KubeResponse> {
    return this.#send(req, token, (res, resolve, reject) => {
      readWhole(res, req.path).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }), reject);
    });
  }

  /** One request that resolves at the response headers; a 2xx body is left to stream (non-2xx ones are small). */
  #open(req: KubeRequest, token: string): Promise<KubeStreamResponse> {
    return this.#send(req, token, (res, resolve, reject) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status <= 299) return resolve({ status, headers: res.headers, body: streamBody(res, req.path, req.signal) });
      readWhole(res, req.path).then((body) => resolve({ status, headers: res.headers, body: oneChunk(body) }), reject);
    });
  }

  #send<R>(req: KubeRequest, token: string, onResponse: (res: IncomingMessage, resolve: (r: R) => void, reject: (e: unknown) => void) => void): Promise<R> {
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return new Promise<R>((resolve, reject) => {
      const r = httpsRequest({
        ...this.#origin,
        path: this.#pathOf(req),
        method: req.method,
        agent: this.#agent,
        headers: {
          authorization: `Bearer ${token}`,
          accept: req.accept ?? 'application/json',
          'user-agent': 'eks-k8s-delegate',
          ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
        },
        timeout: this.#opts.requestTimeoutMs ?? 60_000,
        ...(req.signal ? { signal: req.signal } : {}),
      }, (res: IncomingMessage) => onResponse(res, resolve, reject));
      r.on('timeout', () => r.destroy(new Error(`no answer within ${this.#opts.requestTimeoutMs ?? 60_000} ms`)));
      // After a streamed response was handed over, its body iterator reports failures; reject is then a no-op.
      r.on('error', (e) => reject(req.signal?.aborted ? req.signal.reason : networkError(req.path, e)));
      r.end(body);
    });
  }

  /**
   * The request's path and query as `new URL(path, endpoint)` with each query value set would give them,
   * without building a URL per request (a restore makes one request per object).
   */
  #pathOf(req: KubeRequest): string {
    let query = '';
    if (req.query) {
      const params = new URLSearchParams();
      for (const k in req.query) {
        const v = req.query[k];
        if (v !== undefined) params.set(k, String(v));
      }
      query = params.toString();
    }
    if (PLAIN_PATH.test(req.path)) return query === '' ? req.path : `${req.path}?${query}`;
    const url = new URL(req.path, this.#base);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return `${url.pathname}${url.search}`;
  }
}

/** The whole body; rejects with KubeNetworkError when the connection closes before it ends. */
function readWhole(res: IncomingMessage, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('aborted', () => reject(new KubeNetworkError(path, 'connection closed mid-body')));
    res.on('error', (e) => reject(new KubeNetworkError(path, errorText(e), { cause: e })));
    res.on('end', () => {
      if (!res.complete) return reject(new KubeNetworkError(path, 'connection closed mid-body'));
      // Most answers (a created object, a Status) arrive in one chunk: handed over as it is, not copied.
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
}

/** The body chunk by chunk; a connection that breaks before the end becomes KubeBodyInterruptedError. */
async function* streamBody(res: IncomingMessage, path: string, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw new KubeBodyInterruptedError(path, `connection closed mid-body (${errorText(err)})`, { cause: err });
  }
  if (!res.complete) throw new KubeBodyInterruptedError(path, 'connection closed mid-body');
}

/** A Retry-After header (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** A request that got no HTTP answer; certificate failures become KubeTlsError, which is not retried. */
function networkError(path: string, e: Error): KubeNetworkError {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && TLS_VERIFICATION_CODES.has(code)) {
    return new KubeTlsError(path, code, `the API server's certificate does not verify against the cluster CA (${code}: ${e.message})`, { cause: e });
  }
  return new KubeNetworkError(path, errorText(e), { cause: e });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * node:timers/promises removes its abort listener when the delay ends: the run's one signal saw a listener
 * left behind by every retry before (MaxListenersExceededWarning in the million-object backup).
 * Rejects with the signal's reason, as the retry loop expects.
 */
async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : {}).catch((err: unknown) => {
    throw signal?.aborted ? signal.reason : err;
  });
}
