// The catalog actions (DESIGN.md section 9): no cluster connection, only the recovery points in S3.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3ServiceException } from '@aws-sdk/client-s3';
import {
  describeRecoveryPoint, diffRecoveryPoints, IGNORED_FIELDS, listRecoveryPoints, listRestoreReports, NotEnoughRecoveryPointsError,
  OUTCOME_ORDER, readRestoreReport, RecoveryPointUnavailableError, resolveDiffPair, RestoreReportNotFoundError, RestoreReportUnreadableError,
  verifyRecoveryPoint, type ClusterLocation, type RestoreReportLocation,
} from '../../lib/catalog';
import type {
  CatalogRequest, DescribeRecoveryPointRequest, DescribeRestoreRequest, DiffRecoveryPointsRequest, ListRecoveryPointsRequest, ListRestoresRequest,
  VerifyRecoveryPointRequest,
} from '../../lib/events';
import { RecoveryPointIntegrityError, RecoveryPointPathError } from '../../lib/recovery-point';
import { SecretKeyError } from '../../lib/secrets';
import {
  invalidInput, operationalFailure, secretsKeyFailure, type ActionContext, type ActionRunner, type CatalogFailureResponse, type CatalogResponse, type SkippedReason,
} from './types';

/** Rows of each diff list in a response; `counts` always has the full numbers, and `truncated` says when rows were left out. */
export const MAX_DIFF_ROWS = 1000;

export const listRecoveryPointsAction: ActionRunner<ListRecoveryPointsRequest> = (request, ctx) => catalogAction(request, ctx, async (where) => {
  const page = await listRecoveryPoints(where, {
    ...(request.limit !== undefined ? { limit: request.limit } : {}),
    ...(request.nextToken !== undefined ? { nextToken: request.nextToken } : {}),
  });
  return { status: 'OK', location: `s3://${request.bucket}/${request.prefix}${request.clusterName}/`, ...page };
});

export const describeRecoveryPointAction: ActionRunner<DescribeRecoveryPointRequest> = (request, ctx) => catalogAction(request, ctx, async (where) => {
  // The status is the recovery point's own (COMPLETED or PARTIAL), as the backup answered it.
  return { ...(await describeRecoveryPoint(where, request.recoveryPointId, { details: request.details })) };
});

export const verifyRecoveryPointAction: ActionRunner<VerifyRecoveryPointRequest> = (request, ctx) => catalogAction(request, ctx, async (where) => {
  const result = await verifyRecoveryPoint(where, request.recoveryPointId, {
    onArchiveBytes: (bytes) => ctx.onProgress?.({ stage: 'verify', bytes }),
  });
  ctx.logger.info('recovery point verified', { stage: 'verify', recoveryPointId: result.recoveryPointId, status: result.status, problems: result.problemCount });
  return { ...result };
});

export const diffRecoveryPointsAction: ActionRunner<DiffRecoveryPointsRequest> = (request, ctx) => catalogAction(request, ctx, async (where) => {
  const pair = await resolveDiffPair(where, request.from, request.to);
  const diff = await diffRecoveryPoints(pair.from, pair.to, { onArchiveBytes: (bytes) => ctx.onProgress?.({ stage: 'diff', bytes }) });
  const truncated = diff.added.length > MAX_DIFF_ROWS || diff.removed.length > MAX_DIFF_ROWS || diff.changed.length > MAX_DIFF_ROWS;
  return {
    status: 'OK',
    ...diff,
    added: diff.added.slice(0, MAX_DIFF_ROWS),
    removed: diff.removed.slice(0, MAX_DIFF_ROWS),
    changed: diff.changed.slice(0, MAX_DIFF_ROWS),
    ...(truncated ? { truncated: true } : {}),
    ignoredFields: IGNORED_FIELDS,
  };
});

/** Objects listed by describe-restore without `details`: the failed and not-attempted ones; the report has all. */
export const MAX_RESTORE_ROWS = 1000;

/** Reports beside the source's recovery points, and under the target's own folder. */
function reportLocation(request: ListRestoresRequest | DescribeRestoreRequest, where: ClusterLocation): RestoreReportLocation {
  return { s3: where.s3, bucket: request.bucket, prefix: request.prefix, clusters: [request.sourceCluster, request.clusterName] };
}

export const listRestoresAction: ActionRunner<ListRestoresRequest> = (request, ctx) => catalogAction(request, ctx, async (where) => {
  const { reports, total } = await listRestoreReports(reportLocation(request, where), {
    limit: request.limit, ...(request.recoveryPointId !== undefined ? { recoveryPointId: request.recoveryPointId } : {}),
  });
  return {
    status: 'OK', sourceCluster: request.sourceCluster, total,
    restores: reports.map(({ summary: r, key }) => ({
      restoreId: r.restoreId, status: r.status, dryRun: r.dryRun, startedAt: r.startedAt, durationMs: r.durationMs,
      sourceCluster: r.sourceCluster, recoveryPointId: r.recoveryPointId, ...(r.targetCluster ? { targetCluster: r.targetCluster } : {}),
      created: r.created, updated: r.updated, failed: r.failed, notAttempted: r.notAttempted,
      skipped: Object.values(r.skipped ?? {}).reduce((a, b) => a + b, 0), report: `s3://${request.bucket}/${key}`,
    })),
  };
});

