import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { buildRestoreRemediation, remediateBackupAccess } from '../../lib/access';
import { createS3Client } from '../../lib/aws/clients';
import { findSelectedRecoveryPoint, isLatestSelector, noLatestReason, type ClusterLocation } from '../../lib/catalog';
import { connectToCluster } from '../../lib/delegate/connectToCluster';
import type { RestoreRequest } from '../../lib/events';
import { RecoveryPointNotFoundError, restoreReportKey } from '../../lib/recovery-point';
import { newRecoveryPointId, recoveryPointFolder } from '../../lib/recovery-point/layout';
import { RestoreAccessError, RestoreDeadlineError, RestorePreconditionError, RestoreSourceError, runRestore, type RestoreOutcome } from '../../lib/restore';
import { clusterPlace, restoreTranslation, TranslationConfigError, type Translator, type UntranslatedReferenceFinder } from '../../lib/translation';
import { SecretKeyError } from '../../lib/secrets';
import { chooseRestoreMode, startDurableRestore } from './startDurableRestore';
import { invalidInput, operationalFailure, secretsKeyFailure, type ActionRunner, type RestoreResponse } from './types';

export const restoreAction: ActionRunner<RestoreRequest> = async (request, { env, clients, logger, metrics, lambda, started, onProgress }) => {
  const { source } = request;
  logger.info('restore requested', { stage: 'start', dryRun: request.dryRun, sourceBucket: source.bucket, sourceCluster: source.clusterName, recoveryPointId: source.recoveryPointId });
  const sourceS3 = source.region === request.region ? clients.s3
    : createS3Client({ region: source.region, s3ForcePathStyle: env.s3ForcePathStyle, credentials: clients.credentials });
  const session = await connectToCluster(clients, request.clusterName, request.region, logger);
  try {
    let folder: string;
    if (isLatestSelector(source.recoveryPointId)) {
      // `latest` is the newest whole-cluster recovery point; `latest-any` opts in to filtered ones (docs/scope.md).
      const where: ClusterLocation = { s3: sourceS3, bucket: source.bucket, prefix: source.prefix, clusterName: source.clusterName, kmsFor: clients.kmsFor };
      let latest;
      let missing: string | undefined;
      try {
        latest = await findSelectedRecoveryPoint(where, source.recoveryPointId);
        if (!latest) missing = await noLatestReason(where, source.recoveryPointId);
      } catch (err) {
        // S3 itself failed (no bucket, no access, unreachable): say so, as for any other read of the source.
        const message = `finding the latest recovery point in s3://${source.bucket}/${source.prefix}${source.clusterName}/ failed: ${err instanceof Error ? err.message : String(err)}`;
        logger.error('restore source unreadable', { stage: 'read', error: message });
        return operationalFailure('restore', request.clusterName, message, started);
      }
      if (!latest) {
        return { ...invalidInput('restore', [missing ?? `cluster ${source.clusterName} has no usable recovery point`], started), notFound: 'recovery-point' };
      }
      folder = latest.folder;
    } else {
      folder = recoveryPointFolder(source.prefix, source.clusterName, source.recoveryPointId);
    }
    const restoreId = newRecoveryPointId(new Date());
    const report = reportLocation(request, folder, restoreId, env.bucket, env.prefix);
    const mode = request.mode ?? await chooseRestoreMode(request, env, sourceS3, source.bucket, folder);
    if (mode === 'durable') return await startDurableRestore(request, { folder, restoreId, report }, { env, clients, logger, started });
    const outcome = await runRestore({
      source: { bucket: source.bucket, folder },
      dryRun: request.dryRun,
      existingResourcePolicy: request.existingResourcePolicy,
      filters: request.filters,
      namespaceMapping: request.namespaceMapping,
      gitops: request.gitops,
      report,
      restoreId,
      concurrency: env.restoreConcurrency,
      deadlineMarginMs: env.deadlineMarginMs,
    }, {
      connection: session.connection,
      kube: session.kube,
      sourceS3,
      kmsFor: (region) => clients.kmsFor(region),
      reportS3: report.bucket === source.bucket ? sourceS3 : clients.s3,
      logger,
      ...(onProgress ? { onProgress: (p: { resource: string; objects: number }) => onProgress({ stage: 'restore', tier: p.resource, objects: p.objects }) } : {}),
      translatorFor: (from) => restoreTranslatorFor(request, session.connection, from),
      ...(lambda ? { remainingTimeMs: () => lambda.getRemainingTimeInMillis() } : {}),
    });
    metrics.addMetric('RestoreCreated', MetricUnit.Count, outcome.created);
    metrics.addMetric('RestoreFailedObjects', MetricUnit.Count, outcome.failed);
    metrics.addMetric(outcome.status === 'FAILED' ? 'RestoreFailed' : 'RestoreSucceeded', MetricUnit.Count, 1);
    return restoreResponse(request, `s3://${source.bucket}/${folder}`, outcome);
  } catch (err) {
    if (err instanceof RestorePreconditionError && err.cause instanceof RecoveryPointNotFoundError) {
      return { ...invalidInput('restore', err.problems, started), notFound: 'recovery-point' };
    }
    if (err instanceof RestorePreconditionError || err instanceof TranslationConfigError) return invalidInput('restore', err.problems, started);
    // Before anything was written: S3 would not hand the recovery point over, or the time ran out.
    // Found when the archive was about to be read, before any write to the cluster.
    if (err instanceof SecretKeyError) {
      logger.error('restore failed: Secrets key unusable', { stage: 'read', kmsKeyId: err.keyId, reason: err.reason, kmsCode: err.kmsCode });
      return { ...secretsKeyFailure('restore', request.clusterName, err, started), dryRun: request.dryRun };
    }
    if (err instanceof RestoreSourceError) {
      logger.error('restore failed', { stage: 'read', error: err.message });
      return operationalFailure('restore', request.clusterName, err.message, started);
    }
    if (err instanceof RestoreDeadlineError) {
      logger.error('restore stopped', { stage: 'read', reason: 'deadline', error: err.message });
      return { ...operationalFailure('restore', request.clusterName, `${err.message}: stopped before anything was written`, started), reason: 'deadline' };
    }
    if (err instanceof RestoreAccessError) {
      // The same kind of answer check-access gives: who the delegate is and the exact grant to run.
      const access = await remediateBackupAccess({ sts: clients.sts, connection: session.connection, kube: session.kube }, err.status, { build: buildRestoreRemediation });
      return {
        action: 'restore', status: 'FAILED', reason: err.status === 401 ? 'unauthorized' : 'forbidden', dryRun: request.dryRun,
        clusterName: request.clusterName, error: err.message, principalArn: access.identity?.roleArn, remediation: access.remediation,
        warnings: access.warnings, durationMs: Date.now() - started,
      };
    }
    throw err;
  } finally {
    session.close();
    if (sourceS3 !== clients.s3) sourceS3.destroy();
  }
};

