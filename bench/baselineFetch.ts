import type { ApiConnection } from './ApiConnection';

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
  /** CPU time (user + system, all threads) of this process while it fetched and parsed. */
  cpuMs: number;
  pages: number;
  bytes: number;
  /** Items parsed, all pages. */
  items: number;
}

interface ListPage {
  metadata?: { continue?: string };
  items?: unknown[];
}

/**
 * The floor the backup is compared with: the same list pages, cluster-wide, with the same page size,
 * fetched one after another on one keep-alive connection, each body read whole and JSON.parse'd (what
 * any client must do to use a page; issue 16 compares the delegate's CPU with this). No compression,
 * no upload. Runs in this process, so its CPU is process.cpuUsage()'s difference: the bench does
 * nothing else meanwhile.
 */
export async function baselineFetch(api: ApiConnection, resources: ListedResource[], pageSize: number, options: { parse?: boolean } = {}): Promise<BaselineResult> {
  const parse = options.parse ?? true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let pages = 0;
  let bytes = 0;
  let items = 0;
  for (const r of resources) {
    const base = r.group === '' ? `/api/${r.version}/${r.resource}` : `/apis/${r.group}/${r.version}/${r.resource}`;
    let token: string | undefined;
    do {
      const path = `${base}?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const body = await api.getBody(path);
      pages++;
      bytes += body.length;
      if (parse) {
        const page = JSON.parse(body.toString('utf8')) as ListPage;
        items += page.items?.length ?? 0;
        token = page.metadata?.continue || undefined;
      } else {
        token = continueTokenOf(body);
      }
    } while (token);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, pages, bytes, items };
}

/**
 * The continue token without parsing the page (the receive-only floor): the list's metadata is its first
 * key for built-in types and its last for custom resources (keys sorted), so only those ends are read.
 */
export function continueTokenOf(body: Buffer): string | undefined {
  const pattern = /"metadata":\{[^{}]*?"continue":"([^"]*)"/g;
  const head = body.toString('latin1', 0, Math.min(body.length, 4096));
  // The list's own metadata is the first one at the head, or the last one at the tail.
  const found = head.startsWith('{"kind"') ? head.matchAll(pattern).next().value : undefined;
  const tail = found ? undefined : [...body.toString('latin1', Math.max(0, body.length - 4096)).matchAll(pattern)].at(-1);
  return (found ?? tail)?.[1] || undefined;
}
