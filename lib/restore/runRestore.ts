import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runAbortController } from '../concurrency/runAbortController';
import { createResourceFilter, type ResourceFilter } from '../backup/filters';
import { KubeApiError, KubeError } from '../kube/errors';
import { apiErrorFromResponse, parseJsonObjectResponse } from '../kube/responseBody';
import type { DiscoveredResource, KubeResponse } from '../kube/types';
import { ManifestError, RecoveryPointIntegrityError, RecoveryPointNotFoundError, RecoveryPointReadError } from '../recovery-point/errors';
import { restoreLockKey } from '../recovery-point/layout';
import type { ManifestResource } from '../recovery-point/manifest';
import { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';
import { emptyRewriteCounts, mergeAwsAuth, REWRITE_COUNT_KEYS, TranslationError } from '../translation';
import { checkWriteAccess } from './checkWriteAccess';
import { CrdNotEstablishedError, RestoreAccessError, RestoreDeadlineError, RestorePreconditionError, RestoreSourceError } from './errors';
import { keepExistingReason, NEVER_RESTORED_TYPES, restoreOrder, skipReason } from './plan';
import { alreadyMatches, carryOverForUpdate, prepareObject } from './prepareObject';
import { RestoreReport } from './RestoreReport';
import { RestoreSpool, type SpoolOptions } from './RestoreSpool';
import { collectionPath, objectKey, objectPath, TargetApi, type TargetEndpoint } from './TargetApi';
import { GitopsTally } from './GitopsTally';
import { RestoredWebhooks } from './RestoredWebhooks';
import type { WebhookWithoutEndpoints } from './webhooks';
import type {
  ObjectTranslator, RestoreDependencies, RestoreFailure, RestoreOptions, RestoreOutcome, RestoreReportRow, RestoreRewrite,
  SkipCategory, UntranslatedReferences,
} from './types';

/** Writes in flight within one resource type. */
export const DEFAULT_RESTORE_CONCURRENCY = 8;
/** Failures listed in the response; the report in S3 has every one. */
export const MAX_FAILURES_IN_RESPONSE = 20;
const DEFAULT_DEADLINE_MARGIN_MS = 30_000;
const FIELD_MANAGER = 'eks-delegate';
/** Objects between two progress reports. */
const PROGRESS_EVERY = 250;
const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';
const AWS_AUTH_KEY = 'kube-system/aws-auth';

type Json = Record<string, unknown>;

/**
 * One restore (DESIGN.md section 8): the manifest checked, the delegate's write access checked, the whole
 * archive spooled to local disk and verified against the manifest (a bad recovery point fails here, before
 * any write), then each resource type in restore order, its objects prepared, translated and written a
 * few at a time: created, left alone when they exist (`skip`) or brought to the recovery point's version
 * (`update`), with `?dryRun=All` on every write in a dry run. A per-object failure is recorded and the
 * restore goes on; bad input, no access and a bad recovery point throw before anything is written.
 */
export async function runRestore(options: RestoreOptions, deps: RestoreDependencies): Promise<RestoreOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const { logger } = deps;
  const controller = runAbortController();
  const margin = options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS;
  const remaining = deps.remainingTimeMs?.();
  const deadlineTimer = remaining === undefined ? undefined
    : setTimeout(() => controller.abort(new RestoreDeadlineError(`less than ${margin} ms of Lambda time left`)), Math.max(0, remaining - margin));
  const signal = controller.signal;

  let reader: RecoveryPointReader;
  let spool: RestoreSpool | undefined;
  let locked = false;
  try {
    reader = await beforeAnyWrite(signal, () => RecoveryPointReader.open(deps.sourceS3, options.source.bucket, options.source.folder, { signal, ...(deps.kmsFor ? { kmsFor: deps.kmsFor } : {}) }));
    const manifest = reader.manifest;
    logger.info('recovery point opened', { stage: 'read', recoveryPointId: manifest.recoveryPointId, objects: manifest.archive.objects, status: manifest.status });
    // Built (and its identifierMap checked) before anything is written.
    const translation = deps.translatorFor?.({ account: manifest.cluster.account, region: manifest.cluster.region, arn: manifest.cluster.arn });
    await beforeAnyWrite(signal, () => checkWriteAccess(deps.kube, signal));
    const lockWarning = await lockRecoveryPoint(deps, options, signal);
    locked = lockWarning === undefined;
    const spoolOptions: SpoolOptions = { signal, ...(options.scratchDirectory ? { directory: options.scratchDirectory } : {}) };
    spool = await beforeAnyWrite(signal, () => fillSpool(reader, spoolOptions, logger));
    logger.info('recovery point verified and spooled', { stage: 'read', objects: manifest.archive.objects, resourceTypes: spool.types().length });

    const run = new RestoreRun(options, deps, spool, manifest.resources, translation, signal);
    if (lockWarning) run.warn(lockWarning);
    try {
      await run.restoreAll();
      await run.checkWebhooks();
    } finally {
      if (deadlineTimer) clearTimeout(deadlineTimer);
    }
    return await run.finish(manifest.recoveryPointId, manifest.cluster.name, started, now());
  } finally {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    spool?.dispose();
    if (locked) {
      // Best effort: without s3:DeleteObject the lock simply expires after a day.
      try {
        await deps.sourceS3.send(new DeleteObjectCommand({ Bucket: options.source.bucket, Key: restoreLockKey(options.source.folder, options.restoreId) }));
      } catch (err) {
        logger.debug('restore lock not removed', { stage: 'unlock', error: errorText(err) });
      }
    }
  }
}