/** What a finished restore did, from its report in S3 (describe-restore answers with it once no step runs). */
export const describeRestoreReport: ActionRunner<DescribeRestoreRequest> = (request, ctx) => catalogAction(request, ctx, async (where) => {
  const { summary, rows, key } = await readRestoreReport(reportLocation(request, where), request.restoreId);
  const outcomes = Object.fromEntries(OUTCOME_ORDER.map((o) => [o, rows.filter((r) => r.outcome === o).length]));
  // Without details: what needs a look (failed, not reached) and why the rest was skipped, counted.
  const shown = request.details ? rows : rows.filter((r) => r.outcome === 'failed' || r.outcome === 'not-attempted');
  const reasons = new Map<string, SkippedReason>();
  for (const r of rows) {
    if (r.outcome !== 'skipped' && r.outcome !== 'exists') continue;
    const key = JSON.stringify([r.outcome, r.reason ?? '']);
    const entry = reasons.get(key) ?? { outcome: r.outcome, reason: r.reason ?? '', objects: 0 };
    entry.objects++;
    reasons.set(key, entry);
  }
  const { status: restoreStatus, durationMs: restoreDurationMs, ...rest } = summary;
  return {
    // The response's own status says the report was found; the restore's is restoreStatus.
    status: 'OK', ...rest, restoreStatus, restoreDurationMs, report: `s3://${request.bucket}/${key}`, outcomes,
    skippedReasons: [...reasons.values()].sort((a, b) => b.objects - a.objects),
    objects: OUTCOME_ORDER.flatMap((o) => shown.filter((r) => r.outcome === o)).slice(0, request.details ? undefined : MAX_RESTORE_ROWS),
    ...(!request.details && shown.length > MAX_RESTORE_ROWS ? { truncated: true } : {}),
  };
});

/** Runs one catalog action and maps the catalog's errors to FAILED responses that name the problem. */
async function catalogAction<A extends CatalogRequest['action'], Body extends { status: string }>(
  request: CatalogRequest & { action: A }, { clients, logger, metrics, started }: ActionContext,
  run: (where: ClusterLocation) => Promise<Body>,
): Promise<CatalogResponse<A, Body> | CatalogFailureResponse<A>> {
  const where: ClusterLocation = {
    s3: clients.s3, bucket: request.bucket, prefix: request.prefix, clusterName: request.clusterName, kmsFor: (region) => clients.kmsFor(region),
  };
  try {
    const body = await run(where);
    metrics.addMetric('CatalogActionDuration', MetricUnit.Milliseconds, Date.now() - started);
    return { action: request.action, clusterName: request.clusterName, ...body, durationMs: Date.now() - started };
  } catch (err) {
    if (err instanceof RecoveryPointPathError) return invalidInput(request.action, [...err.problems], started);
    if (err instanceof RestoreReportNotFoundError) {
      return { action: request.action, status: 'FAILED', reason: 'not-found', notFound: 'restore', clusterName: request.clusterName, error: err.message, durationMs: Date.now() - started };
    }
    if (err instanceof RestoreReportUnreadableError) return operationalFailure(request.action, request.clusterName, err.message, started);
    if (err instanceof RecoveryPointUnavailableError || err instanceof NotEnoughRecoveryPointsError) {
      return { action: request.action, status: 'FAILED', reason: 'not-found', notFound: 'recovery-point', clusterName: request.clusterName, error: err.message, durationMs: Date.now() - started };
    }
    if (err instanceof RecoveryPointIntegrityError) {
      return {
        action: request.action, status: 'FAILED', reason: 'invalid-recovery-point', clusterName: request.clusterName,
        error: err.message, problems: [...err.problems], durationMs: Date.now() - started,
      };
    }
    if (err instanceof SecretKeyError) {
      logger.error('Secrets key unusable', { stage: request.action, kmsKeyId: err.keyId, reason: err.reason, kmsCode: err.kmsCode });
      return secretsKeyFailure(request.action, request.clusterName, err, started);
    }
    if (err instanceof S3ServiceException) {
      if (err.name === 'NoSuchBucket') return invalidInput(request.action, [`bucket ${request.bucket} does not exist`], started);
      logger.error('S3 call failed', { stage: request.action, error: err.message });
      return operationalFailure(request.action, request.clusterName, `S3: ${err.name}: ${err.message}`, started);
    }
    throw err;
  }
}
