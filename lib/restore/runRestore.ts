import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createResourceFilter } from '../backup/filters';
import { AdaptiveLimit, runAbortController } from '../concurrency';
import { ManifestError, RecoveryPointIntegrityError, RecoveryPointNotFoundError, RecoveryPointReadError } from '../recovery-point/errors';
import { restoreLockKey } from '../recovery-point/layout';
import { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';
import { checkWriteAccess } from './checkWriteAccess';
import { RestoreDeadlineError, RestorePreconditionError, RestoreSourceError } from './errors';
import { OBJECT_ACTIONS } from './objectActions';
import { ObjectWriter } from './ObjectWriter';
import { restoreRank } from './plan';
import { RestoredWebhooks } from './RestoredWebhooks';
import { readRestoreFacts, writeRestoreFacts } from './restoreFacts';
import { RestoreSpool, type SpoolOptions } from './RestoreSpool';
import { errorText, RestoreTally } from './RestoreTally';
import { restoreType, type RestoreContext } from './restoreType';
import { TargetApi } from './TargetApi';
import type { RestoreDependencies, RestoreOptions, RestoreOutcome, SharedReads } from './types';

/** Writes in flight for the whole restore (every type of a tier shares them). */
export const DEFAULT_RESTORE_CONCURRENCY = 8;
export { MAX_FAILURES_IN_RESPONSE } from './RestoreTally';
const DEFAULT_DEADLINE_MARGIN_MS = 30_000;

/**
 * One restore (DESIGN.md section 8), the backup read backwards. Before the first write: the manifest checked,
 * the delegate's write access checked, the recovery point locked, the whole archive read and verified against
 * the manifest (a bad recovery point fails here) into a spool (RestoreSpool). Then the tiers in restore order
 * (restoreTiers), the types of a tier at once (restoreType), each object written by ObjectWriter under the
 * restore's one cap of writes in flight, and its outcome recorded in RestoreTally, which decides the status
 * once. A per-object failure is recorded and the restore goes on; bad input, no access and a bad recovery
 * point throw before anything is written.
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
  // A durable restore's prepare leaves its lock for the restore's finish; only once it succeeded.
  let keepLock = false;
  try {
    const open = () => RecoveryPointReader.open(deps.sourceS3, options.source.bucket, options.source.folder, { signal, ...(deps.kmsFor ? { kmsFor: deps.kmsFor } : {}) });
    // Side by side (each a round trip; a durable restore's steps share them within an invocation); a bad recovery
    // point is still the reason given when both fail, then the translation's, then the access's.
    const [opened, access] = await Promise.allSettled([
      beforeAnyWrite(signal, () => sharedRead(deps, 'recovery-point', open)),
      beforeAnyWrite(signal, () => sharedRead(deps, 'write-access', () => checkWriteAccess(deps.kube, signal))),
    ]);
    if (opened.status === 'rejected') throw opened.reason;
    reader = opened.value;
    const manifest = reader.manifest;
    logger.info('recovery point opened', { stage: 'read', recoveryPointId: manifest.recoveryPointId, objects: manifest.archive.objects, status: manifest.status });
    // Built (and its identifierMap checked) before anything is written.
    const translation = deps.translatorFor?.({ account: manifest.cluster.account, region: manifest.cluster.region, arn: manifest.cluster.arn });
    if (access.status === 'rejected') throw access.reason;
    const durable = options.durable;
    // A durable restore's steps run under the lock its prepare took.
    const lockWarning = durable?.part === 'step' ? undefined : await lockRecoveryPoint(deps, options, signal);
    locked = durable?.part !== 'step' && lockWarning === undefined;
    spool = await openSpool(reader, options, deps, signal);

    const tally = new RestoreTally(options, deps);
    if (lockWarning) tally.warnings.push(lockWarning);
    const webhooks = new RestoredWebhooks(options.dryRun);
    const target = new TargetApi(deps.kube, signal, { dryRun: options.dryRun, paced: true });
    const limit = new AdaptiveLimit({ max: options.concurrency ?? DEFAULT_RESTORE_CONCURRENCY });
    const ctx: RestoreContext = {
      opts: options, deps, spool, rows: new Map(manifest.resources.map((r) => [r.name, r])), filter: createResourceFilter(options.filters),
      target, writer: new ObjectWriter(target, options, spool, translation, webhooks, OBJECT_ACTIONS), tally, limit, signal, crdFailures: new Map(),
    };
    let webhooksWithoutEndpoints: RestoreOutcome['webhooksWithoutEndpoints'] = [];
    try {
      await restoreTiers(ctx);
      // After the last write: which restored webhooks have no ready endpoint in the recovery cluster, so they
      // will refuse (or skip) the writes they match until their controller runs. Not once the run was stopped.
      if (!signal.aborted) {
        const checked = await webhooks.check(target);
        webhooksWithoutEndpoints = checked.found;
        tally.warnings.push(...checked.warnings);
      }
    } catch (err) {
      // A refusal of the delegate mid-way (RestoreAccessError): no report, and no local file left behind.
      tally.dispose();
      throw err;
    } finally {
      if (deadlineTimer) clearTimeout(deadlineTimer);
    }
    if (tally.throttled > 0) {
      logger.info('restore throttled', { stage: 'restore', throttled: tally.throttled, concurrency: limit.max, lowestConcurrency: limit.lowestCap });
    }
    const outcome = await tally.finish({
      recoveryPointId: manifest.recoveryPointId, sourceCluster: manifest.cluster.name,
      untranslatedReferences: translation?.untranslated.references() ?? [], webhooksWithoutEndpoints,
    }, started, now());
    keepLock = durable?.part === 'prepare';
    return outcome;
  } finally {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    spool?.dispose();
    if (locked && !keepLock) await unlockRecoveryPoint(deps, options);
  }
}

/**
 * Removes the lock lockRecoveryPoint wrote (a durable restore's finish calls it too). Best effort: without
 * s3:DeleteObject the lock simply expires after a day.
 */
export async function unlockRecoveryPoint(deps: Pick<RestoreDependencies, 'sourceS3' | 'logger'>, options: Pick<RestoreOptions, 'source' | 'restoreId'>): Promise<void> {
  try {
    await deps.sourceS3.send(new DeleteObjectCommand({ Bucket: options.source.bucket, Key: restoreLockKey(options.source.folder, options.restoreId) }));
  } catch (err) {
    deps.logger.debug('restore lock not removed', { stage: 'unlock', error: errorText(err) });
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
 * The recovery point read for restoring. A durable restore's step reads the facts its prepare stored, and
 * then only its own types' members, when the recovery point is seekable; otherwise the whole archive is read
 * and verified (fillSpool), and a durable prepare stores what that read learned for its steps.
 */
async function openSpool(reader: RecoveryPointReader, options: RestoreOptions, deps: RestoreDependencies, signal: AbortSignal): Promise<RestoreSpool> {
  const { logger } = deps;
  const durable = options.durable;
  const facts = durable?.part === 'step' && reader.seekable
    ? await beforeAnyWrite(signal, () => sharedRead(deps, 'facts', async () => {
      const read = await readRestoreFacts(deps.reportS3, durable.store, signal);
      return read && RestoreSpool.indexFacts(read);
    }))
    : undefined;
  if (facts) {
    // Verified whole by the prepare step; each type's members are checked again as this step reads them.
    const spool = RestoreSpool.fromFacts(reader, facts);
    logger.info('recovery point facts read', { stage: 'read', resourceTypes: spool.types().length });
    return spool;
  }
  const spoolOptions: SpoolOptions = { signal, ...(options.scratchDirectory ? { directory: options.scratchDirectory } : {}) };
  const spool = await beforeAnyWrite(signal, () => fillSpool(reader, spoolOptions, logger));
  logger.info('recovery point verified and spooled', { stage: 'read', objects: reader.manifest.archive.objects, resourceTypes: spool.types().length });
  const learned = durable?.part === 'prepare' ? spool.facts() : undefined;
  try {
    if (durable && learned) await beforeAnyWrite(signal, () => writeRestoreFacts(deps.reportS3, durable.store, learned, signal));
  } catch (err) {
    spool.dispose();
    throw err;
  }
  return spool;
}

/** `read` through the invocation's shared reads when there are some (a durable restore's steps), else itself. */
function sharedRead<T>(deps: RestoreDependencies, key: Parameters<SharedReads['once']>[0], read: () => Promise<T>): Promise<T> {
  return deps.sharedReads ? deps.sharedReads.once(key, read) : read();
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

/**
 * Every type in restore order, a tier at a time: the types of one tier are written at once (under the
 * restore's one cap of writes in flight), and a tier starts only when the one before it is done (CRDs
 * established before custom resources, namespaces before what is in them). Once the run stopped, every
 * object not reported yet is reported not-attempted.
 */
async function restoreTiers(ctx: RestoreContext): Promise<void> {
  const slice = ctx.opts.slice;
  // A slice (one step of a durable restore, lib/restore/durable) restores its own types only.
  const types = ctx.spool.types().map((t) => t.resourceName).filter((r) => !slice || slice.resources.includes(r));
  const tiers = new Map<number, string[]>();
  for (const r of types.sort()) tiers.set(restoreRank(r), [...(tiers.get(restoreRank(r)) ?? []), r]);
  for (const rank of [...tiers.keys()].sort((a, b) => a - b)) {
    const settled = await Promise.allSettled((tiers.get(rank) ?? []).map((r) => restoreType(ctx, r)));
    // Only a refusal of the delegate (RestoreAccessError) gets here; once every type of the tier is done.
    const refused = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (refused) throw refused.reason;
  }
}
