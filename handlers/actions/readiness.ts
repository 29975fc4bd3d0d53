// readiness (DESIGN.md section 11): thin: the request in lib/readiness's terms, metrics, the response.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lib/aws/clients';
import { LookupClients, lookupAwsResource } from '../../lib/aws/lookup';
import { connectToCluster } from '../../lib/delegate';
import type { ReadinessRequest } from '../../lib/events';
import { newRecoveryPointId } from '../../lib/recovery-point';
import { runReadiness, type ReadinessResult } from '../../lib/readiness';
import { TranslationConfigError } from '../../lib/translation';
import { invalidInput, operationalFailure, type ActionRunner, type ReadinessResponse } from './types';

/** Problems in the response; the report in S3 has them all. */
export const MAX_PROBLEMS_IN_RESPONSE = 100;

export const readinessAction: ActionRunner<ReadinessRequest> = async (request, { env, clients, logger, metrics, lambda, started }) => {
  const { source } = request;
  logger.info('readiness requested', { stage: 'start', sourceBucket: source.bucket, sourceCluster: source.clusterName, recoveryPointId: source.recoveryPointId });
  const sourceS3 = source.region === request.region ? clients.s3
    : createS3Client({ region: source.region, s3ForcePathStyle: env.s3ForcePathStyle, credentials: clients.credentials });
  // Like a restore's report: in the delegate's own bucket when it has one other than the source (a recovery
  // account may only read the source bucket), else beside the recovery points.
  const own = env.bucket !== undefined && env.bucket !== source.bucket;
  const report = own ? { bucket: env.bucket!, prefix: env.prefix } : { bucket: source.bucket, prefix: source.prefix };
  const lookups = new LookupClients(clients.credentials, { endpoints: env.lookupEndpoints });
  try {
    const result = await runReadiness({
      readinessId: newRecoveryPointId(new Date(started)),
      clusterName: request.clusterName,
      source: { bucket: source.bucket, prefix: source.prefix, clusterName: source.clusterName, recoveryPointId: source.recoveryPointId },
      identifierMap: request.identifierMap, zoneMap: request.zoneMap, regionMap: request.regionMap,
      namespaceMapping: request.namespaceMapping, translate: request.translate,
      rpoTargetSeconds: env.rpoTargetMinutes * 60, rtoTargetSeconds: env.rtoTargetMinutes * 60,
      report,
      restoreReports: (folder) => [
        ...(folder ? [{ s3: sourceS3, bucket: source.bucket, prefix: `${folder}restores/` }] : []),
        ...(own ? [{ s3: clients.s3, bucket: env.bucket!, prefix: `${env.prefix}${request.clusterName}/restores/` }] : []),
      ],
      concurrency: env.restoreConcurrency,
      deadlineMarginMs: env.deadlineMarginMs,
    }, {
      sourceS3, reportS3: own ? clients.s3 : sourceS3, kmsFor: (region) => clients.kmsFor(region),
      connect: () => connectToCluster(clients, request.clusterName, request.region, logger),
      lookup: (target) => lookupAwsResource(target, lookups),
      logger,
      ...(lambda ? { remainingTimeMs: () => lambda.getRemainingTimeInMillis() } : {}),
    });
    recordMetrics(metrics, result);
    logger.info('readiness decided', { stage: 'verdict', status: result.status, problems: result.problems.length, report: result.report });
    return readinessResponse(result);
  } catch (err) {
    // A readiness that cannot run is not READY: the alarm on Ready must fire for it too.
    metrics.addDimension('SourceCluster', source.clusterName);
    metrics.addMetric('Ready', MetricUnit.Count, 0);
    if (err instanceof TranslationConfigError) return invalidInput('readiness', err.problems, started);
    if (err instanceof S3ServiceException) {
      if (err.name === 'NoSuchBucket') return invalidInput('readiness', [`bucket ${source.bucket} does not exist`], started);
      logger.error('readiness could not read the recovery points', { stage: 'read', error: err.message });
      return operationalFailure('readiness', request.clusterName, `S3: ${err.name}: ${err.message}`, started);
    }
    throw err;
  } finally {
    lookups.destroy();
    if (sourceS3 !== clients.s3) sourceS3.destroy();
  }
};

/**
 * The four metrics the template's alarms watch (DESIGN.md section 11), per source cluster: two recovery
 * stacks in one account and region must not read each other's readiness.
 */
function recordMetrics(metrics: Parameters<ActionRunner<ReadinessRequest>>[1]['metrics'], r: ReadinessResult): void {
  metrics.addDimension('SourceCluster', r.source.clusterName);
  if (r.rpo.recoveryPointAgeSeconds !== undefined) metrics.addMetric('RecoveryPointAgeSeconds', MetricUnit.Seconds, r.rpo.recoveryPointAgeSeconds);
  if (r.estimatedRto.seconds !== undefined) metrics.addMetric('EstimatedRtoSeconds', MetricUnit.Seconds, r.estimatedRto.seconds);
  metrics.addMetric('ReadinessProblems', MetricUnit.Count, r.problems.length);
  metrics.addMetric('Ready', MetricUnit.Count, r.status === 'READY' ? 1 : 0);
}

function readinessResponse(r: ReadinessResult): ReadinessResponse {
  const { recent: _recent, ...rpo } = r.rpo;
  return {
    action: 'readiness',
    status: r.status,
    readinessId: r.readinessId,
    clusterName: r.clusterName,
    source: { clusterName: r.source.clusterName, ...(r.source.recoveryPointId ? { recoveryPointId: r.source.recoveryPointId } : {}), ...(r.source.location ? { location: r.source.location } : {}) },
    rpo,
    estimatedRto: r.estimatedRto,
    problems: r.problems.slice(0, MAX_PROBLEMS_IN_RESPONSE),
    ...(r.problems.length > MAX_PROBLEMS_IN_RESPONSE ? { problemsTruncated: r.problems.length - MAX_PROBLEMS_IN_RESPONSE } : {}),
    ...(r.dryRun ? { dryRun: r.dryRun } : {}),
    ...(r.versions ? { versions: r.versions } : {}),
    dependencies: {
      present: r.dependencies.filter((d) => d.state === 'present').length,
      missing: r.dependencies.filter((d) => d.state === 'missing').length,
      notCheckable: r.dependencies.filter((d) => d.state === 'not-checkable').length,
    },
    warnings: r.warnings,
    ...(r.report ? { report: r.report, html: r.html } : {}),
    durationMs: r.durationMs,
  };
}