/**
 * Tells retention (lib/catalog) not to delete the recovery point while it is read: a lock object beside it,
 * which retention honours for a day. Best effort: a recovery account may only read the source bucket, and
 * then says so in a warning.
 */
async function lockRecoveryPoint(deps: RestoreDependencies, options: RestoreOptions, signal: AbortSignal): Promise<string | undefined> {
  const key = restoreLockKey(options.source.folder, options.restoreId);
  try {
    await deps.sourceS3.send(new PutObjectCommand({
      Bucket: options.source.bucket, Key: key, Body: JSON.stringify({ restoreId: options.restoreId, dryRun: options.dryRun, at: new Date().toISOString() }),
      ContentType: 'application/json', ServerSideEncryption: 'AES256',
    }), { abortSignal: signal });
    return undefined;
  } catch (err) {
    return `could not write the restore lock s3://${options.source.bucket}/${key} (${errorText(err)}): retention in the source account might delete this recovery point while it is read`;
  }
}

/**
 * What fails before the first write, named: a bad recovery point is bad input; S3 not handing it over is
 * RestoreSourceError; the deadline is RestoreDeadlineError, whatever the abort broke on its way.
 */
async function beforeAnyWrite<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (signal.aborted && signal.reason instanceof RestoreDeadlineError) throw signal.reason;
    if (err instanceof RecoveryPointReadError) throw new RestoreSourceError(`the recovery point could not be read: ${err.message}`, { cause: err });
    if (err instanceof RecoveryPointNotFoundError) throw new RestorePreconditionError([err.message], { cause: err });
    if (err instanceof ManifestError || err instanceof RecoveryPointIntegrityError) {
      throw new RestorePreconditionError(err.problems.map((p) => `recovery point ${p}`), { cause: err });
    }
    throw err;
  }
}

/**
 * The archive read into a spool, once more when its download broke off: the SDK retries a request, not a
 * body that breaks after it was handed over, and a spool is cheap to redo (nothing was written yet).
 * A corrupt archive is not read again: it downloads whole and fails to parse.
 */
async function fillSpool(reader: RecoveryPointReader, options: SpoolOptions, logger: RestoreDependencies['logger']): Promise<RestoreSpool> {
  try {
    return await RestoreSpool.fill(reader, options);
  } catch (err) {
    if (!(err instanceof RecoveryPointReadError) || options.signal?.aborted) throw err;
    logger.warn('the recovery point could not be read; reading it again', { stage: 'read', error: err.message });
  }
  try {
    return await RestoreSpool.fill(reader, options);
  } catch (err) {
    if (err instanceof RecoveryPointReadError) throw new RestoreSourceError(`the recovery point could not be read (tried twice): ${err.message}`, { cause: err });
    throw err;
  }
}

