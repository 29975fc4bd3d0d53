import type { ApiConnection } from './ApiConnection';
import { BenchApiError } from './errors';

/** A resource type as the recovery point's manifest records it. */
export interface ListedResource {
  name: string;
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

export interface BaselineResult {
  ms: number;
  pages: number;
  bytes: number;
}

/** The list's own metadata: first in built-in lists, last in custom resource lists (keys sorted). */
const HEAD_METADATA = /^\{"kind":"[A-Za-z0-9]+List","apiVersion":"[^"]*","metadata":\{([^{}]*)\}/;
const TAIL_METADATA = /"metadata":\{([^{}]*)\}\}\s*$/;
const CONTINUE = /"continue":"([^"]*)"/;

/**
 * The floor the backup is compared with: the same list pages, cluster-wide, with the same page size,
 * fetched one after another on one keep-alive connection, bodies read off the socket and discarded
 * (only the head is kept, to find the continue token). No parsing, no compression, no upload.
 */
export async function baselineFetch(api: ApiConnection, resources: ListedResource[], pageSize: number): Promise<BaselineResult> {
  const t0 = performance.now();
  let pages = 0;
  let bytes = 0;
  for (const r of resources) {
    const base = r.group === '' ? `/api/${r.version}/${r.resource}` : `/apis/${r.group}/${r.version}/${r.resource}`;
    let token: string | undefined;
    do {
      const path = `${base}?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const res = await api.skim(path);
      if (res.status !== 200) throw new BenchApiError('GET', path, res.status, res.head.toString('utf8').slice(0, 300));
      pages++;
      bytes += res.bytes;
      token = continueToken(res.head.toString('latin1'), res.tail.toString('latin1'));
    } while (token);
  }
  return { ms: performance.now() - t0, pages, bytes };
}

/** The continue token of a list page, from whichever end holds the list's metadata; undefined on the last page. */
export function continueToken(head: string, tail: string): string | undefined {
  const metadata = HEAD_METADATA.exec(head)?.[1] ?? TAIL_METADATA.exec(tail)?.[1];
  if (metadata === undefined) throw new Error(`list page without list metadata: ${head.slice(0, 120)} ... ${tail.slice(-120)}`);
  return CONTINUE.exec(metadata)?.[1] || undefined;
}
