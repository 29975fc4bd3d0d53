import { DEFAULT_PAGE_SIZE } from './pager';
import { isJsonObject, parseJsonObjectResponse, withBodyRetries } from './responseBody';
import type { KubeTransport } from './types';

const NAMESPACES_PATH = '/api/v1/namespaces';

/**
 * The names of the cluster's namespaces, page by page (a namespace list is small: names only are kept).
 * For checking the names a backup's filters give (lib/backup/checkFilterNames.ts); throws KubeApiError
 * when the API server refuses (403 for a role without `list namespaces`).
 */
export async function listNamespaceNames(transport: KubeTransport, options: { signal?: AbortSignal; pageSize?: number } = {}): Promise<string[]> {
  const names: string[] = [];
  let continueToken: string | undefined;
  do {
    const page = await withBodyRetries(async () => parseJsonObjectResponse(await transport.request({
      method: 'GET', path: NAMESPACES_PATH, query: { limit: options.pageSize ?? DEFAULT_PAGE_SIZE, continue: continueToken }, signal: options.signal,
    }), NAMESPACES_PATH), options.signal);
    const items = Array.isArray(page.items) ? page.items : [];
    for (const item of items) {
      const name = isJsonObject(item) && isJsonObject(item.metadata) ? item.metadata.name : undefined;
      if (typeof name === 'string') names.push(name);
    }
    const meta = isJsonObject(page.metadata) ? page.metadata : {};
    continueToken = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
  } while (continueToken !== undefined);
  return names;
}
