// The restore's baseline: the objects of the seeded tenants, prepared as the delegate prepares them, POSTed in
// restore order by a client that does nothing else, each tier's objects under one cap of writes in flight (the
// delegate may not write a tier before the one above it is done, and no more). Against it, the delegate's
// restore shows what it adds: its wall time over the baseline's, and its CPU over the baseline client's own.
import type { RecoveryPointReader } from '../lib/recovery-point';
import { prepareForRestore, restoreRank } from '../lib/restore';
import type { StandInClient } from '../tests/standin/StandInClient';
import { withAdminApi, type ApiConnection } from './ApiConnection';
import type { CpuPin } from './CpuPin';

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
  /** Each type's writes, from its first POST sent to its last answered (a tier's types follow one another). */
  byType: BaselineType[];
}

/** One type of the baseline, in the order written. */
export interface BaselineType {
  type: string;
  objects: number;
  ms: number;
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
export async function postBaseline(api: Pick<ApiConnection, 'create'>, byType: ReadonlyMap<string, readonly PreparedWrite[]>, concurrency: number): Promise<BaselineRun> {
  const tiers = new Map<number, Array<{ type: string; write: PreparedWrite }>>();
  for (const [type, list] of byType) tiers.set(restoreRank(type), [...(tiers.get(restoreRank(type)) ?? []), ...list.map((write) => ({ type, write }))]);
  const spans = new Map<string, { type: string; objects: number; first: number; last: number }>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let objects = 0;
  for (const rank of [...tiers.keys()].sort((a, b) => a - b)) {
    const list = tiers.get(rank)!;
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const { type, write } = list[next++]!;
        const span = spans.get(type) ?? { type, objects: 0, first: performance.now(), last: 0 };
        spans.set(type, span);
        await api.create(write.collection, write.body);
        span.objects++;
        span.last = performance.now();
        objects++;
      }
    }));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, objects, byType: [...spans.values()].map((s) => ({ type: s.type, objects: s.objects, ms: s.last - s.first })) };
}

/** postBaseline into a stand-in cluster as its admin, one socket per write in flight, on the under-test core when pinned. */
export function postBaselineAsAdmin(cluster: StandInClient, byType: ReadonlyMap<string, readonly PreparedWrite[]>, concurrency: number, pin?: CpuPin): Promise<BaselineRun> {
  return withAdminApi(cluster, concurrency, (api) => {
    const post = () => postBaseline(api, byType, concurrency);
    return pin ? pin.onUnderTestCore(true, post) : post();
  });
}

function collectionOf(resourceName: string, apiVersion: string, ns: string): string {
  const plural = resourceName.split('.')[0]!;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return resourceName === 'namespaces' ? `${base}/namespaces` : `${base}/namespaces/${ns}/${plural}`;
}

/**
 * Runs of the same baseline taken on either side of the restore, as one: times and CPU averaged, type by type
 * too. A machine that speeds up or slows down during the bench moves both runs; their mean stands where the
 * restore ran, in time and in the cluster's state.
 */
export function meanBaseline(runs: readonly BaselineRun[]): BaselineRun {
  if (runs.length === 0) throw new RangeError('meanBaseline needs at least one run');
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const types = new Map<string, BaselineType[]>();
  for (const run of runs) for (const t of run.byType) types.set(t.type, [...(types.get(t.type) ?? []), t]);
  return {
    ms: mean(runs.map((r) => r.ms)),
    cpuMs: mean(runs.map((r) => r.cpuMs)),
    objects: Math.round(mean(runs.map((r) => r.objects))),
    byType: [...types].map(([type, list]) => ({ type, objects: Math.round(mean(list.map((t) => t.objects))), ms: mean(list.map((t) => t.ms)) })),
  };
}
