import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { remediateBackupAccess, type BackupAccessRemediation } from '../../lib/access';
import { BackupPreconditionError, runBackup, type BackupOutcome, type BackupProgress } from '../../lib/backup';
import { applyRetention, retentionEnabled, type RetentionPolicy } from '../../lib/catalog';
import { connectToCluster } from '../../lib/delegate/connectToCluster';
import type { BackupRequest } from '../../lib/events';
import { invalidInput, type ActionContext, type ActionRunner, type BackupResponse, type BackupRetention } from './types';

/** What retention did after the backup, for the response. */
type RetentionReport = BackupRetention;

export const backupAction: ActionRunner<BackupRequest> = async (request, { env, clients, logger, metrics, lambda, started, onProgress }) => {
  logger.info('backup requested', { stage: 'start', trigger: request.trigger, bucket: request.bucket, prefix: request.prefix });
  const session = await connectToCluster(clients, request.clusterName, request.region, logger);
  try {
    const outcome = await runBackup({
      bucket: request.bucket,
      prefix: request.prefix,
      ...(request.recoveryPointId ? { recoveryPointId: request.recoveryPointId } : {}),
      filters: request.filters,
      pageSize: env.pageSize,
      listConcurrency: env.listConcurrency,
      deadlineMarginMs: env.deadlineMarginMs,
      ...(env.kmsKeyId ? { kmsKeyId: env.kmsKeyId } : {}),
      ...(env.secretsKmsKeyId ? { secretsKmsKeyId: env.secretsKmsKeyId } : {}),
    }, {
      connection: session.connection,
      kube: session.kube,
      s3: clients.s3,
      eks: clients.eks,
      ...(env.secretsKmsKeyId ? { kms: clients.kmsFor(undefined) } : {}),
      logger,
      ...(lambda ? { remainingTimeMs: () => lambda.getRemainingTimeInMillis() } : {}),
      ...(onProgress ? { onProgress: (p: BackupProgress) => onProgress({ stage: 'backup', ...p }) } : {}),
    });
    recordBackupMetrics(metrics, outcome);
    const retention = outcome.status === 'FAILED' ? undefined : await retain(request, { env, clients, logger, metrics, started });
    // 401, or 403 on everything: the same fix check-access would offer, so the caller needs no second call.
    if (outcome.accessStatus === 401 || outcome.accessStatus === 403) {
      const access = await remediateBackupAccess({ sts: clients.sts, connection: session.connection, kube: session.kube }, outcome.accessStatus);
      return backupResponse(outcome, retention, access);
    }
    return backupResponse(outcome, retention);
  } catch (err) {
    if (err instanceof BackupPreconditionError) return invalidInput('backup', err.problems, started);
    throw err;
  } finally {
    session.close();
  }
};

/**
 * Retention after a backup that committed (issue 14). A failure here is a warning on a backup that
 * succeeded, never a failed backup: the recovery point just written is sound either way.
 */
async function retain(request: BackupRequest, { env, clients, logger, metrics }: Omit<ActionContext, 'lambda'>): Promise<RetentionReport & { warning?: string } | undefined> {
  const policy: RetentionPolicy = {
    ...(env.retentionKeepLast !== undefined ? { keepLast: env.retentionKeepLast } : {}),
    ...(env.retentionKeepDays !== undefined ? { keepDays: env.retentionKeepDays } : {}),
  };
  if (!retentionEnabled(policy)) return undefined;
  try {
    const r = await applyRetention({ s3: clients.s3, bucket: request.bucket, prefix: request.prefix, clusterName: request.clusterName }, policy);
    logger.info('retention applied', { stage: 'retention', deleted: r.deleted, incompleteDeleted: r.incompleteDeleted, kept: r.kept, protected: r.protected });
    metrics.addMetric('RetentionDeleted', MetricUnit.Count, r.deleted.length + r.incompleteDeleted.length);
    return { deleted: r.deleted, incompleteDeleted: r.incompleteDeleted, kept: r.kept };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logger.warn('retention failed', { stage: 'retention', error: message });
    return { deleted: [], incompleteDeleted: [], kept: 0, warning: `retention failed: ${message}` };
  }
}

function backupResponse(o: BackupOutcome, retention?: RetentionReport & { warning?: string }, access?: BackupAccessRemediation): BackupResponse {
  const warnings = [...o.warnings, ...(access ? access.warnings : []), ...(retention?.warning ? [retention.warning] : [])];
  return {
    action: 'backup',
    status: o.status,
    clusterName: o.clusterName,
    recoveryPointId: o.recoveryPointId,
    location: o.location,
    objects: o.objects,
    resources: o.resources,
    bytes: o.bytes,
    unreadable: o.unreadable,
    warnings,
    awsDependencies: o.awsDependencyCounts,
    scope: o.scope,
    ...(o.failureReason ? { reason: o.failureReason, error: o.error } : {}),
    ...(retention ? { retention: { deleted: retention.deleted, incompleteDeleted: retention.incompleteDeleted, kept: retention.kept } } : {}),
    ...(access ? { principalArn: access.identity?.roleArn, remediation: access.remediation } : {}),
    durationMs: o.durationMs,
  };
}

function recordBackupMetrics(m: Metrics, o: BackupOutcome): void {
  m.addMetric('BackupObjects', MetricUnit.Count, o.objects);
  m.addMetric('BackupBytes', MetricUnit.Bytes, o.bytes);
  m.addMetric('BackupDuration', MetricUnit.Milliseconds, o.durationMs);
  m.addMetric('UnreadableResources', MetricUnit.Count, o.unreadable.length);
  m.addMetric(o.status === 'FAILED' ? 'BackupFailed' : 'BackupSucceeded', MetricUnit.Count, 1);
}
