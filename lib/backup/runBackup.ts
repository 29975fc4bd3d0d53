import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runAbortController, TaskPool } from '../concurrency';
import { collectPodIdentityAssociations, DependencyCollector, type AwsDependency } from '../dependencies';
import { KubeApiError, KubeTlsError } from '../kube/errors';
import { ResourceDiscovery } from '../kube/ResourceDiscovery';
import { BufferPool } from '../kube/BufferPool';
import { streamListItems, type ArchivableItem } from '../kube/listItems';
import { listNamespaceNames } from '../kube/listNamespaceNames';
import { DEFAULT_PAGE_SIZE, streamResourceItems } from '../kube/pager';
import type { DiscoveredResource } from '../kube/types';
import { manifestKey, newRecoveryPointId, objectEntryPath, recoveryPointFolder } from '../recovery-point/layout';
import { MANIFEST_FORMAT_VERSION, type ManifestToWrite } from '../recovery-point/manifest';
import { RecoveryPointError } from '../recovery-point/errors';
import { RecoveryPointWriter } from '../recovery-point/RecoveryPointWriter';
import { SecretEnvelope, SecretKeyError } from '../secrets';
import { decideBackupStatus } from './decideStatus';
import { BackupAccessError, BackupDeadlineError, BackupPreconditionError } from './errors';
import { checkNamespaceNames, checkResourceNames, namesNamespaces, type ClusterNamespaces, type FilterNameCheck } from './checkFilterNames';
import { createResourceFilter, effectiveFilters, recordedScope } from './filters';
import type { BackupDependencies, BackupOptions, BackupOutcome, ResourceOutcome, UnreadableResource } from './types';

const DEFAULT_LIST_CONCURRENCY = 4;
const NO_FINDINGS: FilterNameCheck = { problems: [], warnings: [] };
const DEFAULT_DEADLINE_MARGIN_MS = 30_000;
/** The one resource whose values are sealed: the filters decide up front whether a data key is needed. */
const CORE_SECRETS: DiscoveredResource = {
  group: '', version: 'v1', groupVersion: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true, verbs: ['list'], name: 'secrets',
};
/**
 * Archive parts uploaded at once. One 5 MiB part in flight while the next fills keeps up with the
 * archive (gzip makes ~4 MB/s of it at 14k objects/s, one part takes well under a second to send) and
 * holds two part buffers, reused for the whole archive (PartUpload), instead of the default 4-5 (issue 8).
 */
const ARCHIVE_UPLOAD_QUEUE_SIZE = 1;

/**
 * One backup: discover, list every readable resource page by page, stream the objects into the recovery
 * point's archive, record AWS dependencies as they pass, and commit with the manifest. A resource that
 * cannot be read is recorded and the run goes on; a failure of the archive itself, the deadline, or no
 * access at all ends the run with the upload aborted and no manifest. Bad input found before anything is
 * written (bucket missing or closed, an API server certificate the cluster CA did not sign) throws
 * BackupPreconditionError instead of returning an outcome.
 */
