import type { DescribeRestoreRequest } from '../../lib/events';
import { restoreStatusKey } from '../../lib/recovery-point/layout';
import { readRestoreStatus } from '../../lib/restore/durable';
import { describeRestoreReport } from './catalog';
import { operationalFailure, type ActionContext, type ActionRunner, type DurableRestoreProgressResponse, type OperationalFailureResponse } from './types';

/** A RUNNING restore whose steps have written nothing for this long has probably stopped (timed out, failed). */
const STALE_AFTER_MS = 30 * 60_000;

/**
 * One restore, running or done. A durable restore's steps keep a status object (lib/restore/durable): while it
 * runs, its progress (tier and type of the last step, objects done of total, rate, ETA) is the answer. A finished
 * restore, durable or sync, is described from its report in S3 (outcome counts, skipped reasons, the failed and
 * unreached objects), with the durable one's state and steps beside it. S3 only: it answers without the durable
 * execution API, and from the CLI alike.
 */
export const describeRestoreAction: ActionRunner<DescribeRestoreRequest> = async (request, ctx) => {
  const progress = await durableProgress(request, ctx);
  if (progress && (progress.status === 'FAILED' || progress.state === 'RUNNING')) return progress;
  // A durable restore's status names the cluster it restored from: its report is in that cluster's folder.
  const source = progress && 'sourceCluster' in progress ? progress.sourceCluster : undefined;
  const report = await describeRestoreReport(source ? { ...request, sourceCluster: source } : request, ctx);
  if (!progress) return report;
  // A durable restore that ended without a report (it failed before merging one) is described by its status.
  if (report.status === 'FAILED' || report.action !== 'describe-restore' || !('restoreStatus' in report)) return progress;
  return { ...report, mode: progress.mode, state: progress.state, steps: progress.steps };
};

/** The durable restore's status object as a response; undefined when this restore kept none (a sync restore). */
async function durableProgress(
  request: DescribeRestoreRequest, { clients, logger, started }: ActionContext,
): Promise<DurableRestoreProgressResponse | OperationalFailureResponse<'describe-restore'> | undefined> {
  const at = { bucket: request.bucket, key: restoreStatusKey(request.prefix, request.clusterName, request.restoreId) };
  let doc;
  try {
    doc = await readRestoreStatus(clients.s3, at);
  } catch (err) {
    const message = `reading s3://${at.bucket}/${at.key} failed: ${err instanceof Error ? err.message : String(err)}`;
    logger.error('restore status unreadable', { stage: 'read', error: message });
    return operationalFailure('describe-restore', request.clusterName, message, started);
  }
  if (!doc) return undefined;
  const { restoreId, state, mode, clusterName, ...rest } = doc;
  const status = 'OK' as const;
  const quietMs = Date.now() - Date.parse(doc.updatedAt);
  // The status object is written by the steps: an execution that timed out or failed outside a step leaves it RUNNING.
  const warnings = state === 'RUNNING' && quietMs > STALE_AFTER_MS
    ? [`no step has finished for ${Math.round(quietMs / 60_000)} minutes: the durable execution may have timed out or failed (see it in the Lambda console, function DurableRestoreFunction, execution ${restoreId})`]
    : [];
  return { action: 'describe-restore', status, restoreId, state, mode, clusterName, ...rest, warnings, durationMs: Date.now() - started };
}
