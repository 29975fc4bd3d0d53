import type { PageRequest } from './pager';
import { apiErrorFromResponse } from './responseBody';
import type { DiscoveredResource, KubeResponse, KubeTransport } from './types';

/** `/api/v1/<res>`, `/apis/<g>/<v>/<res>`, or with `/namespaces/<ns>` before the resource. */
export function resourceListPath(resource: DiscoveredResource, namespace?: string): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const ns = namespace !== undefined && resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${resource.resource}`;
}

/**
 * The one GET of a list page, whole (openListPage's fallback for transports without stream()): `limit`
 * and `continue` from the pager, non-2xx answers thrown as KubeApiError.
 */
export async function requestListPage(transport: KubeTransport, path: string, req: PageRequest): Promise<KubeResponse> {
  const res = await transport.request({
    method: 'GET',
    path,
    query: { limit: req.limit, continue: req.continue },
    signal: req.signal,
  });
  if (res.status < 200 || res.status > 299) throw apiErrorFromResponse(res, path);
  return res;
}

/**
 * Opens a list page for reading as it arrives: the transport's stream() when it has one, else request()
 * with the body as one chunk. Non-2xx answers throw KubeApiError, as requestListPage does.
 */
export async function openListPage(transport: KubeTransport, path: string, req: PageRequest): Promise<AsyncIterable<Buffer>> {
  if (!transport.stream) return chunksOf((await requestListPage(transport, path, req)).body);
  const res = await transport.stream({ method: 'GET', path, query: { limit: req.limit, continue: req.continue }, signal: req.signal });
  if (res.status >= 200 && res.status <= 299) return res.body;
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  throw apiErrorFromResponse({ status: res.status, headers: res.headers, body: Buffer.concat(chunks) }, path);
}

async function* chunksOf(body: Buffer): AsyncGenerator<Buffer> {
  yield body;
}

/**
 * The item as a standalone object: `apiVersion` and `kind` first (list items lack them), then every
 * field of the item in its own order, nothing dropped. Values the item already carries win.
 */
export function withTypeMeta(item: Record<string, unknown>, resource: DiscoveredResource): Record<string, unknown> {
  return {
    apiVersion: typeof item.apiVersion === 'string' ? item.apiVersion : resource.groupVersion,
    kind: typeof item.kind === 'string' ? item.kind : resource.kind,
    ...item,
  };
}
