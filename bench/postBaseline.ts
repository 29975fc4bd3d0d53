// The restore's baseline: the objects of the seeded tenants, prepared as the delegate prepares them, POSTed in
// restore order by a client that does nothing else, each tier's objects under one cap of writes in flight (the
// delegate may not write a tier before the one above it is done, and no more). Against it, the delegate's
// restore shows what it adds: its wall time over the baseline's, and its CPU over the baseline client's own.
import type { RecoveryPointReader } from '../lib/recovery-point';
import { prepareForRestore, restoreRank } from '../lib/restore';
import type { ApiConnection } from './ApiConnection';

/** The namespaces the bench seeds (seedCluster.ts); the baseline writes their objects only. */
export const TENANT = /^tenant-\d+$/;

/** One object to POST: its collection path in the recovery cluster and its prepared body. */
export interface PreparedWrite {
  collection: string;
  body: Record<string, unknown>;
}

export interface BaselineRun {
  ms: number;
  /** This process's CPU (user + system) while it wrote: process.cpuUsage's difference. */
  cpuMs: number;
  objects: number;
}

/**
 * The tenants' objects of the recovery point (those `include` accepts), prepared with each tenant namespace
 * renamed by `rename`, by type.
 */
export async function preparedWrites(
  reader: RecoveryPointReader, rename: (namespace: string) => string, include: (namespace: string) => boolean = () => true,
): Promise<Map<string, PreparedWrite[]>> {
  const byType = new Map<string, PreparedWrite[]>();
  for await (const entry of reader.objects()) {
    const ns = entry.resourceName === 'namespaces' ? entry.name : entry.namespace;
    if (ns === undefined || !TENANT.test(ns) || !include(ns)) continue;
    const body = prepareForRestore(entry.resourceName, entry.object, { namespaceMapping: { [ns]: rename(ns) } });
    const list = byType.get(entry.resourceName) ?? [];
    list.push({ collection: collectionOf(entry.resourceName, String(body.apiVersion), rename(ns)), body });
    byType.set(entry.resourceName, list);
  }
  return byType;
}

/**
 * POSTs every prepared object, tier by tier in restore order, `concurrency` in flight within a tier. Measures
 * only the writes: the objects are prepared before.
 */
export async function postBaseline(api: ApiConnection, byType: ReadonlyMap<string, readonly PreparedWrite[]>, concurrency: number): Promise<BaselineRun> {
  const tiers = new Map<number, PreparedWrite[]>();
  for (const [type, list] of byType) tiers.set(restoreRank(type), [...(tiers.get(restoreRank(type)) ?? []), ...list]);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let objects = 0;
  for (const rank of [...tiers.keys()].sort((a, b) => a - b)) {
    const list = tiers.get(rank)!;
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const item = list[next++]!;
        await api.create(item.collection, item.body);
        objects++;
      }
    }));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, objects };
}

function collectionOf(resourceName: string, apiVersion: string, ns: string): string {
  const plural = resourceName.split('.')[0]!;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return resourceName === 'namespaces' ? `${base}/namespaces` : `${base}/namespaces/${ns}/${plural}`;
}