/** The state of one restore while its types are written. */
class RestoreRun {
  readonly #opts: RestoreOptions;
  readonly #deps: RestoreDependencies;
  readonly #spool: RestoreSpool;
  readonly #rows: Map<string, ManifestResource>;
  readonly #translator: ObjectTranslator | undefined;
  readonly #untranslated: UntranslatedReferences | undefined;
  readonly #signal: AbortSignal;
  readonly #filter: ResourceFilter;
  readonly #target: TargetApi;
  readonly #report: RestoreReport;
  readonly #concurrency: number;

  readonly #skipped: Record<SkipCategory, number> = { exists: 0, notRestorable: 0, owned: 0, excluded: 0, needsCrd: 0 };
  readonly #failures: RestoreFailure[] = [];
  readonly #translations = emptyRewriteCounts();
  readonly #warnings: string[] = [];
  /** Namespaces this run creates (in a dry run: would create), so objects in them are not failures of the dry run. */
  readonly #namespacesCreated = new Set<string>();
  /** Webhook configurations written (dry run: that would be), checked once the restore is done. */
  readonly #webhooks: RestoredWebhooks;
  #webhooksWithoutEndpoints: WebhookWithoutEndpoints[] = [];
  readonly #gitops: GitopsTally;
  /** CRDs of this recovery point that never became established: `crdName -> why`. */
  readonly #crdFailures = new Map<string, string>();
  #created = 0;
  #done = 0;
  #updated = 0;
  #failed = 0;
  #notAttempted = 0;
  #stopped: { reason: string; error: string } | undefined;
  /** Objects of the type being restored that have their row (`rowKey`), for when it stops part-way. */
  #reportedOfType: Set<string> | undefined;

  constructor(
    opts: RestoreOptions, deps: RestoreDependencies, spool: RestoreSpool, rows: readonly ManifestResource[],
    translation: { translator: ObjectTranslator; untranslated: UntranslatedReferences } | undefined, signal: AbortSignal,
  ) {
    this.#opts = opts;
    this.#deps = deps;
    this.#spool = spool;
    this.#rows = new Map(rows.map((r) => [r.name, r]));
    this.#translator = translation && !translation.translator.isNoop ? translation.translator : undefined;
    this.#untranslated = translation?.untranslated;
    this.#signal = signal;
    this.#filter = createResourceFilter(opts.filters);
    this.#target = new TargetApi(deps.kube, signal);
    this.#report = new RestoreReport(opts.scratchDirectory);
    this.#concurrency = Math.max(1, opts.concurrency ?? DEFAULT_RESTORE_CONCURRENCY);
    this.#webhooks = new RestoredWebhooks(opts.dryRun);
    this.#gitops = new GitopsTally(opts.gitops ?? 'off');
  }

  warn(warning: string): void {
    this.#warnings.push(warning);
  }

