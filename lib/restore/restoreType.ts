import type { ResourceFilter } from '../backup/filters';
import { TaskPool, type AdaptiveLimit } from '../concurrency';
import { KubeApiError, KubeError } from '../kube/errors';
import type { DiscoveredResource } from '../kube/types';
import type { ManifestResource } from '../recovery-point/manifest';
import { TranslationError } from '../translation';
import { CrdNotEstablishedError, RestoreAccessError, RestoreDeadlineError, TargetThrottledError } from './errors';
import type { ObjectWriter } from './ObjectWriter';
import { NEVER_RESTORED_TYPES, skipReason } from './plan';
import { prepareObject } from './prepareObject';
import { readExistingNames, writeExistingNames } from './restoreFacts';
import type { RestoreSpool } from './RestoreSpool';
import { errorText, failed, namespaceOf, rowKey, skipped, type ObjectResult, type RestoreTally, type StopReason } from './RestoreTally';
import type { TargetApi, TargetEndpoint } from './TargetApi';
import type { RestoreDependencies, RestoreOptions, RestoreReportRow } from './types';

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

type Json = Record<string, unknown>;

/** What the types of one restore share while they are written (several at once within a tier). */
export interface RestoreContext {
  opts: RestoreOptions;
  deps: Pick<RestoreDependencies, 'logger' | 'onProgress' | 'reportS3'>;
  spool: RestoreSpool;
  rows: ReadonlyMap<string, ManifestResource>;
  filter: ResourceFilter;
  target: TargetApi;
  writer: ObjectWriter;
  tally: RestoreTally;
  /** The one cap of writes in flight for the whole restore, lowered by 429s. */
  limit: AdaptiveLimit;
  signal: AbortSignal;
  /** CRDs of this recovery point that never became established: `crdName -> why`. */
  crdFailures: Map<string, string>;
}

/**
 * One resource type, each object in its row; once the run stopped (or this type failed part-way), the
 * objects without a row yet get a not-attempted one. Throws only RestoreAccessError.
 */
export async function restoreType(ctx: RestoreContext, resourceName: string): Promise<void> {
  if (ctx.tally.stopped) return each(ctx, resourceName, (obj) => ctx.tally.record(resourceName, obj, { outcome: 'not-attempted' }));
  const reported = new Set<string>();
  try {
    await writeType(ctx, resourceName, reported);
  } catch (err) {
    if (err instanceof RestoreAccessError) throw err;
    // The deadline, or the cluster gone: what was not reached is said in the report.
    const stopped = stopReason(err, ctx.signal);
    ctx.tally.stop(stopped);
    ctx.deps.logger.error('restore stopped', { stage: 'restore', resource: resourceName, reason: stopped.reason, error: stopped.error });
    await each(ctx, resourceName, async (obj) => {
      if (!reported.has(rowKey(obj))) await ctx.tally.record(resourceName, obj, { outcome: 'not-attempted' });
    });
  }
}

