import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DelegateEnvironment } from '../../lib/config/environment';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RestoreMode, RestoreRequest } from '../../lib/events';
import { RecoveryPointReader } from '../../lib/recovery-point/RecoveryPointReader';
import { restoreStatusKey } from '../../lib/recovery-point/layout';
import type { AwsClients } from '../../lib/aws/clients';
import { invalidInput, operationalFailure, type DurableRestoreStartedResponse, type InvalidInputResponse, type OperationalFailureResponse } from './types';

/**
 * `restore` in mode "durable": the recovery point resolved and a restoreId chosen here, the restore itself
 * handed to the durable restore function as an asynchronous invocation named after the restoreId (so a
 * repeated start is the same execution, not a second restore). Answers at once, RUNNING; `describe-restore`
 * follows it.
 */
export async function startDurableRestore(
  request: RestoreRequest, at: { folder: string; restoreId: string; report: { bucket: string; key: string } },
  ctx: { env: DelegateEnvironment; clients: AwsClients; logger: Logger; started: number },
): Promise<DurableRestoreStartedResponse | InvalidInputResponse<'restore'> | OperationalFailureResponse<'restore'>> {
  const { env, clients, logger, started } = ctx;
  if (!env.durableRestoreFunction) {
    return invalidInput('restore', ['mode "durable" needs DURABLE_RESTORE_FUNCTION (the durable restore function of template.yaml); use mode "sync"'], started);
  }
  const recoveryPointId = at.folder.split('/').filter(Boolean).at(-1) ?? '';
  const payload = durableRestoreEvent(request, recoveryPointId, at.restoreId);
  const lambda = new LambdaClient({ region: request.region, credentials: clients.credentials });
  try {
    await lambda.send(new InvokeCommand({
      FunctionName: env.durableRestoreFunction, InvocationType: 'Event', DurableExecutionName: at.restoreId,
      Payload: Buffer.from(JSON.stringify(payload)),
    }));
  } catch (err) {
    const message = `the durable restore could not be started (${env.durableRestoreFunction}): ${err instanceof Error ? err.message : String(err)}`;
    logger.error('durable restore not started', { stage: 'start', error: message });
    return operationalFailure('restore', request.clusterName, message, started);
  } finally {
    lambda.destroy();
  }
  const statusBucket = env.bucket ?? request.source.bucket;
  logger.info('durable restore started', { stage: 'start', restoreId: at.restoreId, recoveryPointId });
  return {
    action: 'restore', status: 'RUNNING', mode: 'durable', dryRun: false, clusterName: request.clusterName,
    source: { location: `s3://${request.source.bucket}/${at.folder}`, recoveryPointId, clusterName: request.source.clusterName },
    restoreId: at.restoreId,
    report: `s3://${at.report.bucket}/${at.report.key}`,
    statusObject: `s3://${statusBucket}/${restoreStatusKey(env.prefix, request.clusterName, at.restoreId)}`,
    durationMs: Date.now() - started,
  };
}

/**
 * A restore that names no mode: durable when this deployment has the durable restore function and the
 * recovery point is larger than one invocation restores comfortably (RESTORE_SYNC_MAX_OBJECTS); sync for
 * small ones, dry runs, and where there is no durable function (sam local invoke, the CLI without --function).
 * A manifest that cannot be read here is left to the sync restore, which says what is wrong with it.
 */
export async function chooseRestoreMode(request: RestoreRequest, env: DelegateEnvironment, s3: S3Client, bucket: string, folder: string): Promise<RestoreMode> {
  if (request.dryRun || !env.durableRestoreFunction) return 'sync';
  try {
    const { manifest } = await RecoveryPointReader.open(s3, bucket, folder);
    return manifest.archive.objects > env.restoreSyncMaxObjects ? 'durable' : 'sync';
  } catch {
    return 'sync';
  }
}

/** The event the durable restore function gets: this request, its recovery point resolved, its restoreId. */
export function durableRestoreEvent(request: RestoreRequest, recoveryPointId: string, restoreId: string): Record<string, unknown> {
  return {
    action: 'restore', mode: 'durable', restoreId, clusterName: request.clusterName, region: request.region,
    source: { ...request.source, recoveryPointId },
    existingResourcePolicy: request.existingResourcePolicy, translate: request.translate,
    namespaceMapping: request.namespaceMapping, identifierMap: request.identifierMap, zoneMap: request.zoneMap, regionMap: request.regionMap,
    gitops: request.gitops, ...request.filters,
  };
}
