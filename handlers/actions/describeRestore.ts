import type { DescribeRestoreRequest } from '../../lib/events';
import { restoreStatusKey } from '../../lib/recovery-point/layout';
import { readRestoreStatus } from '../../lib/restore/durable';
import { operationalFailure, type ActionRunner } from './types';

/**
 * A durable restore's progress (tier and type of the last step, objects done of total, rate, ETA) or its
 * outcome, from the status object its steps write (lib/restore/durable): S3 only, so it answers without the
 * durable execution API and from the CLI alike.
 */
export const describeRestoreAction: ActionRunner<DescribeRestoreRequest> = async (request, { clients, logger, started }) => {
  const at = { bucket: request.bucket, key: restoreStatusKey(request.prefix, request.clusterName, request.restoreId) };
  let doc;
  try {
    doc = await readRestoreStatus(clients.s3, at);
  } catch (err) {
    const message = `reading s3://${at.bucket}/${at.key} failed: ${err instanceof Error ? err.message : String(err)}`;
    logger.error('restore status unreadable', { stage: 'read', error: message });
    return operationalFailure('describe-restore', request.clusterName, message, started);
  }
  if (!doc) {
    return {
      action: 'describe-restore', status: 'FAILED', reason: 'not-found', clusterName: request.clusterName, restoreId: request.restoreId,
      error: `no durable restore ${request.restoreId} of cluster ${request.clusterName}: s3://${at.bucket}/${at.key} does not exist (a sync restore answers with its outcome and keeps no status)`,
      durationMs: Date.now() - started,
    };
  }
  const { restoreId, state, mode, clusterName, ...rest } = doc;
  return { action: 'describe-restore', status: 'OK', restoreId, state, mode, clusterName, ...rest, durationMs: Date.now() - started };
};
