// The catalog actions (DESIGN.md section 9): no cluster connection, only the recovery points in S3.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3ServiceException } from '@aws-sdk/client-s3';
import {
  describeRecoveryPoint, diffRecoveryPoints, IGNORED_FIELDS, listRecoveryPoints, NotEnoughRecoveryPointsError, RecoveryPointUnavailableError,
  resolveDiffPair, verifyRecoveryPoint, type ClusterLocation,
} from '../../lib/catalog';
import type {
  CatalogRequest, DescribeRecoveryPointRequest, DiffRecoveryPointsRequest, ListRecoveryPointsRequest, VerifyRecoveryPointRequest,
} from '../../lib/events';
import { RecoveryPointIntegrityError, RecoveryPointPathError } from '../../lib/recovery-point';
import { SecretKeyError } from '../../lib/secrets';
import { invalidInput, operationalFailure, secretsKeyFailure, type ActionContext, type ActionRunner, type DelegateResponse } from './types';

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

/** Runs one catalog action and maps the catalog's errors to FAILED responses that name the problem. */
async function catalogAction(
  request: CatalogRequest, { clients, logger, metrics, started }: ActionContext,
  run: (where: ClusterLocation) => Promise<{ status: string } & Record<string, unknown>>,
): Promise<DelegateResponse> {
  const where: ClusterLocation = {
    s3: clients.s3, bucket: request.bucket, prefix: request.prefix, clusterName: request.clusterName, kmsFor: (region) => clients.kmsFor(region),
  };
  try {
    const body = await run(where);
    metrics.addMetric('CatalogActionDuration', MetricUnit.Milliseconds, Date.now() - started);
    return { action: request.action, clusterName: request.clusterName, ...body, durationMs: Date.now() - started };
  } catch (err) {
    if (err instanceof RecoveryPointPathError) return invalidInput(request.action, [...err.problems], started);
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