  /** Every type in restore order; once stopped, every object not reported yet is reported not-attempted. */
  async restoreAll(): Promise<void> {
    const slice = this.#opts.slice;
    // A slice (one step of a durable restore, lib/restore/durable) restores its own types only.
    const types = this.#spool.types().map((t) => t.resourceName).filter((r) => !slice || slice.resources.includes(r));
    for (const resourceName of restoreOrder(types)) {
      if (this.#stopped) {
        await this.#each(resourceName, (obj) => this.#row(resourceName, obj, { outcome: 'not-attempted' }));
        continue;
      }
      const reported = new Set<string>();
      this.#reportedOfType = reported;
      try {
        await this.#restoreType(resourceName);
      } catch (err) {
        if (err instanceof RestoreAccessError) throw err;
        // The deadline, or the cluster gone: what was not reached is said in the report.
        this.#stopped ??= stopReason(err, this.#signal);
        this.#deps.logger.error('restore stopped', { stage: 'restore', resource: resourceName, reason: this.#stopped.reason, error: this.#stopped.error });
        await this.#each(resourceName, async (obj) => {
          if (!reported.has(rowKey(obj))) await this.#row(resourceName, obj, { outcome: 'not-attempted' });
        });
      } finally {
        this.#reportedOfType = undefined;
      }
    }
  }

  /**
   * After the last write: which restored webhooks have no ready endpoint in the recovery cluster, so they
   * will refuse (or skip) the writes they match until their controller runs. Not once the run was stopped.
   */
  async checkWebhooks(): Promise<void> {
    if (this.#signal.aborted) return;
    const { found, warnings } = await this.#webhooks.check(this.#target);
    this.#webhooksWithoutEndpoints = found;
    this.#warnings.push(...warnings);
  }

  async finish(recoveryPointId: string, sourceCluster: string, started: Date, completed: Date): Promise<RestoreOutcome> {
    const status = this.#failed > 0 || this.#stopped || this.#notAttempted > 0 ? (this.#created + this.#updated > 0 || this.#skipped.exists > 0 ? 'PARTIAL' : 'FAILED') : 'COMPLETED';
    const gitops = this.#gitops.summary();
    const gitopsWarning = this.#gitops.warning();
    const outcome: RestoreOutcome = {
      status,
      dryRun: this.#opts.dryRun,
      restoreId: this.#opts.restoreId,
      recoveryPointId,
      sourceCluster,
      created: this.#created,
      updated: this.#updated,
      skipped: { ...this.#skipped },
      failed: this.#failed,
      notAttempted: this.#notAttempted,
      failures: this.#failures.slice(0, MAX_FAILURES_IN_RESPONSE),
      translations: { ...this.#translations },
      untranslatedReferences: this.#untranslated?.references() ?? [],
      webhooksWithoutEndpoints: this.#webhooksWithoutEndpoints,
      ...(gitops ? { gitops } : {}),
      warnings: [...this.#warnings, ...(gitopsWarning ? [gitopsWarning] : [])],
      ...(this.#stopped ? { stoppedReason: this.#stopped.reason, error: this.#stopped.error } : {}),
      startedAt: started.toISOString(),
      durationMs: completed.getTime() - started.getTime(),
    };
    const { bucket, key } = this.#opts.report;
    try {
      const { failures: _first, ...summary } = outcome;
      // The cluster restored into, so a report read on its own (restore list, describe) says where it went.
      await this.#report.upload(this.#deps.reportS3, bucket, key, { ...summary, targetCluster: this.#deps.connection.name, report: `s3://${bucket}/${key}` });
      outcome.report = `s3://${bucket}/${key}`;
    } catch (err) {
      outcome.warnings.push(`the restore report could not be written to s3://${bucket}/${key}: ${errorText(err)}`);
    } finally {
      this.#report.dispose();
    }
    return outcome;
  }

  async #restoreType(resourceName: string): Promise<void> {
    const row = this.#rows.get(resourceName);
    const resource = asDiscovered(resourceName, row);
    const never = NEVER_RESTORED_TYPES[resourceName];
    if (never !== undefined) {
      return this.#each(resourceName, (obj) => this.#skip(resourceName, obj, 'notRestorable', `${resourceName} are never restored: ${never}`));
    }
    if (!this.#filter.includesResource(resource)) {
      return this.#each(resourceName, (obj) => this.#skip(resourceName, obj, 'excluded', 'resource excluded by the filters'));
    }
    const crd = this.#spool.crds.get(resourceName);
    if (crd && this.#crdFailures.has(crd.crdName)) {
      const why = this.#crdFailures.get(crd.crdName) ?? '';
      return this.#each(resourceName, (obj) => this.#fail(resourceName, obj, why));
    }
    const endpoint = await this.#target.resolve(resource);
    if (!endpoint) {
      if (crd) {
        // Only in a dry run: a real run has created and waited for the CRD by now.
        return this.#each(resourceName, (obj) => this.#skip(resourceName, obj, 'needsCrd', `needs CRD ${crd.crdName} from this recovery point`, this.#wouldHold(resourceName, obj)));
      }
      const why = `the recovery cluster does not serve ${resource.groupVersion}/${resource.resource} (${resource.kind}) and this recovery point has no CRD for it`;
      this.#warnings.push(why);
      return this.#each(resourceName, (obj) => this.#fail(resourceName, obj, why, 404));
    }
    if (endpoint.groupVersion !== resource.groupVersion) {
      this.#warnings.push(`${resourceName}: backed up at ${resource.groupVersion}, restored at ${endpoint.groupVersion} (the recovery cluster does not serve the former)`);
    }
    this.#deps.onProgress?.({ resource: resourceName, objects: this.#done });
    const namespaces = this.#targetNamespacesToList();
    const existing = await this.#target.existingNames(endpoint, namespaces);
    this.#deps.logger.info('restoring resource type', { stage: 'restore', resource: resourceName, at: endpoint.groupVersion, existing: existing.size });

    const inFlight = new Set<Promise<void>>();
    // A write that throws is kept here, not left to a rejected promise: one that settles between two
    // races would leave the set unobserved (its object without a row, an unhandled rejection).
    let thrown: { error: unknown } | undefined;
    try {
      for await (const obj of this.#objects(resourceName)) {
        if (thrown) break;
        if (this.#signal.aborted) {
          this.#stopped ??= stopReason(this.#signal.reason, this.#signal);
          await this.#row(resourceName, obj, { outcome: 'not-attempted' });
          continue;
        }
        const p: Promise<void> = this.#restoreObject(resourceName, resource, endpoint, existing, obj)
          .catch((error: unknown) => {
            thrown ??= { error };
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= this.#concurrency) await Promise.race(inFlight);
      }
    } finally {
      // Whatever ends this type, no write of it is left running: it would report after the report was written.
      await Promise.all(inFlight);
    }
    if (thrown) throw thrown.error;
    if (resourceName === CRDS && !this.#opts.dryRun && !this.#opts.slice?.objects) await this.#waitForCrds();
  }

  async #restoreObject(resourceName: string, resource: DiscoveredResource, endpoint: TargetEndpoint, existing: ReadonlySet<string>, obj: Json): Promise<void> {
    if (!this.#filter.includesObject(resource, obj)) return this.#skip(resourceName, obj, 'excluded', 'namespace excluded by the filters');
    const skip = skipReason(resourceName, obj, this.#spool);
    if (skip) return this.#skip(resourceName, obj, skip.skip, skip.why);

    const { object: prepared, gitopsHeld } = prepareObject(resourceName, obj, { namespaceMapping: this.#opts.namespaceMapping, gitops: this.#opts.gitops ?? 'off' });
    prepared.apiVersion = endpoint.groupVersion;
    const rewrites = this.#translator?.translate(resourceName, prepared) ?? [];
    this.#untranslated?.observe(prepared);
    const meta = prepared.metadata as Json;
    const name = String(meta.name);
    const ns = endpoint.namespaced ? String(meta.namespace) : undefined;
    const extra = {
      ...(rewrites.length ? { rewrites } : {}),
      ...(ns !== undefined && ns !== namespaceOf(obj) ? { targetNamespace: ns } : {}),
      ...(name !== nameOf(obj) ? { targetName: name } : {}),
      ...(gitopsHeld ? { gitopsHeld: gitopsHeld.map((f) => f.path) } : {}),
    };
    const dryRun = this.#opts.dryRun ? { dryRun: 'All' } : {};

    try {
      if (resourceName === 'configmaps' && objectKey(ns, name) === AWS_AUTH_KEY) return await this.#mergeAwsAuth(resourceName, obj, endpoint, prepared, extra);
      if (existing.has(objectKey(ns, name))) {
        if (this.#opts.resumable && await this.#madeByEarlierAttempt(endpoint, prepared)) {
          return await this.#recordCreated(resourceName, obj, prepared, { ...extra, reason: 'created (an earlier attempt of this step made it)' });
        }
        const keep = this.#keepExisting(resourceName, obj);
        if (keep) return await this.#skip(resourceName, obj, 'exists', keep, extra);
        return await this.#update(resourceName, obj, endpoint, prepared, extra);
      }
      const res = await this.#deps.kube.request({
        method: 'POST', path: collectionPath(endpoint, ns), body: prepared, signal: this.#signal,
        query: { fieldManager: FIELD_MANAGER, ...dryRun },
      });
      if (res.status === 200 || res.status === 201) return await this.#recordCreated(resourceName, obj, prepared, extra);
      if (res.status === 409) return await this.#conflict(resourceName, obj, endpoint, prepared, extra);
      if (this.#opts.dryRun && res.status === 404 && ns !== undefined && this.#namespacesCreated.has(ns) && /namespaces? "?[^ ]*"? not found/.test(res.body.toString('utf8'))) {
        // Its namespace is created by this restore, which a dry run does not do: the API server can only say so.
        return await this.#recordCreated(resourceName, obj, prepared, { ...extra, reason: `its namespace ${ns} is created by this restore; admission and validation were not run` });
      }
      return await this.#fail(resourceName, obj, failureText(res, collectionPath(endpoint, ns)), res.status, extra);
    } catch (err) {
      if (err instanceof RestoreAccessError) throw err;
      if (this.#signal.aborted) {
        // The deadline cut this write short: it may have been made or not; the next run (skip) finds out.
        this.#stopped ??= stopReason(this.#signal.reason, this.#signal);
        return this.#row(resourceName, obj, { outcome: 'not-attempted', reason: 'interrupted by the deadline (it may have been written): run the restore again to finish it', ...extra });
      }
      // An aws-auth that is not the YAML lists it should be is that object's failure, not the restore's.
      if (!(err instanceof KubeError) && !(err instanceof TranslationError)) throw err;
      return this.#fail(resourceName, obj, errorText(err), undefined, extra);
    }
  }

  /**
   * A step of a durable restore run again after it was cut off (`resumable`): an object that exists, already
   * matches what this restore writes and was last written by this delegate counts as restored by it, once.
   */
  async #madeByEarlierAttempt(endpoint: TargetEndpoint, prepared: Json): Promise<boolean> {
    if (this.#opts.dryRun) return false;
    const meta = prepared.metadata as Json;
    const path = objectPath(endpoint, endpoint.namespaced ? String(meta.namespace) : undefined, String(meta.name));
    const current = await this.#deps.kube.request({ method: 'GET', path, signal: this.#signal });
    if (current.status !== 200) return false;
    const existing = parseJsonObjectResponse(current, path);
    const managers = (existing.metadata as Json | undefined)?.managedFields;
    const ours = Array.isArray(managers) && managers.some((m) => (m as Json | null)?.manager === FIELD_MANAGER);
    return ours && alreadyMatches(stripForCompare(prepared), existing);
  }

  /** `update` policy: brought to the recovery point's version unless it already matches (idempotent). */
  async #update(resourceName: string, obj: Json, endpoint: TargetEndpoint, prepared: Json, extra: Partial<RestoreReportRow>): Promise<void> {
    const meta = prepared.metadata as Json;
    const ns = endpoint.namespaced ? String(meta.namespace) : undefined;
    const path = objectPath(endpoint, ns, String(meta.name));
    const current = await this.#deps.kube.request({ method: 'GET', path, signal: this.#signal });
    if (current.status === 404) {
      // Gone since the list: create it.
      const res = await this.#deps.kube.request({ method: 'POST', path: collectionPath(endpoint, ns), body: prepared, signal: this.#signal, query: this.#writeQuery() });
      if (res.status === 200 || res.status === 201) return this.#recordCreated(resourceName, obj, prepared, extra);
      return this.#fail(resourceName, obj, failureText(res, path), res.status, extra);
    }
    const existing = parseJsonObjectResponse(current, path);
    if (alreadyMatches(stripForCompare(prepared), existing)) return this.#skip(resourceName, obj, 'exists', 'exists and already matches the recovery point', extra);
    const res = await this.#deps.kube.request({
      method: 'PUT', path, body: carryOverForUpdate(resourceName, prepared, existing), signal: this.#signal, query: this.#writeQuery(),
    });
    if (res.status === 200 || res.status === 201) {
      this.#updated++;
      this.#webhooks.noteWritten(resourceName, prepared);
      return this.#row(resourceName, obj, { outcome: 'updated', ...extra });
    }
    return this.#fail(resourceName, obj, failureText(res, path), res.status, extra);
  }

  /** 409 on a create the list did not expect: our own create repeated after a lost answer, or a race. */
  async #conflict(resourceName: string, obj: Json, endpoint: TargetEndpoint, prepared: Json, extra: Partial<RestoreReportRow>): Promise<void> {
    const meta = prepared.metadata as Json;
    const path = objectPath(endpoint, endpoint.namespaced ? String(meta.namespace) : undefined, String(meta.name));
    if (!this.#opts.dryRun) {
      const current = await this.#deps.kube.request({ method: 'GET', path, signal: this.#signal });
      if (current.status === 200 && alreadyMatches(stripForCompare(prepared), parseJsonObjectResponse(current, path))) {
        return this.#recordCreated(resourceName, obj, prepared, { ...extra, reason: 'created (a retried request found it already made)' });
      }
    }
    const keep = this.#keepExisting(resourceName, obj);
    if (keep) return this.#skip(resourceName, obj, 'exists', keep, extra);
    return this.#update(resourceName, obj, endpoint, prepared, extra);
  }

  /** Why an object the recovery cluster has is left as it is: the policy, or the plan (its own copy of a default). */
  #keepExisting(resourceName: string, obj: Json): string | undefined {
    const own = keepExistingReason(resourceName, obj, this.#spool);
    if (own) return `exists in the recovery cluster, which keeps its own: ${own}`;
    return this.#opts.existingResourcePolicy === 'skip' ? 'exists in the recovery cluster' : undefined;
  }

  /** aws-auth is merged, never replaced: the recovery cluster's own mappings stay (DESIGN.md section 8). */
  async #mergeAwsAuth(resourceName: string, obj: Json, endpoint: TargetEndpoint, prepared: Json, extra: Partial<RestoreReportRow>): Promise<void> {
    const path = objectPath(endpoint, 'kube-system', 'aws-auth');
    const current = await this.#deps.kube.request({ method: 'GET', path, signal: this.#signal });
    if (current.status === 404) {
      const res = await this.#deps.kube.request({ method: 'POST', path: collectionPath(endpoint, 'kube-system'), body: prepared, signal: this.#signal, query: this.#writeQuery() });
      if (res.status === 200 || res.status === 201) return this.#recordCreated(resourceName, obj, prepared, extra);
      return this.#fail(resourceName, obj, failureText(res, path), res.status, extra);
    }
    const existing = parseJsonObjectResponse(current, path);
    const targetData = stringMap(existing.data);
    const merged = mergeAwsAuth(targetData, stringMap(prepared.data));
    if (merged.added === 0 && sameStrings(merged.data, targetData)) {
      return this.#skip(resourceName, obj, 'exists', 'aws-auth already holds every mapping of the recovery point', extra);
    }
    const res = await this.#deps.kube.request({ method: 'PUT', path, body: { ...existing, data: merged.data }, signal: this.#signal, query: this.#writeQuery() });
    if (res.status !== 200 && res.status !== 201) return this.#fail(resourceName, obj, failureText(res, path), res.status, extra);
    this.#updated++;
    return this.#row(resourceName, obj, { outcome: 'updated', reason: `merged: ${merged.added} mapping(s) added, ${merged.kept} of the recovery cluster kept`, ...extra });
  }

  /** After the CRD tier: each CRD of the recovery point must be Established before its custom resources. */
  async #waitForCrds(): Promise<void> {
    await Promise.all([...this.#spool.crds.values()].map(async (crd) => {
      try {
        await this.#target.waitForCrd(crd.crdName, crd.group, this.#opts.crdWaitMs);
      } catch (err) {
        if (!(err instanceof CrdNotEstablishedError)) throw err;
        this.#crdFailures.set(crd.crdName, err.message);
        this.#warnings.push(err.message);
      }
    }));
  }

  #writeQuery(): Record<string, string> {
    return { fieldManager: FIELD_MANAGER, ...(this.#opts.dryRun ? { dryRun: 'All' } : {}) };
  }

  async #recordCreated(resourceName: string, obj: Json, prepared: Json, extra: Partial<RestoreReportRow>): Promise<void> {
    if (resourceName === 'namespaces') this.#namespacesCreated.add(String((prepared.metadata as Json).name));
    this.#created++;
    this.#webhooks.noteWritten(resourceName, prepared);
    return this.#row(resourceName, obj, { outcome: 'created', ...extra });
  }

  async #skip(resourceName: string, obj: Json, category: SkipCategory, reason: string, extra: Partial<RestoreReportRow> = {}): Promise<void> {
    this.#skipped[category]++;
    return this.#row(resourceName, obj, { outcome: category === 'exists' ? 'exists' : 'skipped', skipped: category, reason, ...extra });
  }

  async #fail(resourceName: string, obj: Json, error: string, status?: number, extra: Partial<RestoreReportRow> = {}): Promise<void> {
    this.#failed++;
    const ns = namespaceOf(obj);
    if (this.#failures.length < MAX_FAILURES_IN_RESPONSE) {
      this.#failures.push({ resource: resourceName, ...(ns !== undefined ? { namespace: ns } : {}), name: nameOf(obj), ...(status !== undefined ? { status } : {}), error });
    }
    this.#deps.logger.warn('object not restored', { stage: 'restore', resource: resourceName, namespace: ns, name: nameOf(obj), status, error });
    return this.#row(resourceName, obj, { outcome: 'failed', reason: error, ...(status !== undefined ? { status } : {}), ...extra });
  }

  async #row(resourceName: string, obj: Json, fields: Omit<RestoreReportRow, 'resource' | 'name'> & { rewrites?: RestoreRewrite[] }): Promise<void> {
    if (fields.outcome === 'not-attempted') this.#notAttempted++;
    if (++this.#done % PROGRESS_EVERY === 0) this.#deps.onProgress?.({ resource: resourceName, objects: this.#done });
    // Rewrites are made only by a write: an object left as it exists, or refused, changed nothing.
    const { rewrites, ...rest } = fields;
    const written = rest.outcome === 'created' || rest.outcome === 'updated';
    if (written) for (const r of rewrites ?? []) this.#translations[REWRITE_COUNT_KEYS[r.kind]]++;
    this.#gitops.note({ resource: resourceName, name: nameOf(obj), ...rest }, rest.targetNamespace ?? namespaceOf(obj));
    this.#reportedOfType?.add(rowKey(obj));
    const ns = namespaceOf(obj);
    await this.#report.add({
      resource: resourceName, ...(ns !== undefined ? { namespace: ns } : {}), name: nameOf(obj), ...rest,
      ...(written && rewrites?.length ? { rewrites } : {}),
    });
  }

  /** For an object a dry run cannot send (its CRD is not there yet): what `gitops: pause` would hold on it. */
  #wouldHold(resourceName: string, obj: Json): Partial<RestoreReportRow> {
    if (this.#opts.gitops !== 'pause') return {};
    const { object, gitopsHeld } = prepareObject(resourceName, obj, { namespaceMapping: this.#opts.namespaceMapping, gitops: 'pause' });
    if (!gitopsHeld) return {};
    const ns = namespaceOf(object);
    return { gitopsHeld: gitopsHeld.map((f) => f.path), ...(ns !== undefined && ns !== namespaceOf(obj) ? { targetNamespace: ns } : {}) };
  }

  async #each(resourceName: string, fn: (obj: Json) => Promise<void>): Promise<void> {
    for await (const obj of this.#objects(resourceName)) await fn(obj);
  }

  /** The objects of a type, or of the slice's range of it (archive order, which a re-read keeps). */
  async *#objects(resourceName: string): AsyncGenerator<Json> {
    const range = this.#opts.slice?.objects;
    let index = 0;
    for await (const obj of this.#spool.objects(resourceName)) {
      const at = index++;
      if (range && (at < range.from || at >= range.to)) continue;
      yield obj;
    }
  }

  /** With includeNamespaces, the existing objects are listed in those namespaces (as mapped) only. */
  #targetNamespacesToList(): string[] | undefined {
    return this.#filter.namespacesToList()?.map((ns) => this.#opts.namespaceMapping[ns] ?? ns);
  }
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

