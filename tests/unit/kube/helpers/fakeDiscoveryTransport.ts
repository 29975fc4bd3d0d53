import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../../../lib/kube/types';

export type DiscoveryFixtureName = 'discovery-1.20' | 'discovery-1.30' | 'discovery-aggregated-v2' | 'discovery-aggregated-v2beta1';

/** A fixture file: discovery documents keyed by request path. */
interface DiscoveryFixture {
  description: string;
  responses: Record<string, unknown>;
}

/** Loads `fixtures/<name>.json`: the discovery documents of one server version, keyed by path. */
export function loadDiscoveryFixture(name: DiscoveryFixtureName): Record<string, unknown> {
  const parsed = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8')) as DiscoveryFixture;
  return parsed.responses;
}

/** What a path answers instead of its fixture document. */
export type Override = { status: number; body: string } | Error;

export interface FakeDiscoveryTransportOptions {
  overrides?: Record<string, Override>;
  /** Delay before answering a path, to shuffle completion order or hold requests in flight. */
  delayMs?: (path: string) => number;
  /**
   * Aggregated discovery documents (keyed by `/api`, `/apis`), served only when the request's Accept asks for
   * that version, as a server of 1.26+ does; otherwise the legacy `responses` answer.
   */
  aggregated?: { version: 'v2' | 'v2beta1'; responses: Record<string, unknown> };
}

/** Serves discovery documents like an API server; unknown paths answer 404 with a Status body. */
export class FakeDiscoveryTransport implements KubeTransport {
  readonly requests: KubeRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly responses: Record<string, unknown>,
    private readonly options: FakeDiscoveryTransportOptions = {},
  ) {}

  async request(req: KubeRequest): Promise<KubeResponse> {
    this.requests.push(req);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const delay = this.options.delayMs?.(req.path) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (req.method !== 'GET') throw new Error(`discovery must only GET, got ${req.method} ${req.path}`);
      const override = this.options.overrides?.[req.path];
      if (override instanceof Error) throw override;
      if (override) return response(override.status, override.body);
      const aggregated = this.options.aggregated;
      const asked = req.accept?.split(',').some((t) => t.trim() === `application/json;g=apidiscovery.k8s.io;v=${aggregated?.version};as=APIGroupDiscoveryList`);
      if (aggregated && asked && aggregated.responses[req.path] !== undefined) return response(200, JSON.stringify(aggregated.responses[req.path]));
      const doc = this.responses[req.path];
      if (doc === undefined) {
        return response(404, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 }));
      }
      return response(200, JSON.stringify(doc));
    } finally {
      this.inFlight -= 1;
    }
  }
}

function response(status: number, body: string): KubeResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}
