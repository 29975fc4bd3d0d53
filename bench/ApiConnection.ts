import { Agent, request } from 'node:https';
import type { StandInClient } from '../tests/standin/StandInClient';
import { BenchApiError } from './errors';

export interface ApiConnectionOptions {
  /** https URL of the API server. */
  apiServerUrl: string;
  /** PEM of the cluster CA. */
  caPem: string;
  /** Bearer token (the stand-in's static admin token). */
  token: string;
  /**
   * Sockets kept open (keep-alive); bounds the requests in flight.
   * @default 64
   */
  maxSockets?: number;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const MAX_ATTEMPTS = 8;

/**
 * A lean keep-alive https client for the bench's own traffic: seeding (many concurrent POSTs) and the
 * baseline (sequential GETs, each body parsed). Not the delegate's client, on purpose: the baseline
 * must cost the API server's work, the bytes on the wire and a JSON.parse per page, nothing else.
 */
export class ApiConnection {
  readonly #agent: Agent;
  readonly #base: URL;
  readonly #token: string;

  constructor(opts: ApiConnectionOptions) {
    this.#base = new URL(opts.apiServerUrl);
    this.#token = opts.token;
    this.#agent = new Agent({ ca: opts.caPem, keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  }

  destroy(): void {
    this.#agent.destroy();
  }

  /**
   * POSTs an object; 409 AlreadyExists counts as done, so seeding can be re-run. Retries 429/5xx and
   * network errors (the API server sheds load under 64 concurrent writers on 2 cores).
   */
  async create(collectionPath: string, obj: unknown): Promise<void> {
    const payload = Buffer.from(JSON.stringify(obj));
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let detail: string;
      try {
        const res = await this.#send('POST', collectionPath, payload);
        status = res.status;
        if (status < 300 || status === 409) return;
        detail = res.body.toString('utf8').slice(0, 300);
        if (!RETRYABLE.has(status)) throw new BenchApiError('POST', collectionPath, status, detail);
      } catch (err) {
        if (err instanceof BenchApiError || attempt >= MAX_ATTEMPTS) throw err;
        detail = err instanceof Error ? err.message : String(err);
      }
      if (attempt >= MAX_ATTEMPTS) throw new BenchApiError('POST', collectionPath, status, detail);
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }

  /** GET with the whole body kept. */
  async getJson<T>(path: string): Promise<T> {
    return JSON.parse((await this.getBody(path)).toString('utf8')) as T;
  }

  /** GET's whole body; throws unless 200. */
  async getBody(path: string): Promise<Buffer> {
    const res = await this.#send('GET', path, undefined);
    if (res.status !== 200) throw new BenchApiError('GET', path, res.status, res.body.toString('utf8').slice(0, 300));
    return res.body;
  }

  #send(method: string, path: string, payload: Buffer | undefined): Promise<{ status: number; body: Buffer }> {
    const url = new URL(path, this.#base);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method, agent: this.#agent,
        headers: {
          authorization: `Bearer ${this.#token}`, accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** A connection to a stand-in cluster as its admin, for one piece of work, destroyed after it. */
export async function withAdminApi<T>(cluster: StandInClient, maxSockets: number, work: (api: ApiConnection) => Promise<T>): Promise<T> {
  const api = new ApiConnection({ apiServerUrl: cluster.conn.apiServerUrl, caPem: cluster.conn.caPem, token: cluster.conn.adminToken, maxSockets });
  try {
    return await work(api);
  } finally {
    api.destroy();
  }
}
