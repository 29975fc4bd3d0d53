import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { remediateBackupAccess, type BackupAccessRemediation } from '../../lib/access';
import { BackupPreconditionError, runBackup, type BackupOutcome } from '../../lib/backup';
import { connectToCluster } from '../../lib/delegate/connectToCluster';
import type { BackupRequest } from '../../lib/events';
import { invalidInput, type ActionRunner, type DelegateResponse } from './types';

export const backupAction: ActionRunner<BackupRequest> = async (request, { env, clients, logger, metrics, lambda, started }) => {
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
    }, {
      connection: session.connection,
      kube: session.kube,
      s3: clients.s3,
      eks: clients.eks,
      logger,
      ...(lambda ? { remainingTimeMs: () => lambda.getRemainingTimeInMillis() } : {}),
    });
    recordBackupMetrics(metrics, outcome);
    // 401, or 403 on everything: the same fix check-access would offer, so the caller needs no second call.
    if (outcome.accessStatus === 401 || outcome.accessStatus === 403) {
      const access = await remediateBackupAccess({ sts: clients.sts, connection: session.connection, kube: session.kube }, outcome.accessStatus);
      return backupResponse(outcome, access);
    }
    return backupResponse(outcome);
  } catch (err) {
    if (err instanceof BackupPreconditionError) return invalidInput('backup', err.problems, started);
    throw err;
  } finally {
    session.close();
  }
};

function backupResponse(o: BackupOutcome, access?: BackupAccessRemediation): DelegateResponse {
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
    warnings: access ? [...o.warnings, ...access.warnings] : o.warnings,
    awsDependencies: o.awsDependencyCounts,
    ...(o.failureReason ? { reason: o.failureReason, error: o.error } : {}),
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
