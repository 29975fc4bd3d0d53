// diff-recovery-points (DESIGN.md section 9): configuration drift between two recovery points. Memory is
// bounded by 16 bytes per object of `from` (DigestTable: a hash of its key and of its normalized content),
// never by the objects or their names:
//   1. stream `from`: key hash -> digest;
//   2. stream `to`: compare digests; added and changed objects are found, and for changed ones only the
//      leaf map (path -> digest of the value) is kept;
//   3. only when something changed or was removed, stream `from` again: name the removed objects (the
//      table holds no names) and the changed objects' paths.
// Values are hashed, never kept or returned: a Secret's changed paths name its keys, never its data.
import { DigestTable } from './DigestTable';
import { NotEnoughRecoveryPointsError } from './errors';
import { LATEST_ANY_RECOVERY_POINT, openRecoveryPoint, usableRecoveryPoints } from './findLatestRecoveryPoint';
import { differingPaths, leafDigests, normalizeObject, objectDigest } from './objectDigest';
import type { ClusterLocation } from './recoveryPointFolders';
import type { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';

/** One object, named as in the archive. `namespace` is absent for cluster-scoped objects. */
export interface DiffObjectRef {
  resource: string;
  namespace?: string;
  name: string;
}

export interface ChangedObject extends DiffObjectRef {
  /** JSON paths that differ, e.g. `spec.replicas`, `data.password`. */
  paths: string[];
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
}

export interface DiffResult {
  from: string;
  to: string;
  added: DiffObjectRef[];
  removed: DiffObjectRef[];
  changed: ChangedObject[];
  counts: DiffCounts;
  /** Counts per resource type, for the types where something differs. */
  byResource: Record<string, DiffCounts>;
  /** Objects compared in each recovery point. */
  objects: { from: number; to: number };
}

export interface DiffOptions {
  signal?: AbortSignal;
  /** Told the archive bytes read so far, over all passes (progress). */
  onArchiveBytes?: (bytesRead: number) => void;
}

/**
 * Resolves which two recovery points to compare. `to` defaults to the newest usable whole-cluster recovery
 * point (and `latest` means it); `from` defaults to the usable whole-cluster one just before `to`: a filtered
 * copy would show everything it left out as removed. With `to: "latest-any"` both defaults take any scope.
 */
export async function resolveDiffPair(
  where: ClusterLocation, from: string | undefined, to: string | undefined,
): Promise<{ from: RecoveryPointReader; to: RecoveryPointReader }> {
  if (from !== undefined && to !== undefined) {
    return { from: await openRecoveryPoint(where, from), to: await openRecoveryPoint(where, to) };
  }
  let toReader = to === undefined ? undefined : await openRecoveryPoint(where, to);
  let fromReader = from === undefined ? undefined : await openRecoveryPoint(where, from);
  if (!toReader || !fromReader) {
    const scope = to === LATEST_ANY_RECOVERY_POINT ? 'any' : 'whole-cluster';
    for await (const r of usableRecoveryPoints(where, { scope })) {
      if (!toReader) toReader = r;
      else if (r.manifest.recoveryPointId < toReader.manifest.recoveryPointId) {
        fromReader ??= r;
        break;
      }
    }
  }
  if (!toReader) throw new NotEnoughRecoveryPointsError(`cluster ${where.clusterName} has no usable recovery point to compare`);
  if (!fromReader) {
    throw new NotEnoughRecoveryPointsError(`cluster ${where.clusterName} has no usable recovery point before ${toReader.manifest.recoveryPointId} to compare it with`);
  }
  return { from: fromReader, to: toReader };
}

/** Compares two opened recovery points. Throws RecoveryPointIntegrityError when either archive fails its checks. */
export async function diffRecoveryPoints(from: RecoveryPointReader, to: RecoveryPointReader, options: DiffOptions = {}): Promise<DiffResult> {
  let bytesBefore = 0;
  const read = (reader: RecoveryPointReader) => reader.objects({
    ...(options.signal ? { signal: options.signal } : {}),
    onArchiveBytes: (n) => options.onArchiveBytes?.(bytesBefore + n),
  });
  const done = (reader: RecoveryPointReader): void => {
    bytesBefore += reader.summary?.bytes ?? 0;
  };

  // 1. from: key -> digest.
  const fromDigests = new DigestTable(from.manifest.archive.objects);
  let fromCount = 0;
  for await (const o of read(from)) {
    fromCount++;
    fromDigests.set(keyOf(o.resourceName, o.namespace, o.name), objectDigest(normalizeObject(o.object)));
  }
  done(from);

  // 2. to: compare; keep leaf maps of changed objects only.
  const added: DiffObjectRef[] = [];
  const changedLeaves = new Map<string, Map<string, string>>();
  let toCount = 0;
  for await (const o of read(to)) {
    toCount++;
    const key = keyOf(o.resourceName, o.namespace, o.name);
    const normalized = normalizeObject(o.object);
    const match = fromDigests.match(key, objectDigest(normalized));
    if (match === 'absent') added.push(refOf(o.resourceName, o.namespace, o.name));
    else if (match === 'changed') changedLeaves.set(key, leafDigests(normalized));
  }
  done(to);

  // 3. from again: what `to` never matched was removed; the changed objects' paths.
  const removed: DiffObjectRef[] = [];
  const changed: ChangedObject[] = [];
  if (changedLeaves.size > 0 || fromDigests.unseen() > 0) {
    for await (const o of read(from)) {
      const key = keyOf(o.resourceName, o.namespace, o.name);
      if (!fromDigests.wasSeen(key)) {
        removed.push(refOf(o.resourceName, o.namespace, o.name));
        continue;
      }
      const after = changedLeaves.get(key);
      if (!after) continue;
      changed.push({ ...refOf(o.resourceName, o.namespace, o.name), paths: differingPaths(leafDigests(normalizeObject(o.object)), after) });
      changedLeaves.delete(key);
    }
    done(from);
  }

  const order = (a: DiffObjectRef, b: DiffObjectRef): number =>
    a.resource.localeCompare(b.resource) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);
  added.sort(order);
  removed.sort(order);
  changed.sort(order);
  const byResource: Record<string, DiffCounts> = {};
  const bump = (list: DiffObjectRef[], field: keyof DiffCounts): void => {
    for (const r of list) (byResource[r.resource] ??= { added: 0, removed: 0, changed: 0 })[field]++;
  };
  bump(added, 'added');
  bump(removed, 'removed');
  bump(changed, 'changed');
  return {
    from: from.manifest.recoveryPointId,
    to: to.manifest.recoveryPointId,
    added, removed, changed,
    counts: { added: added.length, removed: removed.length, changed: changed.length },
    byResource,
    objects: { from: fromCount, to: toCount },
  };
}

// Resource names, namespaces and names never hold '/' (the layout refuses them), so '/' separates safely.
function keyOf(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}

function refOf(resource: string, namespace: string | undefined, name: string): DiffObjectRef {
  return namespace === undefined ? { resource, name } : { resource, namespace, name };
}
