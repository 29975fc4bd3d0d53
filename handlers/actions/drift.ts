// drift (DESIGN.md section 11): thin: connect to the source cluster, run lib/drift, shape the response.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { IGNORED_FIELDS, RecoveryPointUnavailableError, type ClusterLocation } from '../../lib/catalog';
import { connectToCluster } from '../../lib/delegate';
import { runDrift } from '../../lib/drift';
import type { DriftRequest } from '../../lib/events';
import { RecoveryPointIntegrityError, RecoveryPointPathError } from '../../lib/recovery-point';
import { SecretKeyError } from '../../lib/secrets';
import { MAX_DIFF_ROWS } from './catalog';
import { invalidInput, operationalFailure, secretsKeyFailure, type ActionRunner } from './types';

export const driftAction: ActionRunner<DriftRequest> = async (request, { env, clients, logger, metrics, started }) => {
  const where: ClusterLocation = { s3: clients.s3, bucket: request.bucket, prefix: request.prefix, clusterName: request.clusterName, kmsFor: (region) => clients.kmsFor(region) };
  const session = await connectToCluster(clients, request.clusterName, request.region, logger);
  try {
    const d = await runDrift(where, session.kube, { recoveryPointId: request.recoveryPointId, pageSize: env.pageSize }, logger);
    metrics.addMetric('DriftedObjects', MetricUnit.Count, d.counts.added + d.counts.removed + d.counts.changed);
    const truncated = d.added.length > MAX_DIFF_ROWS || d.removed.length > MAX_DIFF_ROWS || d.changed.length > MAX_DIFF_ROWS;
    return {
      action: 'drift', status: 'OK', clusterName: request.clusterName,
      recoveryPointId: d.recoveryPointId, recoveryPointCompletedAt: d.recoveryPointCompletedAt,
      added: d.added.slice(0, MAX_DIFF_ROWS), removed: d.removed.slice(0, MAX_DIFF_ROWS), changed: d.changed.slice(0, MAX_DIFF_ROWS),
      counts: d.counts, byResource: d.byResource, objects: { recoveryPoint: d.objects.from, live: d.objects.to },
      ...(truncated ? { truncated: true as const } : {}),
      notCompared: d.notCompared, ignoredFields: IGNORED_FIELDS, durationMs: Date.now() - started,
    };
  } catch (err) {
    if (err instanceof RecoveryPointPathError) return invalidInput('drift', [...err.problems], started);
    if (err instanceof RecoveryPointUnavailableError) {
      return { action: 'drift', status: 'FAILED', reason: 'not-found', notFound: 'recovery-point', clusterName: request.clusterName, error: err.message, durationMs: Date.now() - started };
    }
    if (err instanceof RecoveryPointIntegrityError) {
      return { action: 'drift', status: 'FAILED', reason: 'invalid-recovery-point', clusterName: request.clusterName, error: err.message, problems: [...err.problems], durationMs: Date.now() - started };
    }
    if (err instanceof SecretKeyError) return secretsKeyFailure('drift', request.clusterName, err, started);
    if (err instanceof S3ServiceException) {
      if (err.name === 'NoSuchBucket') return invalidInput('drift', [`bucket ${request.bucket} does not exist`], started);
      return operationalFailure('drift', request.clusterName, `S3: ${err.name}: ${err.message}`, started);
    }
    throw err;
  } finally {
    session.close();
  }
};
