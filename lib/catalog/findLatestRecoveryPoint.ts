import type { S3Client } from '@aws-sdk/client-s3';
import { ManifestError, RecoveryPointNotFoundError } from '../recovery-point/errors';
import { recoveryPointFolder } from '../recovery-point/layout';
import { RecoveryPointReader, type OpenRecoveryPointOptions } from '../recovery-point/RecoveryPointReader';
import { RecoveryPointUnavailableError } from './errors';
import { listRecoveryPointIds, type ClusterLocation } from './recoveryPointFolders';

/** What `recoveryPointId: "latest"` means everywhere (restore, describe, verify, diff). */
export const LATEST_RECOVERY_POINT = 'latest';

/**
 * The newest recovery point of the cluster whose manifest says COMPLETED or PARTIAL, opened (manifest read
 * and validated), or undefined when there is none. Folders without a manifest (incomplete) or with an
 * unreadable one are passed over. "Newest" is the id order of listRecoveryPointIds.
 */
export async function findLatestRecoveryPoint(
  s3: S3Client, bucket: string, prefix: string, clusterName: string, options: Pick<ClusterLocation, 'signal' | 'kmsFor'> = {},
): Promise<RecoveryPointReader | undefined> {
  for await (const reader of usableRecoveryPoints({ s3, bucket, prefix, clusterName, ...options })) return reader;
  return undefined;
}

/** The cluster's usable recovery points (manifest readable, COMPLETED or PARTIAL), newest first, opened one by one. */
export async function* usableRecoveryPoints(where: ClusterLocation): AsyncGenerator<RecoveryPointReader> {
  for (const id of await listRecoveryPointIds(where)) {
    const reader = await openIfUsable(where, id);
    if (reader) yield reader;
  }
}

/**
 * Opens a named recovery point, or the newest usable one for `latest`. Throws RecoveryPointUnavailableError
 * naming the problem when there is none, it is incomplete, or its manifest is invalid.
 */
export async function openRecoveryPoint(where: ClusterLocation, recoveryPointId: string): Promise<RecoveryPointReader> {
  if (recoveryPointId === LATEST_RECOVERY_POINT) {
    const latest = await findLatestRecoveryPoint(where.s3, where.bucket, where.prefix, where.clusterName, readerOptions(where));
    if (!latest) throw new RecoveryPointUnavailableError(recoveryPointId, `cluster ${where.clusterName} has no usable recovery point under s3://${where.bucket}/${where.prefix}`);
    return latest;
  }
  const folder = recoveryPointFolder(where.prefix, where.clusterName, recoveryPointId);
  try {
    return await RecoveryPointReader.open(where.s3, where.bucket, folder, readerOptions(where));
  } catch (err) {
    if (err instanceof RecoveryPointNotFoundError || err instanceof ManifestError) {
      throw new RecoveryPointUnavailableError(recoveryPointId, `recovery point ${recoveryPointId}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

async function openIfUsable(where: ClusterLocation, id: string): Promise<RecoveryPointReader | undefined> {
  try {
    const reader = await RecoveryPointReader.open(where.s3, where.bucket, recoveryPointFolder(where.prefix, where.clusterName, id), readerOptions(where));
    return reader.manifest.status === 'COMPLETED' || reader.manifest.status === 'PARTIAL' ? reader : undefined;
  } catch (err) {
    if (err instanceof RecoveryPointNotFoundError || err instanceof ManifestError) return undefined;
    throw err;
  }
}

function readerOptions(where: Pick<ClusterLocation, 'signal' | 'kmsFor'>): OpenRecoveryPointOptions {
  return { ...(where.signal ? { signal: where.signal } : {}), ...(where.kmsFor ? { kmsFor: where.kmsFor } : {}) };
}