async function writeType(ctx: RestoreContext, resourceName: string, reported: Set<string>): Promise<void> {
  const { tally, signal } = ctx;
  const record: RecordRow = async (obj, result) => {
    reported.add(rowKey(obj));
    await tally.record(resourceName, obj, result);
  };
  const resource = asDiscovered(resourceName, ctx.rows.get(resourceName));
  const never = NEVER_RESTORED_TYPES[resourceName];
  if (never !== undefined) return each(ctx, resourceName, (obj) => record(obj, skipped('notRestorable', `${resourceName} are never restored: ${never}`)));
  if (!ctx.filter.includesResource(resource)) return each(ctx, resourceName, (obj) => record(obj, skipped('excluded', 'resource excluded by the filters')));
  const crd = ctx.spool.crds.get(resourceName);
  const crdFailure = crd ? ctx.crdFailures.get(crd.crdName) : undefined;
  if (crdFailure !== undefined) return each(ctx, resourceName, (obj) => record(obj, failed(crdFailure)));
  const endpoint = await ctx.target.resolve(resource);
  if (!endpoint) {
    if (crd) {
      // Only in a dry run: a real run has created and waited for the CRD by now.
      return each(ctx, resourceName, (obj) => record(obj, skipped('needsCrd', `needs CRD ${crd.crdName} from this recovery point`, wouldHold(ctx, resourceName, obj))));
    }
    const why = `the recovery cluster does not serve ${resource.groupVersion}/${resource.resource} (${resource.kind}) and this recovery point has no CRD for it`;
    tally.warnings.push(why);
    return each(ctx, resourceName, (obj) => record(obj, failed(why, 404)));
  }
  if (endpoint.groupVersion !== resource.groupVersion) {
    tally.warnings.push(`${resourceName}: backed up at ${resource.groupVersion}, restored at ${endpoint.groupVersion} (the recovery cluster does not serve the former)`);
  }
  ctx.deps.onProgress?.({ resource: resourceName, objects: tally.done });
  const existing = await existingNames(ctx, resourceName, endpoint);
  ctx.deps.logger.info('restoring resource type', { stage: 'restore', resource: resourceName, at: endpoint.groupVersion, existing: existing.size });

  // The type's writes take their slots from the restore's one limit, shared with the other types of its tier.
  const writes = new TaskPool(ctx.limit);
  try {
    for await (const obj of objects(ctx, resourceName)) {
      if (writes.failure) break;
      if (!signal.aborted) {
        const skip = notWritten(ctx, resource, obj);
        if (skip) {
          await record(obj, skip);
          continue;
        }
        try {
          await writes.start(() => writeObject(ctx, resourceName, endpoint, existing, obj, record), signal);
          continue;
        } catch (err) {
          if (writes.failure) break;
          if (!signal.aborted) throw err;
        }
      }
      tally.stop(stopReason(signal.reason, signal));
      await record(obj, { outcome: 'not-attempted' });
    }
  } finally {
    // Whatever ends this type, no write of it is left running: it would report after the report was written.
    await writes.settle();
  }
  if (writes.failure) throw writes.failure.error;
  if (resourceName === CRDS && !ctx.opts.dryRun && !ctx.opts.slice?.objects) await waitForCrds(ctx);
}

/**
 * One object written, paced: a 429 gives its slot back, halves the restore's cap and waits the Retry-After
 * (lib/concurrency AdaptiveLimit), then writes it again. Only the deadline ends that waiting.
 */
async function writeObject(
  ctx: RestoreContext, resourceName: string, endpoint: TargetEndpoint, existing: ReadonlySet<string>, obj: Json, record: RecordRow,
): Promise<void> {
  const { signal, tally } = ctx;
  let extra: Partial<RestoreReportRow> = {};
  try {
    const w = ctx.writer.prepare(resourceName, endpoint, obj);
    extra = w.extra;
    for (;;) {
      try {
        const result = await ctx.writer.write(w, existing);
        ctx.limit.succeeded();
        return await record(obj, result);
      } catch (err) {
        if (!(err instanceof TargetThrottledError)) throw err;
        tally.throttled++;
        ctx.deps.logger.debug('write throttled', { stage: 'restore', resource: resourceName, retryAfterMs: err.retryAfterMs, cap: ctx.limit.cap });
        await ctx.limit.backOff(err.retryAfterMs, signal);
      }
    }
  } catch (err) {
    if (err instanceof RestoreAccessError) throw err;
    if (signal.aborted) {
      // The deadline cut this write short: it may have been made or not; the next run (skip) finds out.
      tally.stop(stopReason(signal.reason, signal));
      return record(obj, { outcome: 'not-attempted', reason: 'interrupted by the deadline (it may have been written): run the restore again to finish it', ...extra });
    }
    // An aws-auth that is not the YAML lists it should be is that object's failure, not the restore's.
    if (!(err instanceof KubeError) && !(err instanceof TranslationError)) throw err;
    return record(obj, failed(errorText(err), undefined, extra));
  }
}

/**
 * What the recovery cluster has of a type. The chunks of a durable restore's large type list it once, the
 * first chunk to run storing the names for the others (layout.restoreExistingNamesKey): a list per chunk is
 * the whole type again each time (O(chunks x type)), and what exists cannot be inferred from a create's 409,
 * since an admission webhook answers a create before the API server's own conflict check. An object of a chunk
 * made after the list (an earlier attempt of the chunk) meets its 409, and resumable counts it once.
 */