/**
 * Beside the recovery point (`<folder>restores/<id>.json`), unless the delegate has a bucket of its own
 * (RECOVERY_BUCKET) other than the source: a recovery account may only read the source bucket, so the
 * report goes to `<RECOVERY_PREFIX><cluster>/restores/<id>.json` in its own.
 */
export function reportLocation(request: RestoreRequest, folder: string, restoreId: string, ownBucket: string | undefined, ownPrefix: string): { bucket: string; key: string } {
  if (ownBucket && ownBucket !== request.source.bucket) return { bucket: ownBucket, key: restoreReportKey({ prefix: ownPrefix, targetCluster: request.clusterName }, restoreId) };
  return { bucket: request.source.bucket, key: restoreReportKey({ folder }, restoreId) };
}


/** The translator from the recovery point's account and region to the recovery cluster's (the durable restore's too). */
export function restoreTranslatorFor(
  request: RestoreRequest, target: { arn: string; account: string; region: string }, from: { account: string; region: string; arn: string },
): { translator: Translator; untranslated: UntranslatedReferenceFinder } {
  return restoreTranslation({
    // The manifest's cluster ARN names the backed-up cluster; the request's source.clusterName is where it was found.
    source: clusterPlace(from, request.source.clusterName),
    // The recovery cluster is the one the request names (its ARN names it too).
    target: { ...clusterPlace(target, request.clusterName), clusterName: request.clusterName },
    identifierMap: request.identifierMap, zoneMap: request.zoneMap, regionMap: request.regionMap, mode: request.translate,
  });
}


function restoreResponse(request: RestoreRequest, location: string, o: RestoreOutcome): RestoreResponse {
  return {
    action: 'restore',
    status: o.status,
    mode: 'sync',
    dryRun: o.dryRun,
    clusterName: request.clusterName,
    source: { location, recoveryPointId: o.recoveryPointId, clusterName: o.sourceCluster },
    restoreId: o.restoreId,
    ...(o.report ? { report: o.report } : {}),
    created: o.created,
    updated: o.updated,
    skipped: o.skipped,
    failed: o.failed,
    ...(o.notAttempted ? { notAttempted: o.notAttempted } : {}),
    ...(o.throttled ? { throttled: o.throttled } : {}),
    failures: o.failures,
    translations: o.translations,
    untranslatedReferences: o.untranslatedReferences,
    webhooksWithoutEndpoints: o.webhooksWithoutEndpoints,
    ...(o.gitops ? { gitops: o.gitops } : {}),
    warnings: o.warnings,
    ...(o.stoppedReason ? { reason: o.stoppedReason, error: o.error } : {}),
    durationMs: o.durationMs,
  };
}