export async function runBackup(options: BackupOptions, deps: BackupDependencies): Promise<BackupOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const { connection, logger } = deps;
  const recoveryPointId = options.recoveryPointId ?? newRecoveryPointId(started);
  const folder = recoveryPointFolder(options.prefix, connection.name, recoveryPointId);
  const location = `s3://${options.bucket}/${folder}`;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const filter = createResourceFilter(options.filters);
  const scope = recordedScope(options.filters);
  // Types named in includeResources are known to exist only once discovery has ended: such a backup lists
  // nothing before then, so a typo is refused with nothing written (DESIGN.md section 9, "Scope").
  const waitForAllTypes = effectiveFilters(options.filters).includeResources.length > 0;

  // Deadline: abort in-flight requests when the remaining time falls under the margin.
  const controller = runAbortController();
  const margin = options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS;
  const remaining = deps.remainingTimeMs?.();
  const deadlineTimer = remaining === undefined ? undefined
    : setTimeout(() => controller.abort(new BackupDeadlineError(`less than ${margin} ms of Lambda time left`)), Math.max(0, remaining - margin));
  const signal = controller.signal;

  const outcomes: ResourceOutcome[] = [];
  const warnings: string[] = [];
  const collector = new DependencyCollector({ clusterAccount: connection.account, clusterRegion: connection.region });
  let writer: RecoveryPointWriter | undefined;
  let objects = 0;
  let bytes = 0;
  let failure: { reason: string; error: string; accessStatus?: number } | undefined;
  let manifestWritten: string | undefined;

  // The bucket check and the writer (HeadObject on the manifest) run while discovery does: they are a
  // fixed cost of every backup, a good part of it at 1k objects (issue 8). The writer uploads nothing
  // before 5 MiB of archive, so one abandoned because discovery failed leaves nothing behind.
  const writerReady = checkBucket(deps, options.bucket, folder).then(() => RecoveryPointWriter.create({
    s3: deps.s3, bucket: options.bucket, folder, signal, queueSize: ARCHIVE_UPLOAD_QUEUE_SIZE,
    serverSideEncryption: options.kmsKeyId ? { type: 'aws:kms', kmsKeyId: options.kmsKeyId } : { type: 'AES256' },
  }));
  // Awaited below in every path; until then a rejection must not count as unhandled.
  writerReady.catch(() => undefined);
  // One data key per recovery point for the Secrets (README "Secrets"), fetched while discovery runs; none
  // when the filters leave Secrets out (nothing to seal, and no KMS call or permission needed).
  const envelopeReady = options.secretsKmsKeyId && filter.includesResource(CORE_SECRETS)
    ? SecretEnvelope.create(deps.kms, options.secretsKmsKeyId, `${connection.name}/${recoveryPointId}`, { signal })
    : undefined;
  envelopeReady?.catch(() => undefined);
  let envelope: SecretEnvelope | undefined;
  // Every name the filters give is checked before the first list (docs/scope.md); the namespaces they name
  // are fetched meanwhile.
  const namespaceCheck: Promise<FilterNameCheck> = namesNamespaces(options.filters)
    ? listNamespaceNames(deps.kube, { signal })
      .then((names): ClusterNamespaces => ({ names }), (err: unknown): ClusterNamespaces => ({ unavailable: errorText(err) }))
      .then((namespaces) => checkNamespaceNames(options.filters, connection.name, namespaces))
    : Promise.resolve(NO_FINDINGS);
  let namesChecked = false;
  /** Refuses the event, naming every unknown name, or records the warnings. Runs once, before the first list. */
  const checkNames = async (resourceCheck: FilterNameCheck) => {
    namesChecked = true;
    const checks = [resourceCheck, await namespaceCheck];
    const problems = checks.flatMap((c) => c.problems);
    if (problems.length > 0) throw new BackupPreconditionError(problems);
    warnings.push(...checks.flatMap((c) => c.warnings));
  };

  try {
    // Discovery starts now and hands each group over as it settles: lists start before it ends (issue 16).
    const discovery = ResourceDiscovery.start(deps.kube, { signal });
    const created = await writerReady.then((value) => ({ ok: true as const, value }), (reason: unknown) => ({ ok: false as const, reason }));
    if (!created.ok) {
      // A bucket that is missing or closed is reported first, as when it was checked before discovery.
      if (created.reason instanceof BackupPreconditionError) throw created.reason;
      await discovery.done.catch((err: unknown) => { throw discoveryFailure(err, connection.endpoint); });
      throw created.reason;
    }
    const w = created.value;
    writer = w;
    envelope = await envelopeReady?.catch((err: unknown) => {
      // Before anything is written: the key named, as bad configuration (the handler lists the problem).
      if (err instanceof SecretKeyError) throw new BackupPreconditionError([err.message], { cause: err });
      throw err;
    });

    // Started with the first group, so a backup whose discovery fails asks EKS for nothing.
    const podWarnings: string[] = [];
    let podIdentity: Promise<void> | undefined;
    const startPodIdentity = () => {
      podIdentity ??= (async () => {
        const found = await collectPodIdentityAssociations(deps.eks, connection.name, { signal });
        collector.addPodIdentityAssociations(found.associations);
        podWarnings.push(...found.warnings.map((w) => w.message));
      })();
      // Awaited after the lists; until then a rejection (e.g. the deadline aborting it) must not go unhandled,
      // or Node would end the process before the upload is aborted and the response returned.
      podIdentity.catch(() => undefined);
    };
    const namespaces = filter.namespacesToList();

    // Types are listed concurrently, each page streamed from the socket into the archive a few items at
    // a time; the scan windows are pooled, so memory does not grow with pages or the cluster (issue 8).
    const listConcurrency = Math.max(1, options.listConcurrency ?? DEFAULT_LIST_CONCURRENCY);
    const windows = new BufferPool({ maxFree: listConcurrency });

    const listOne = async (resource: DiscoveredResource): Promise<ResourceOutcome> => {
      let count = 0;
      const scopes = resource.namespaced && namespaces ? namespaces : [undefined];
      // Items go to the archive as the API server sent them (with apiVersion and kind added): no parse and
      // re-serialize per object. The collector parses only objects whose bytes might name an AWS resource,
      // without their managedFields. Each addObject() writes its entry whole, so items of the types
      // listed at once interleave safely.
      const archive = async (items: ArchivableItem[]) => {
        for (const item of items) {
          if (!filter.includesObject(resource, item)) continue;
          const { name, namespace } = item.metadata;
          const ns = resource.namespaced ? namespace : undefined;
          // Secrets alone are parsed, their values sealed for their archive path; other items go as sent.
          const parts = envelope && resource.name === CORE_SECRETS.name ? envelope.cipher.sealJson(objectEntryPath(resource.name, ns, name ?? ''), item.parts) : item.parts;
          await w.addObject(resource.name, ns, name ?? '', parts);
          collector.observeJson(item.withoutManagedFields ?? item.parts);
          count++;
        }
      };
      try {
        for (const ns of scopes) {
          await streamResourceItems<ArchivableItem>((req, onItems) => streamListItems(deps.kube, resource, req, ns, onItems, { pool: windows }), archive, {
            pageSize, signal,
            onRestart: (info) => {
              const what = info.mode === 'continued' ? 'list went on past its expired continue token' : 'list restarted after its continue token expired';
              logger.warn(what, { stage: 'list', resource: resource.name, ...info });
              // In the response too: objects made or changed while the list went on may be at either version.
              warnings.push(`${resource.name}${ns ? ` in ${ns}` : ''}: ${what} (HTTP 410), attempt ${info.attempt}`);
            },
          });
        }
        return outcomeOf(resource, 'ok', count);
      } catch (err) {
        if (signal.aborted || w.state === 'failed' || w.state === 'aborted') throw err;
        if (err instanceof KubeApiError && err.status === 403) return outcomeOf(resource, 'forbidden', count, err.message);
        if (err instanceof KubeApiError && err.status === 404) return outcomeOf(resource, 'gone', count, err.message);
        if (err instanceof KubeApiError && err.status === 401) throw new BackupAccessError(401, `listing ${resource.name} answered 401`, { cause: err });
        logger.warn('resource could not be listed', { stage: 'list', resource: resource.name, error: errorText(err) });
        return outcomeOf(resource, 'failed', count, errorText(err));
      }
    };

    // Each discovered type is listed as soon as a list slot is free; the first list that ends the run
    // (abort, archive failure, 401) stops the feeding, and the others' failures are then only recorded.
    const lists = new TaskPool(listConcurrency);
    let typesDone = 0;
    let typesTotal = 0;
    const startList = (r: DiscoveredResource) => lists.start(async () => {
      const outcome = await listOne(r);
      // Its gzip member (format 1.2) closes now rather than when evicted: memory back at once.
      w.endResource(r.name);
      outcomes.push(outcome);
      if (outcome.status === 'ok') objects += outcome.count;
      logger.debug('resource listed', { stage: 'list', resource: r.name, count: outcome.count, status: outcome.status });
      deps.onProgress?.({ typesDone: ++typesDone, typesTotal, objects: w.objects, bytes: w.compressedBytes });
    }, signal);

    const discoveredTypes: DiscoveredResource[] = [];
    const feed = async (resources: DiscoveredResource[]) => {
      // Without include names lists start with the first group; the resource names are checked once all are known.
      if (!namesChecked) await checkNames(NO_FINDINGS);
      for (const r of resources) {
        if (!filter.includesResource(r)) {
          outcomes.push(outcomeOf(r, 'excluded', 0));
          continue;
        }
        typesTotal++;
        if (signal.aborted) throw signal.reason;
        await startList(r);
      }
    };
    const groups = discovery[Symbol.asyncIterator]();
    for (;;) {
      const next = await groups.next().catch((err: unknown) => { throw discoveryFailure(err, connection.endpoint); });
      if (next.done) break;
      startPodIdentity();
      discoveredTypes.push(...next.value.resources);
      if (!waitForAllTypes) await feed(next.value.resources);
    }
    const discovered = await discovery.done;
    warnings.push(...discovered.warnings);
    const resourceCheck = checkResourceNames(options.filters, {
      clusterName: connection.name, resources: discoveredTypes,
      duplicates: discovered.duplicates.map((d) => d.name),
      failedGroups: discovered.failedGroups.map((g) => g.groupVersion.split('/')[0] ?? g.groupVersion),
    });
    // Lists already running had no include names to check: then this finds warnings (excludes) only.
    if (namesChecked) warnings.push(...resourceCheck.warnings);
    else await checkNames(resourceCheck);
    if (waitForAllTypes) await feed(discoveredTypes);
    logger.info('discovery complete', { stage: 'discovery', mode: discovered.mode, resourceTypes: discoveredTypes.length, warnings: discovered.warnings.length });
    startPodIdentity();
    await lists.drain();
    await podIdentity;
    warnings.push(...podWarnings);

    const attempted = outcomes.filter((o) => o.status !== 'excluded');
    if (attempted.length > 0 && attempted.every((o) => o.status === 'forbidden')) {
      throw new BackupAccessError(403, 'every resource type answered 403 Forbidden');
    }
    objects = outcomes.reduce((n, o) => n + o.count, 0);
    logger.info('lists complete', { stage: 'list', objects, resourceTypes: outcomes.length });
    const archive = await w.finish();
    bytes = archive.bytes;
    logger.info('archive uploaded', { stage: 'archive', bytes, key: archive.key });
    if (signal.aborted) throw signal.reason;

    const status = decideBackupStatus(outcomes, false);
    const completedAt = now();
    const manifest: ManifestToWrite<AwsDependency> = {
      formatVersion: MANIFEST_FORMAT_VERSION,
      recoveryPointId,
      cluster: {
        name: connection.name, arn: connection.arn, region: connection.region, account: connection.account,
        kubernetesVersion: connection.kubernetesVersion, platformVersion: connection.platformVersion,
        authenticationMode: connection.authenticationMode,
      },
      startedAt: started.toISOString(),
      completedAt: completedAt.toISOString(),
      status,
      scope,
      archive: { key: archive.key, bytes: archive.bytes, sha256: archive.sha256, objects: archive.objects },
      resources: sortOutcomes(outcomes).map((o) => ({ ...o })),
      warnings,
      // Serialized one at a time, never held as a list (issue 8).
      awsDependencies: collector.dependencies(),
      ...(envelope ? { secrets: envelope.manifestEntry } : {}),
    };
    await w.writeManifest(manifest);
    manifestWritten = manifestKey(folder);
    logger.info('recovery point committed', { stage: 'commit', location, objects, bytes, status });
  } catch (err) {
    // Found before anything was written (the writer, if already created, has uploaded nothing): report
    // it as bad input (the handler answers with the problems).
    if (err instanceof BackupPreconditionError) {
      await writer?.abort(err).catch(() => undefined);
      // Discovery and the namespace list may still be running: nothing more is wanted from them.
      controller.abort(err);
      throw err;
    }
    failure = classifyFailure(err, signal);
    logger.error('backup failed', { stage: 'backup', reason: failure.reason, error: failure.error });
    await writer?.abort(failure.error).catch((abortErr: unknown) => {
      logger.error('aborting the upload failed', { stage: 'abort', error: errorText(abortErr) });
    });
  } finally {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    // The data key never outlives the run; one that arrived after a failure is zeroed too.
    envelope?.dispose();
    envelopeReady?.then((e) => e.dispose(), () => undefined);
  }

  const completed = now();
  const status = decideBackupStatus(outcomes, failure !== undefined);
  const unreadable: UnreadableResource[] = outcomes
    .filter((o) => o.status === 'forbidden' || o.status === 'failed')
    .map((o) => ({ resource: o.name, reason: o.status === 'forbidden' ? 'forbidden' : 'failed', ...(o.error ? { error: o.error } : {}) }));
  return {
    status,
    clusterName: connection.name,
    recoveryPointId,
    location,
    objects,
    resources: outcomes.filter((o) => o.status === 'ok').length,
    bytes,
    unreadable,
    warnings,
    ...(failure ? { failureReason: failure.reason, error: failure.error } : {}),
    ...(failure?.accessStatus ? { accessStatus: failure.accessStatus } : {}),
    scope,
    resourceOutcomes: sortOutcomes(outcomes),
    awsDependencyCounts: collector.countsByType(),
    ...(manifestWritten ? { manifestKey: manifestWritten } : {}),
    startedAt: started.toISOString(),
    completedAt: completed.toISOString(),
    durationMs: completed.getTime() - started.getTime(),
  };
}