async function existingNames(ctx: RestoreContext, resourceName: string, endpoint: TargetEndpoint): Promise<ReadonlySet<string>> {
  const store = ctx.opts.slice?.objects ? ctx.opts.durable?.store : undefined;
  const stored = store ? await readExistingNames(ctx.deps.reportS3, store, resourceName, ctx.signal) : undefined;
  if (stored) return stored;
  const names = await ctx.target.existingNames(endpoint, targetNamespacesToList(ctx));
  if (store) await writeExistingNames(ctx.deps.reportS3, store, resourceName, names, ctx.signal);
  return names;
}

/** Objects the filters leave out, and those the plan never writes (made by the cluster, owned): no slot needed. */
function notWritten(ctx: RestoreContext, resource: DiscoveredResource, obj: Json): ObjectResult | undefined {
  if (!ctx.filter.includesObject(resource, obj)) return skipped('excluded', 'namespace excluded by the filters');
  const skip = skipReason(resource.name, obj, ctx.spool);
  return skip ? skipped(skip.skip, skip.why) : undefined;
}

type RecordRow = (obj: Json, result: ObjectResult) => Promise<void>;

/** After the CRD tier: each CRD of the recovery point must be Established before its custom resources. */
async function waitForCrds(ctx: RestoreContext): Promise<void> {
  await Promise.all([...ctx.spool.crds.values()].map(async (crd) => {
    try {
      await ctx.target.waitForCrd(crd.crdName, crd.group, ctx.opts.crdWaitMs);
    } catch (err) {
      if (!(err instanceof CrdNotEstablishedError)) throw err;
      ctx.crdFailures.set(crd.crdName, err.message);
      ctx.tally.warnings.push(err.message);
    }
  }));
}

/** For an object a dry run cannot send (its CRD is not there yet): what `gitops: pause` would hold on it. */
function wouldHold(ctx: RestoreContext, resourceName: string, obj: Json): Partial<ObjectResult> {
  if (ctx.opts.gitops !== 'pause') return {};
  const { object, gitopsHeld } = prepareObject(resourceName, obj, { namespaceMapping: ctx.opts.namespaceMapping, gitops: 'pause' });
  if (!gitopsHeld) return {};
  const ns = namespaceOf(object);
  return { gitopsHeld: gitopsHeld.map((f) => f.path), ...(ns !== undefined && ns !== namespaceOf(obj) ? { targetNamespace: ns } : {}) };
}

async function each(ctx: RestoreContext, resourceName: string, fn: (obj: Json) => Promise<void>): Promise<void> {
  for await (const obj of objects(ctx, resourceName)) await fn(obj);
}

/** The objects of a type, or of the slice's range of it (archive order, which a re-read keeps). */
function objects(ctx: RestoreContext, resourceName: string): AsyncGenerator<Json> {
  return ctx.spool.objects(resourceName, ctx.opts.slice?.objects);
}

/** With includeNamespaces, the existing objects are listed in those namespaces (as mapped) only. */
function targetNamespacesToList(ctx: RestoreContext): string[] | undefined {
  return ctx.filter.namespacesToList()?.map((ns) => ctx.opts.namespaceMapping[ns] ?? ns);
}

/** The manifest's row as the filter and the target lookup need it. */
function asDiscovered(resourceName: string, row: ManifestResource | undefined): DiscoveredResource {
  const dot = resourceName.indexOf('.');
  const group = row?.group ?? (dot < 0 ? '' : resourceName.slice(dot + 1));
  const version = row?.version ?? 'v1';
  return {
    group, version, groupVersion: group === '' ? version : `${group}/${version}`,
    resource: row?.resource ?? (dot < 0 ? resourceName : resourceName.slice(0, dot)),
    kind: row?.kind ?? '', namespaced: row?.namespaced ?? true, verbs: [], name: resourceName,
  };
}

export function stopReason(err: unknown, signal: AbortSignal): StopReason {
  const cause = signal.aborted ? signal.reason : err;
  if (cause instanceof RestoreDeadlineError) return { reason: 'deadline', error: `${cause.message}: stopped; run the restore again (policy skip) to finish it` };
  if (cause instanceof KubeApiError && (cause.status === 401 || cause.status === 403)) return { reason: cause.status === 401 ? 'unauthorized' : 'forbidden', error: cause.message };
  return { reason: 'error', error: errorText(cause) };
}