/** The prepared object without what the server fills in on create, for comparing with what exists. */
function stripForCompare(prepared: Json): Json {
  const { apiVersion: _v, ...rest } = prepared;
  return rest;
}

function failureText(res: KubeResponse, path: string): string {
  const err = apiErrorFromResponse(res, path);
  return err.reason ? `${err.reason}: ${err.message.replace(/^[^:]*: HTTP \d+ [A-Za-z]*: ?/, '')}` : err.message;
}

function stopReason(err: unknown, signal: AbortSignal): { reason: string; error: string } {
  const cause = signal.aborted ? signal.reason : err;
  if (cause instanceof RestoreDeadlineError) return { reason: 'deadline', error: `${cause.message}: stopped; run the restore again (policy skip) to finish it` };
  if (cause instanceof KubeApiError && (cause.status === 401 || cause.status === 403)) return { reason: cause.status === 401 ? 'unauthorized' : 'forbidden', error: cause.message };
  return { reason: 'error', error: errorText(cause) };
}

/** An object of the recovery point within its type, as the report names it. */
function rowKey(obj: Json): string {
  return `${namespaceOf(obj) ?? ''}/${nameOf(obj)}`;
}

function namespaceOf(obj: Json): string | undefined {
  const ns = (obj.metadata as Json | undefined)?.namespace;
  return typeof ns === 'string' ? ns : undefined;
}

function nameOf(obj: Json): string {
  return String((obj.metadata as Json | undefined)?.name ?? '');
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function sameStrings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
