// Lambda entry point: parse and validate the event, run the action in lib/, shape the response.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createAwsClients } from '../lib/aws/clients';
import { BackupPreconditionError, runBackup, type BackupOutcome } from '../lib/backup';
import { EnvironmentError, readEnvironment, type DelegateEnvironment } from '../lib/config/environment';
import { connectToCluster } from '../lib/delegate/connectToCluster';
import { preflightCluster } from '../lib/delegate/preflightCluster';
import { EksError } from '../lib/eks';
import { InvalidEventError, parseDelegateEvent, type BackupRequest, type DelegateRequest } from '../lib/events';

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
        const outcome = await backup(request, env, clients, log, context);
        recordBackupMetrics(m, outcome);
        return backupResponse(outcome);
      }
      case 'preflight': {
        const report = await preflightCluster(clients, request.clusterName, request.region, env.inVpc);
        return { action: 'preflight', status: report.ok ? 'OK' : 'UNREACHABLE', clusterName: request.clusterName, ...report };
      }
      default:
        return invalid(request.action, [`action "${request.action}" is not available yet`], started);
    }
  } catch (err) {
    if (err instanceof BackupPreconditionError) return invalid(request.action, err.problems, started);
    if (err instanceof EksError) return invalid(request.action, [err.message], started);
    throw err;
  } finally {
    m.publishStoredMetrics();
    clients.destroy();
  }
}

async function backup(request: BackupRequest, env: DelegateEnvironment, clients: ReturnType<typeof createAwsClients>, log: Logger, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<BackupOutcome> {
  log.info('backup requested', { stage: 'start', trigger: request.trigger, bucket: request.bucket, prefix: request.prefix });
  const session = await connectToCluster(clients, request.clusterName, request.region, log);
  try {
    return await runBackup({
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
  } finally {
    session.close();
  }
}

function backupResponse(o: BackupOutcome): DelegateResponse {
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
    warnings: o.warnings,
    awsDependencies: o.awsDependencyCounts,
    ...(o.failureReason ? { reason: o.failureReason, error: o.error } : {}),
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