/**
 * Fails fast, before anything is written, when the bucket is missing or closed to us. ListObjectsV2 under
 * the recovery point's own folder needs only the s3:ListBucket the template grants for the prefix
 * (HeadBucket would need it bucket-wide).
 */
async function checkBucket(deps: BackupDependencies, bucket: string, folder: string): Promise<void> {
  try {
    await deps.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, MaxKeys: 1 }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = err instanceof Error ? err.name : '';
    if (status === 404 || name === 'NoSuchBucket') throw new BackupPreconditionError([`bucket ${bucket} does not exist`], { cause: err });
    if (status === 403 || name === 'AccessDenied') throw new BackupPreconditionError([`access to bucket ${bucket} is denied (s3:ListBucket on ${folder})`], { cause: err });
    throw new BackupPreconditionError([`bucket ${bucket} cannot be reached: ${errorText(err)}`], { cause: err });
  }
}

function classifyFailure(err: unknown, signal: AbortSignal): { reason: string; error: string; accessStatus?: number } {
  const cause = signal.aborted ? signal.reason : err;
  if (cause instanceof BackupDeadlineError) return { reason: 'deadline', error: cause.message };
  if (err instanceof BackupAccessError) {
    return { reason: err.status === 401 ? 'unauthorized' : 'forbidden', error: err.message, accessStatus: err.status };
  }
  if (err instanceof RecoveryPointError) return { reason: 'storage', error: err.message };
  return { reason: 'error', error: errorText(err) };
}

/**
 * What a discovery failure means for the backup: 401/403 is no access, a certificate the cluster CA did not
 * sign is bad input (nothing has been written yet: the writer uploads nothing before 5 MiB), anything
 * else is the failure itself.
 */
function discoveryFailure(err: unknown, endpoint: string): unknown {
  const status = findCause(err, KubeApiError)?.status;
  if (status === 401 || status === 403) return new BackupAccessError(status, `API discovery answered ${status}`, { cause: err });
  const tls = findCause(err, KubeTlsError);
  if (tls) return new BackupPreconditionError([`TLS verification of the API server ${endpoint} against the cluster CA failed: ${tls.code}`], { cause: err });
  return err;
}

/** The first error of class `type` in err's cause chain. */
function findCause<E extends Error>(err: unknown, type: abstract new (...args: never[]) => E): E | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}

function outcomeOf(r: DiscoveredResource, status: ResourceOutcome['status'], count: number, error?: string): ResourceOutcome {
  return {
    name: r.name, group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced,
    count, status, ...(error ? { error } : {}),
  };
}

function sortOutcomes(outcomes: ResourceOutcome[]): ResourceOutcome[] {
  return [...outcomes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
