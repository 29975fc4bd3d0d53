/** One HTTP request to the Kubernetes API server, relative to the cluster endpoint. */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. `/apis/apps/v1/deployments`. */
  path: string;
  /** Query parameters; undefined values are omitted. */
  query?: Record<string, string | number | undefined>;
  /** JSON body (serialized by the transport). */
  body?: unknown;
  signal?: AbortSignal;
  /**
   * The Accept header, e.g. the aggregated-discovery media types (lib/kube/discoveryDocuments.ts).
   * @default 'application/json'
   */
  accept?: string;
  /**
   * Attempts for retryable failures (429, 5xx, network errors), including the first, for this request only:
   * discovery of a group version fails fast, as client-go's does (issue 16).
   * @default the transport's own (KubeClientOptions.maxAttempts)
   */
  maxAttempts?: number;
  /**
   * Hand a 429 back at once instead of retrying it: for a caller that paces itself and must never fail on
   * throttling (restore's writes, lib/concurrency AdaptiveLimit). @default false: retried as other 5xx are
   */
  handBack429?: boolean;
}

/** The raw response: the body is left unparsed so callers never go through typed models that drop fields. */
export interface KubeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * The one seam between the delegate and the API server. The real implementation (KubeClient) adds
 * TLS verified against the cluster CA, the bearer token, retries with backoff and Retry-After;
 * unit tests hand in fakes.
 */
export interface KubeTransport {
  request(req: KubeRequest): Promise<KubeResponse>;
  /**
   * The same request, with a 2xx body handed over as it arrives instead of whole (list pages: issue 8).
   * Optional: without it, callers fall back to request() and see the body as one chunk.
   */
  stream?(req: KubeRequest): Promise<KubeStreamResponse>;
}

/**
 * A response whose body is read as it arrives. Non-2xx bodies (small Status objects) are read whole before
 * it is returned. Iterating `body` throws KubeBodyInterruptedError when the connection breaks mid-body;
 * stopping early (break, throw) closes the connection.
 */
export interface KubeStreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer>;
}

/** A resource type the delegate backs up, as discovery found it. */
export interface DiscoveredResource {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  /** `group/version`, or `version` for the core group. */
  groupVersion: string;
  /** Plural resource name, e.g. `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** Velero-style name: `<plural>` for the core group, `<plural>.<group>` otherwise. */
  name: string;
}

/** A list page as served by the API server, items left as plain JSON (never typed models). */
export interface ListPage {
  apiVersion?: string;
  kind?: string;
  metadata?: { continue?: string; resourceVersion?: string; remainingItemCount?: number };
  items: Array<Record<string, unknown>>;
}
