import type { PageRequest } from './pager';
import { apiErrorFromResponse, oneChunk } from './responseBody';
import type { DiscoveredResource, KubeRequest, KubeTransport } from './types';

/** `/api/v1/<res>`, `/apis/<g>/<v>/<res>`, or with `/namespaces/<ns>` before the resource. */
export function resourceListPath(resource: DiscoveredResource, namespace?: string): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const ns = namespace !== undefined && resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${resource.resource}`;
}

/**
 * Opens a list page for reading as it arrives: `limit` and `continue` from the pager, through the
 * transport's stream() when it has one, else request() with the body as one chunk. Non-2xx answers throw
 * KubeApiError with the Status object's reason and message.
 */
export async function openListPage(transport: KubeTransport, path: string, req: PageRequest): Promise<AsyncIterable<Buffer>> {
  const request: KubeRequest = { method: 'GET', path, query: { limit: req.limit, continue: req.continue }, signal: req.signal };
  if (!transport.stream) {
    const res = await transport.request(request);
    if (!isSuccess(res.status)) throw apiErrorFromResponse(res, path);
    return oneChunk(res.body);
  }
  const res = await transport.stream(request);
  if (isSuccess(res.status)) return res.body;
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  throw apiErrorFromResponse({ status: res.status, headers: res.headers, body: Buffer.concat(chunks) }, path);
}

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
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
