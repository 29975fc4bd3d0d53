// list-recovery-points (DESIGN.md section 9): the cluster's recovery points newest first, one page at a
// time. Folders come from a delimited ListObjectsV2 (no manifest or archive read for them); only the
// manifests of the page's folders are read, a few at a time.
import { ManifestError, RecoveryPointNotFoundError } from '../recovery-point/errors';
import { recoveryPointFolder } from '../recovery-point/layout';
import type { RecoveryPointStatus } from '../recovery-point/manifest';
import { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';
import { mapWithConcurrency } from '../concurrency/mapWithConcurrency';
import { listFolderObjects, listRecoveryPointIds, type ClusterLocation } from './recoveryPointFolders';
import { recoveryPointScope, type RecoveryPointScope } from './recoveryPointScope';

/** Rows per page when the caller names no limit. */
export const DEFAULT_LIST_LIMIT = 100;
/** Largest page: 1,000 manifests is already a long wait and a large response. */
export const MAX_LIST_LIMIT = 1000;
/** Manifests read at once. */
const MANIFEST_READS_AT_ONCE = 8;

/** One committed recovery point, from its manifest. */
export interface RecoveryPointRow {
  recoveryPointId: string;
  status: RecoveryPointStatus;
  startedAt: string;
  completedAt: string;
  durationMs: number;
  objects: number;
  /** Size of resources.tar.gz. */
  bytes: number;
  /** Resource types whose objects are in it (status ok). */
  resources: number;
  /** Resource types that could not be read (forbidden, failed). */
  unreadable: number;
  /** AWS dependencies recorded. */
  dependencies: number;
  /** Whole-cluster or filtered, and the filters (docs/scope.md): only a whole-cluster one can be `latest`. */
  scope: RecoveryPointScope;
}

/** A folder that is not a usable recovery point: no manifest (the backup never committed) or an unreadable one. */
export interface IncompleteRecoveryPoint {
  recoveryPointId: string;
  /** Newest object in the folder. */
  lastModified: string | undefined;
  /** Bytes the folder holds. */
  bytes: number;
  reason: string;
}

export interface ListRecoveryPointsOptions {
  /** Folders per page. @default DEFAULT_LIST_LIMIT (100), at most MAX_LIST_LIMIT */
  limit?: number;
  /** The previous page's nextToken: the page starts after that id. */
  nextToken?: string;
}

export interface ListRecoveryPointsResult {
  recoveryPoints: RecoveryPointRow[];
  incomplete: IncompleteRecoveryPoint[];
  /** Folders in all, every page. */
  total: number;
  /** Present when more folders follow: pass it back as nextToken. */
  nextToken?: string;
}

/** One page of the cluster's recovery points, newest first (id order, see listRecoveryPointIds). */
export async function listRecoveryPoints(where: ClusterLocation, options: ListRecoveryPointsOptions = {}): Promise<ListRecoveryPointsResult> {
  const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_LIST_LIMIT), MAX_LIST_LIMIT);
  const ids = await listRecoveryPointIds(where);
  // Newest first, so the page after token T holds the ids that sort below T.
  const start = options.nextToken === undefined ? 0 : ids.findIndex((id) => id < options.nextToken!);
  const page = start < 0 ? [] : ids.slice(start, start + limit);
  const rows = await mapWithConcurrency(page, MANIFEST_READS_AT_ONCE, (id) => readRow(where, id));
  const last = page.at(-1);
  const more = start >= 0 && start + limit < ids.length;
  return {
    recoveryPoints: rows.filter((r): r is RecoveryPointRow => 'status' in r),
    incomplete: rows.filter((r): r is IncompleteRecoveryPoint => 'reason' in r),
    total: ids.length,
    ...(more && last ? { nextToken: last } : {}),
  };
}

async function readRow(where: ClusterLocation, id: string): Promise<RecoveryPointRow | IncompleteRecoveryPoint> {
  const folder = recoveryPointFolder(where.prefix, where.clusterName, id);
  try {
    const { manifest: m } = await RecoveryPointReader.open(where.s3, where.bucket, folder, where.signal ? { signal: where.signal } : {});
    return {
      recoveryPointId: id,
      status: m.status,
      startedAt: m.startedAt,
      completedAt: m.completedAt,
      durationMs: Math.max(0, Date.parse(m.completedAt) - Date.parse(m.startedAt)),
      objects: m.archive.objects,
      bytes: m.archive.bytes,
      resources: m.resources.filter((r) => r.status === 'ok').length,
      unreadable: m.resources.filter((r) => r.status === 'forbidden' || r.status === 'failed').length,
      dependencies: Array.isArray(m.awsDependencies) ? m.awsDependencies.length : 0,
      scope: recoveryPointScope(m),
    };
  } catch (err) {
    if (!(err instanceof RecoveryPointNotFoundError || err instanceof ManifestError)) throw err;
    const objects = await listFolderObjects(where, folder);
    const newest = objects.reduce<Date | undefined>((a, o) => (o.lastModified && (!a || o.lastModified > a) ? o.lastModified : a), undefined);
    return {
      recoveryPointId: id,
      lastModified: newest?.toISOString(),
      bytes: objects.reduce((n, o) => n + o.bytes, 0),
      reason: err instanceof ManifestError ? `manifest unreadable: ${err.problems.join('; ')}` : 'no manifest: the backup never committed',
    };
  }
}
