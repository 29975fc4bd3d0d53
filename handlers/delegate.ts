// Lambda entry point: parse and validate the event, run the action in lib/, shape the response.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { AccessError, checkAccess, remediateBackupAccess, type AccessReport, type BackupAccessRemediation } from '../lib/access';
import { createAwsClients } from '../lib/aws/clients';
import { BackupPreconditionError, runBackup, type BackupOutcome } from '../lib/backup';
import { EnvironmentError, readEnvironment, type DelegateEnvironment } from '../lib/config/environment';
import { connectToCluster } from '../lib/delegate/connectToCluster';
import { preflightCluster } from '../lib/delegate/preflightCluster';
import { ClusterNotActiveError, ClusterNotFoundError, EksError, InvalidClusterConnectionError } from '../lib/eks';
import { InvalidEventError, parseDelegateEvent, type BackupRequest, type CheckAccessRequest, type DelegateRequest } from '../lib/events';
import { KubeError } from '../lib/kube/errors';

const SERVICE = 'eks-delegate';
let logger: Logger | undefined;
let metrics: Metrics | undefined;

/** Created on first use so the CLI can set POWERTOOLS_* variables before they are read. */
function observability(): { logger: Logger; metrics: Metrics } {
  logger ??= new Logger({ serviceName: SERVICE });
  metrics ??= new Metrics({ serviceName: SERVICE, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EksDelegate' });
  return { logger, metrics };
}

export type DelegateResponse = Record<string, unknown> & { action: string; status: string };

export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<DelegateResponse> {
  const { logger: log, metrics: m } = observability();
  if (context?.awsRequestId) log.appendKeys({ requestId: context.awsRequestId });
  const started = Date.now();
  let env: DelegateEnvironment;
  let request: DelegateRequest;
  try {
    env = readEnvironment();
    request = parseDelegateEvent(event, env);
  } catch (err) {
    if (err instanceof InvalidEventError || err instanceof EnvironmentError) {
      log.error('invalid input', { stage: 'parse', problems: err.problems });
      return invalid(actionOf(event), err.problems, started);
    }
    throw err;
  }
  log.appendKeys({ action: request.action, cluster: request.clusterName });

  const clients = createAwsClients({ region: request.region, s3ForcePathStyle: env.s3ForcePathStyle });
  try {
    switch (request.action) {
      case 'backup': {
        const { outcome, access } = await backup(request, env, clients, log, context);
        recordBackupMetrics(m, outcome);
        return backupResponse(outcome, access);
      }
      case 'check-access': {
        const report = await accessCheck(request, clients, log);
        m.addMetric('AccessUnreadableResources', MetricUnit.Count, report.unreadable.length);
        m.addMetric(report.status === 'ACCESS_OK' ? 'AccessOk' : 'AccessNotOk', MetricUnit.Count, 1);
        return { action: 'check-access', clusterName: request.clusterName, ...report, durationMs: Date.now() - started };
      }
      case 'preflight': {
        const report = await preflightCluster(clients, request.clusterName, request.region, env.inVpc);
        m.addMetric('PreflightUnreachableTargets', MetricUnit.Count, report.targets.filter((t) => !t.reachable).length);
        return { action: 'preflight', status: report.ok ? 'OK' : 'UNREACHABLE', clusterName: request.clusterName, ...report };
      }
    }
  } catch (err) {
    if (err instanceof BackupPreconditionError) return invalid(request.action, err.problems, started);
    // The cluster named is missing, not ACTIVE, or unusable: bad input. Other EKS failures (no credentials,
    // EKS unreachable) are operational and say so.
    if (err instanceof ClusterNotFoundError || err instanceof ClusterNotActiveError || err instanceof InvalidClusterConnectionError) {
      return invalid(request.action, [err.message], started);
    }
    if (err instanceof EksError) {
      log.error('EKS call failed', { stage: 'connect', error: err.message });
      return { action: request.action, status: 'FAILED', reason: 'error', clusterName: request.clusterName, error: err.message, durationMs: Date.now() - started };
    }
    if (request.action === 'check-access' && (err instanceof AccessError || err instanceof KubeError)) {
      log.error('access check failed', { stage: 'access', error: err.message });
      return { action: 'check-access', status: 'FAILED', reason: 'error', clusterName: request.clusterName, error: err.message, durationMs: Date.now() - started };
    }
    throw err;
  } finally {
    m.publishStoredMetrics();
    clients.destroy();
  }
}

async function accessCheck(request: CheckAccessRequest, clients: ReturnType<typeof createAwsClients>, log: Logger): Promise<AccessReport> {
  const session = await connectToCluster(clients, request.clusterName, request.region, log);
  try {
    return await checkAccess({ sts: clients.sts, connection: session.connection, kube: session.kube, logger: log });
  } finally {
    session.close();
  }
}

async function backup(
  request: BackupRequest, env: DelegateEnvironment, clients: ReturnType<typeof createAwsClients>, log: Logger, context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<{ outcome: BackupOutcome; access?: BackupAccessRemediation }> {
  log.info('backup requested', { stage: 'start', trigger: request.trigger, bucket: request.bucket, prefix: request.prefix });
  const session = await connectToCluster(clients, request.clusterName, request.region, log);
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
      logger: log,
      ...(context ? { remainingTimeMs: () => context.getRemainingTimeInMillis() } : {}),
    });
    // 401, or 403 on everything: the same fix check-access would offer, so the caller needs no second call.
    if (outcome.accessStatus === 401 || outcome.accessStatus === 403) {
      const access = await remediateBackupAccess({ sts: clients.sts, connection: session.connection, kube: session.kube }, outcome.accessStatus);
      return { outcome, access };
    }
    return { outcome };
  } finally {
    session.close();
  }
}

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

function invalid(action: string, problems: string[], started: number): DelegateResponse {
  return { action, status: 'FAILED', reason: 'invalid-input', error: problems.join('; '), problems, durationMs: Date.now() - started };
}

function actionOf(event: unknown): string {
  const a = typeof event === 'object' && event !== null ? (event as { action?: unknown }).action : undefined;
  return typeof a === 'string' ? a : 'backup';
}
