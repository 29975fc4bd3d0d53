// diff-recovery-points (DESIGN.md section 9): configuration drift between two recovery points, by
// diffObjectSources (memory bounded by 16 bytes per object of `from`; values hashed, never kept or shown).
import { diffObjectSources, type ChangedObject, type DiffCounts, type DiffObjectRef, type ObjectSource, type ObjectSourceDiff } from './diffObjectSources';
import { NotEnoughRecoveryPointsError } from './errors';
import { LATEST_ANY_RECOVERY_POINT, openRecoveryPoint, usableRecoveryPoints } from './findLatestRecoveryPoint';
import type { ClusterLocation } from './recoveryPointFolders';
import type { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';

export type { ChangedObject, DiffCounts, DiffObjectRef };

/** What differs between two recovery points (`objects`: compared in each). */
export interface DiffResult extends ObjectSourceDiff {
  from: string;
  to: string;
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
  const progress = { bytesBefore: 0 };
  const diff = await diffObjectSources(recoveryPointSource(from, options, progress), recoveryPointSource(to, options, progress), from.manifest.archive.objects);
  return { from: from.manifest.recoveryPointId, to: to.manifest.recoveryPointId, ...diff };
}

/**
 * A recovery point's objects as an ObjectSource (each read checks the archive against its manifest).
 * `progress` carries the archive bytes of earlier reads, so onArchiveBytes counts over every pass.
 */
export function recoveryPointSource(reader: RecoveryPointReader, options: DiffOptions = {}, progress = { bytesBefore: 0 }): ObjectSource {
  return async (visit) => {
    const before = progress.bytesBefore;
    for await (const o of reader.objects({
      ...(options.signal ? { signal: options.signal } : {}),
      onArchiveBytes: (n) => options.onArchiveBytes?.(before + n),
    })) visit(o);
    progress.bytesBefore = before + (reader.summary?.bytes ?? 0);
  };
}
