// The recovery point folders of one cluster, found with ListObjectsV2 and a '/' delimiter: one request per
// 1,000 folders, whatever the folders hold, so 10,000 recovery points are found in 10 requests without
// reading a manifest or an archive.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { NOT_RECOVERY_POINT_FOLDERS, recoveryPointFolder, validateClusterName, validatePrefix } from '../recovery-point/layout';
import { RecoveryPointPathError } from '../recovery-point/errors';
import type { KmsClientFor } from '../secrets';

/** Where one cluster's recovery points live. */
export interface ClusterLocation {
  s3: S3Client;
  bucket: string;
  /** Key prefix, '' or ending with '/'. */
  prefix: string;
  clusterName: string;
  signal?: AbortSignal;
  /** KMS clients by region, to open sealed Secrets when an archive is read (verify, diff). @default undefined */
  kmsFor?: KmsClientFor;
}

/** `<prefix><clusterName>/` */
export function clusterFolder(prefix: string, clusterName: string): string {
  const problems = [...validatePrefix(prefix), ...validateClusterName(clusterName)];
  if (problems.length > 0) throw new RecoveryPointPathError(problems);
  return `${prefix}${clusterName}/`;
}

/**
 * Every recovery point id under `<prefix><clusterName>/`, newest first. Generated ids begin with their UTC
 * start time (`20261123T200501Z-7f3a`), so the id order is the time order; ids a caller chose sort by name.
 * Folders whose name is not a valid recovery point id are not recovery points and are left out.
 */
export async function listRecoveryPointIds(where: ClusterLocation): Promise<string[]> {
  const base = clusterFolder(where.prefix, where.clusterName);
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await where.s3.send(new ListObjectsV2Command({
      Bucket: where.bucket, Prefix: base, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}),
    }), { abortSignal: where.signal });
    for (const cp of out.CommonPrefixes ?? []) {
      const id = cp.Prefix?.slice(base.length, -1);
      if (id && isRecoveryPointId(where, id)) ids.push(id);
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return ids.sort(newestFirst);
}

/** Descending id order (see listRecoveryPointIds). */
export function newestFirst(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** The keys of one folder with their sizes and times (a recovery point holds a handful). */
export async function listFolderObjects(where: ClusterLocation, folder: string): Promise<Array<{ key: string; bytes: number; lastModified: Date | undefined }>> {
  const found: Array<{ key: string; bytes: number; lastModified: Date | undefined }> = [];
  let token: string | undefined;
  do {
    const out = await where.s3.send(new ListObjectsV2Command({
      Bucket: where.bucket, Prefix: folder, ...(token ? { ContinuationToken: token } : {}),
    }), { abortSignal: where.signal });
    for (const o of out.Contents ?? []) {
      if (o.Key) found.push({ key: o.Key, bytes: o.Size ?? 0, lastModified: o.LastModified });
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return found;
}

function isRecoveryPointId(where: ClusterLocation, id: string): boolean {
  // Readiness and restore reports live beside the recovery points: never an incomplete backup to list or delete.
  if (NOT_RECOVERY_POINT_FOLDERS.has(id)) return false;
  try {
    recoveryPointFolder(where.prefix, where.clusterName, id);
    return true;
  } catch {
    return false;
  }
}
