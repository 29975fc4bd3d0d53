import type { S3Client } from '@aws-sdk/client-s3';
import { ManifestError, RecoveryPointNotFoundError } from '../recovery-point/errors';
import { recoveryPointFolder } from '../recovery-point/layout';
import { RecoveryPointReader, type OpenRecoveryPointOptions } from '../recovery-point/RecoveryPointReader';
import { RecoveryPointUnavailableError } from './errors';
import { listRecoveryPointIds, type ClusterLocation } from './recoveryPointFolders';
import { recoveryPointScope } from './recoveryPointScope';

/**
 * What `recoveryPointId: "latest"` means everywhere (restore, describe, verify, diff): the newest usable
 * whole-cluster recovery point. A filtered backup (an ad hoc copy of one namespace) never becomes it
 * (DESIGN.md section 9, "Scope").
 */
export const LATEST_RECOVERY_POINT = 'latest';
/** The explicit opt-in: the newest usable recovery point whatever its scope, filtered ones included. */
export const LATEST_ANY_RECOVERY_POINT = 'latest-any';

/** Whether `id` is one of the two selectors rather than a recovery point id. */
export function isLatestSelector(id: string): boolean {
  return id === LATEST_RECOVERY_POINT || id === LATEST_ANY_RECOVERY_POINT;
}

/** Which recovery points `latest` may pick. */
export interface LatestOptions {
  /** `whole-cluster` (what `latest` means) or `any` (`latest-any`). @default 'whole-cluster' */
  scope?: 'whole-cluster' | 'any';
}

/**
 * The newest recovery point of the cluster whose manifest says COMPLETED or PARTIAL and, unless
 * `scope: 'any'`, that is whole-cluster; opened (manifest read and validated), or undefined when there is
 * none. Folders without a manifest (incomplete) or with an unreadable one are passed over. "Newest" is
 * the id order of listRecoveryPointIds.
 */
export async function findLatestRecoveryPoint(
  s3: S3Client, bucket: string, prefix: string, clusterName: string, options: Pick<ClusterLocation, 'signal' | 'kmsFor'> & LatestOptions = {},
): Promise<RecoveryPointReader | undefined> {
  const { scope, ...location } = options;
  for await (const reader of usableRecoveryPoints({ s3, bucket, prefix, clusterName, ...location }, { scope: scope ?? 'whole-cluster' })) return reader;
  return undefined;
}

/**
 * The cluster's usable recovery points (manifest readable, COMPLETED or PARTIAL), newest first, opened one
 * by one; only whole-cluster ones with `scope: 'whole-cluster'`.
 * @param options.scope @default 'any'
 */
export async function* usableRecoveryPoints(where: ClusterLocation, options: LatestOptions = {}): AsyncGenerator<RecoveryPointReader> {
  for (const id of await listRecoveryPointIds(where)) {
    const reader = await openIfUsable(where, id);
    if (!reader) continue;
    if (options.scope === 'whole-cluster' && !recoveryPointScope(reader.manifest).wholeCluster) continue;
    yield reader;
  }
}

/** `latest` (whole-cluster) or `latest-any` resolved, or undefined when no recovery point qualifies. */
export async function findSelectedRecoveryPoint(where: ClusterLocation, selector: string): Promise<RecoveryPointReader | undefined> {
  const scope = selector === LATEST_ANY_RECOVERY_POINT ? 'any' : 'whole-cluster';
  return findLatestRecoveryPoint(where.s3, where.bucket, where.prefix, where.clusterName, { ...readerOptions(where), scope });
}

/**
 * Why `latest` found nothing, for the error: no usable recovery point at all, or only filtered ones (then
 * the newest is named, with the two ways to use it).
 */
export async function noLatestReason(where: ClusterLocation, selector: string): Promise<string> {
  const base = `cluster ${where.clusterName} has no usable recovery point under s3://${where.bucket}/${where.prefix}`;
  if (selector === LATEST_ANY_RECOVERY_POINT) return base;
  for await (const filtered of usableRecoveryPoints(where)) {
    return `cluster ${where.clusterName} has no usable whole-cluster recovery point under s3://${where.bucket}/${where.prefix}; `
      + `the newest filtered one is ${filtered.manifest.recoveryPointId}: name it, or use "${LATEST_ANY_RECOVERY_POINT}"`;
  }
  return base;
}

/**
 * Opens a named recovery point, or the newest usable whole-cluster one for `latest` (any scope for
 * `latest-any`). Throws RecoveryPointUnavailableError naming the problem when there is none, it is
 * incomplete, or its manifest is invalid.
 */
export async function openRecoveryPoint(where: ClusterLocation, recoveryPointId: string): Promise<RecoveryPointReader> {
  if (isLatestSelector(recoveryPointId)) {
    const latest = await findSelectedRecoveryPoint(where, recoveryPointId);
    if (!latest) throw new RecoveryPointUnavailableError(recoveryPointId, await noLatestReason(where, recoveryPointId));
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
