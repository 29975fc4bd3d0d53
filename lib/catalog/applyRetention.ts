// Retention after a successful backup (DESIGN.md section 9, issue 14): recovery points past BOTH limits
// (keep-last and keep-days; a limit not set protects nothing) are deleted oldest first; never the newest
// COMPLETED one nor the newest whole-cluster COMPLETED one (a filtered backup must not cost the last full
// copy, DESIGN.md section 9 "Scope"), never one a restore is reading (a restore lock younger than a day, layout.restoreLockKey);
// folders without a manifest (a backup that never committed) are deleted once their newest object is a
// day old. Decisions use listings and object times; manifests are read only to find the newest COMPLETED
// ones.
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { ManifestError, RecoveryPointNotFoundError } from '../recovery-point/errors';
import { MANIFEST_FILE_NAME, RESTORE_LOCK_MAX_AGE_MS, RESTORE_LOCK_SUFFIX, RESTORES_DIR, recoveryPointFolder } from '../recovery-point/layout';
import { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';
import { RetentionDeleteError } from './errors';
import { mapWithConcurrency } from '../concurrency/mapWithConcurrency';
import { listFolderObjects, listRecoveryPointIds, type ClusterLocation } from './recoveryPointFolders';
import { recoveryPointScope } from './recoveryPointScope';

/** An incomplete folder younger than this may belong to a backup still running: it is left alone. */
export const INCOMPLETE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Folder listings in flight at once. */
const FOLDER_LISTS_AT_ONCE = 8;
/** DeleteObjects takes at most 1,000 keys. */
const DELETE_BATCH = 1000;

export interface RetentionPolicy {
  /** Keep at least the newest N recovery points. Undefined: this limit protects nothing. */
  keepLast?: number;
  /** Keep recovery points committed less than N days ago. Undefined: this limit protects nothing. */
  keepDays?: number;
}

export interface RetentionResult {
  /** Recovery points deleted, oldest first. */
  deleted: string[];
  /** Incomplete folders (no manifest, older than a day) deleted. */
  incompleteDeleted: string[];
  /** Recovery points that remain. */
  kept: number;
  /** Kept although past the limits, and why (newest COMPLETED, newest whole-cluster COMPLETED, restore in progress). */
  protected: Array<{ recoveryPointId: string; reason: string }>;
}

/** Whether the policy deletes anything at all (both limits unset means retention is off). */
export function retentionEnabled(policy: RetentionPolicy): boolean {
  return policy.keepLast !== undefined || policy.keepDays !== undefined;
}

/** Applies the policy to the cluster's folders. Does nothing (and lists nothing) when retention is off. */
export async function applyRetention(where: ClusterLocation, policy: RetentionPolicy, now: Date = new Date()): Promise<RetentionResult> {
  const result: RetentionResult = { deleted: [], incompleteDeleted: [], kept: 0, protected: [] };
  if (!retentionEnabled(policy)) return result;
  const folders = await mapWithConcurrency(await listRecoveryPointIds(where), FOLDER_LISTS_AT_ONCE, async (id) => {
    const folder = recoveryPointFolder(where.prefix, where.clusterName, id);
    return { id, folder, objects: await listFolderObjects(where, folder) };
  });

  const committed: Array<(typeof folders)[number] & { committedAt: number }> = [];
  for (const f of folders) {
    const manifest = f.objects.find((o) => o.key === `${f.folder}${MANIFEST_FILE_NAME}`);
    if (manifest) {
      committed.push({ ...f, committedAt: manifest.lastModified?.getTime() ?? now.getTime() });
      continue;
    }
    const newest = Math.max(0, ...f.objects.map((o) => o.lastModified?.getTime() ?? now.getTime()));
    if (f.objects.length > 0 && now.getTime() - newest > INCOMPLETE_MAX_AGE_MS && !hasFreshLock(f, now)) {
      await deleteKeys(where, f.objects.map((o) => o.key));
      result.incompleteDeleted.push(f.id);
    }
  }

  // Newest first (listRecoveryPointIds' order): index i is "the (i+1)th newest".
  const newest = await findNewestCompleted(where, committed.map((c) => c.id));
  const doomed: string[] = [];
  committed.forEach((c, index) => {
    const pastLast = policy.keepLast === undefined || index >= policy.keepLast;
    const pastDays = policy.keepDays === undefined || now.getTime() - c.committedAt > policy.keepDays * DAY_MS;
    if (!pastLast || !pastDays) return;
    if (c.id === newest.any) result.protected.push({ recoveryPointId: c.id, reason: 'the newest COMPLETED recovery point' });
    else if (c.id === newest.wholeCluster) result.protected.push({ recoveryPointId: c.id, reason: 'the newest whole-cluster COMPLETED recovery point' });
    else if (hasFreshLock(c, now)) result.protected.push({ recoveryPointId: c.id, reason: 'a restore is reading it' });
    else doomed.push(c.id);
  });
  for (const id of doomed.reverse()) {
    const folder = committed.find((c) => c.id === id)!;
    // The manifest goes first: from then on the folder is incomplete, never a half-deleted "usable" one.
    const manifestKey = `${folder.folder}${MANIFEST_FILE_NAME}`;
    await deleteKeys(where, [manifestKey]);
    await deleteKeys(where, folder.objects.map((o) => o.key).filter((k) => k !== manifestKey));
    result.deleted.push(id);
  }
  result.kept = committed.length - result.deleted.length;
  return result;
}

function hasFreshLock(f: { folder: string; objects: Array<{ key: string; lastModified: Date | undefined }> }, now: Date): boolean {
  return f.objects.some((o) => o.key.startsWith(`${f.folder}${RESTORES_DIR}`) && o.key.endsWith(RESTORE_LOCK_SUFFIX)
    && now.getTime() - (o.lastModified?.getTime() ?? now.getTime()) < RESTORE_LOCK_MAX_AGE_MS);
}

/** The newest COMPLETED recovery point of any scope, and the newest whole-cluster one (the same when it is newest). */
async function findNewestCompleted(where: ClusterLocation, ids: string[]): Promise<{ any?: string; wholeCluster?: string }> {
  const found: { any?: string; wholeCluster?: string } = {};
  for (const id of ids) {
    try {
      const reader = await RecoveryPointReader.open(where.s3, where.bucket, recoveryPointFolder(where.prefix, where.clusterName, id));
      if (reader.manifest.status !== 'COMPLETED') continue;
      found.any ??= id;
      if (recoveryPointScope(reader.manifest).wholeCluster) {
        found.wholeCluster = id;
        return found;
      }
    } catch (err) {
      if (!(err instanceof RecoveryPointNotFoundError || err instanceof ManifestError)) throw err;
    }
  }
  return found;
}

async function deleteKeys(where: ClusterLocation, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const out = await where.s3.send(new DeleteObjectsCommand({
      Bucket: where.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
    }), { abortSignal: where.signal });
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      throw new RetentionDeleteError(failed.map((e) => e.Key ?? ''), `could not delete ${failed.length} object(s), e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`);
    }
  }
}
