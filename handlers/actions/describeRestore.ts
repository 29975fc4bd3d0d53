import type { DescribeRestoreRequest } from '../../lib/events';
import { restoreStatusKey } from '../../lib/recovery-point/layout';
import { readRestoreStatus } from '../../lib/restore/durable';
import { operationalFailure, type ActionRunner } from './types';

/** A RUNNING restore whose steps have written nothing for this long has probably stopped (timed out, failed). */
const STALE_AFTER_MS = 30 * 60_000;

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
  const quietMs = Date.now() - Date.parse(doc.updatedAt);
  // The status object is written by the steps: an execution that timed out or failed outside a step leaves it RUNNING.
  const warnings = state === 'RUNNING' && quietMs > STALE_AFTER_MS
    ? [`no step has finished for ${Math.round(quietMs / 60_000)} minutes: the durable execution may have timed out or failed (see it in the Lambda console, function DurableRestoreFunction, execution ${restoreId})`]
    : [];
  return { action: 'describe-restore', status: 'OK', restoreId, state, mode, clusterName, ...rest, warnings, durationMs: Date.now() - started };
};
